import Testing

@_spi(Conformance) @testable import PERC

/// AES key wrap (RFC 3394) and key wrap with padding (RFC 5649) on OpenSSL, against every
/// `aes_kw` vector in /work/shared/vectors (embedded here; the conformance runner reads the files).
@Suite struct KeyWrapTests {
    struct Vector: Sendable, CustomTestStringConvertible {
        let id: String
        let padding: Bool
        let kek: String
        let keyData: String
        let ciphertext: String
        var testDescription: String { id }
    }

    static let vectors: [Vector] = [
        // rfc3394_section4.json: RFC 3394 §4.1–4.6.
        Vector(
            id: "rfc3394-4.1", padding: false, kek: "000102030405060708090a0b0c0d0e0f",
            keyData: "00112233445566778899aabbccddeeff",
            ciphertext: "1fa68b0a8112b447aef34bd8fb5a7b829d3e862371d2cfe5"),
        Vector(
            id: "rfc3394-4.2", padding: false,
            kek: "000102030405060708090a0b0c0d0e0f1011121314151617",
            keyData: "00112233445566778899aabbccddeeff",
            ciphertext: "96778b25ae6ca435f92b5b97c050aed2468ab8a17ad84e5d"),
        Vector(
            id: "rfc3394-4.3", padding: false,
            kek: "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f",
            keyData: "00112233445566778899aabbccddeeff",
            ciphertext: "64e8c3f9ce0f5ba263e9777905818a2a93c8191e7d6e8ae7"),
        Vector(
            id: "rfc3394-4.4", padding: false,
            kek: "000102030405060708090a0b0c0d0e0f1011121314151617",
            keyData: "00112233445566778899aabbccddeeff0001020304050607",
            ciphertext: "031d33264e15d33268f24ec260743edce1c6c7ddee725a936ba814915c6762d2"),
        Vector(
            id: "rfc3394-4.5", padding: false,
            kek: "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f",
            keyData: "00112233445566778899aabbccddeeff0001020304050607",
            ciphertext: "a8f9bc1612c68b3ff6e6f4fbe30e71e4769c8b80a32cb8958cd5d17d6b254da1"),
        Vector(
            id: "rfc3394-4.6", padding: false,
            kek: "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f",
            keyData: "00112233445566778899aabbccddeeff000102030405060708090a0b0c0d0e0f",
            ciphertext:
                "28c9f404c4b810f4cbccb35cfb87f8263f5786e2d80ed326cbc7f0e71a99f43bfb988b9b7a02dd21"),
        // rfc5649_section6.json: RFC 5649 §6, 192-bit KEK.
        Vector(
            id: "rfc5649-6-20-octets", padding: true,
            kek: "5840df6e29b02af1ab493b705bf16ea1ae8338f4dcc176a8",
            keyData: "c37b7e6492584340bed12207808941155068f738",
            ciphertext: "138bdeaa9b8fa7fc61f97742e72248ee5ae6ae5360d1ae6a5f54f373fa543b6a"),
        Vector(
            id: "rfc5649-6-7-octets", padding: true,
            kek: "5840df6e29b02af1ab493b705bf16ea1ae8338f4dcc176a8", keyData: "466f7250617369",
            ciphertext: "afbeb0f07dfbf5419200f2ccb50bb24f"),
        // openssl_evpciph_aes_wrap_extra.json: 128- and 256-bit KEKs with padding (the EKT ciphers).
        Vector(
            id: "openssl-kwp-aes128", padding: true, kek: "5840df6e29b02af1ab493b705bf16ea1",
            keyData: "c37b7e6492584340bed12207808941155068f738",
            ciphertext: "ed9f0ecfbb761b7365838733e3f42f81a049f077e901f63bfe0519e8a12e9bcf"),
        Vector(
            id: "openssl-kwp-aes256", padding: true,
            kek: "5840df6e29b02af1ab493b705bf16ea1ae8338f4dcc176a80001020304050607",
            keyData: "c37b7e6492584340bed12207808941155068f738",
            ciphertext: "a3696fe696c7baa90972a62d5a334c353ca01cd2d02cb407d72a231e01ead9dd"),
    ]

    @Test(arguments: vectors)
    func wrapMatchesVector(_ vector: Vector) throws {
        let wrapped = try EKTConformance.aesKeyWrap(
            kek: EKTTestSupport.bytes(vector.kek), keyData: EKTTestSupport.bytes(vector.keyData),
            padding: vector.padding)
        #expect(EKTTestSupport.hex(wrapped) == vector.ciphertext)
    }

    @Test(arguments: vectors)
    func unwrapMatchesVector(_ vector: Vector) throws {
        let unwrapped = try EKTConformance.aesKeyUnwrap(
            kek: EKTTestSupport.bytes(vector.kek),
            ciphertext: EKTTestSupport.bytes(vector.ciphertext), padding: vector.padding)
        #expect(EKTTestSupport.hex(unwrapped) == vector.keyData)
    }

    @Test(arguments: vectors)
    func everyFlippedBitFailsIntegrity(_ vector: Vector) {
        let kek = EKTTestSupport.bytes(vector.kek)
        let ciphertext = EKTTestSupport.bytes(vector.ciphertext)
        for index in ciphertext.indices {
            var altered = ciphertext
            altered[index] ^= 0x01
            #expect(throws: EKTError.authenticationFailed) {
                try EKTConformance.aesKeyUnwrap(
                    kek: kek, ciphertext: altered, padding: vector.padding)
            }
        }
    }

    @Test(arguments: vectors)
    func wrongKEKFailsIntegrity(_ vector: Vector) {
        var kek = EKTTestSupport.bytes(vector.kek)
        kek[0] ^= 0x80
        #expect(throws: EKTError.authenticationFailed) {
            try EKTConformance.aesKeyUnwrap(
                kek: kek, ciphertext: EKTTestSupport.bytes(vector.ciphertext),
                padding: vector.padding)
        }
    }

    @Test func paddedAndUnpaddedAreNotInterchangeable() {
        // RFC 3394's default IV A6A6A6A6A6A6A6A6 vs RFC 5649's AIV A65959A6 ‖ MLI.
        let vector = Self.vectors[0]
        #expect(throws: EKTError.authenticationFailed) {
            try EKTConformance.aesKeyUnwrap(
                kek: EKTTestSupport.bytes(vector.kek),
                ciphertext: EKTTestSupport.bytes(vector.ciphertext), padding: true)
        }
    }

    @Test func paddedWrapHasRFC5649Length() throws {
        // N = 8·⌈M/8⌉ + 8, not RFC 8870's N = M + (M mod 8) + 8.
        let kek = [UInt8](repeating: 7, count: 16)
        for m in 1...64 {
            let wrapped = try EKTConformance.aesKeyWrap(
                kek: kek, keyData: [UInt8](repeating: UInt8(m), count: m), padding: true)
            #expect(wrapped.count == (m + 7) / 8 * 8 + 8)
            #expect(wrapped.count == EKTCipher.ciphertextLength(plaintextLength: m))
            let back = try EKTConformance.aesKeyUnwrap(kek: kek, ciphertext: wrapped, padding: true)
            #expect(back == [UInt8](repeating: UInt8(m), count: m))
        }
    }

    @Test func badLengthsAreTypedErrors() {
        let kek16 = [UInt8](repeating: 1, count: 16)
        let badLength = EKTError.invalidArgument("AES key wrap input or output length")
        // KEK sizes AES does not have.
        for size in [0, 15, 17, 20, 33] {
            #expect(throws: EKTError.self) {
                try EKTConformance.aesKeyWrap(
                    kek: [UInt8](repeating: 1, count: size), keyData: [1], padding: true)
            }
        }
        // RFC 3394 needs ≥ 16 octets in whole 64-bit blocks; RFC 5649 needs ≥ 1.
        for count in [0, 8, 15, 17, 23] {
            #expect(throws: badLength) {
                try EKTConformance.aesKeyWrap(
                    kek: kek16, keyData: [UInt8](repeating: 2, count: count), padding: false)
            }
        }
        #expect(throws: badLength) {
            try EKTConformance.aesKeyWrap(kek: kek16, keyData: [], padding: true)
        }
        // Unwrap input: whole blocks, ≥ 3 (RFC 3394) or ≥ 2 (RFC 5649).
        for (count, padding) in [(0, true), (8, true), (17, true), (16, false), (25, false)] {
            #expect(throws: badLength) {
                try EKTConformance.aesKeyUnwrap(
                    kek: kek16, ciphertext: [UInt8](repeating: 3, count: count),
                    padding: padding)
            }
        }
    }
}
