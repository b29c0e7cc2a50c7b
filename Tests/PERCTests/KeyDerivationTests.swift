import Testing

@_spi(Conformance) @testable import PERC

/// The SRTP KDF (RFC 3711 §4.3, RFC 6188 §3), the AES-CM keystream (RFC 3711 §4.1.1) and the
/// AEAD IVs (RFC 7714 §8.1, §9.1), through the conformance SPI.
@Suite struct KeyDerivationTests {
    typealias Label = SRTPPrimitives.KDFLabel

    struct KDFCase: Sendable, CustomTestStringConvertible {
        let name: String
        let masterKey: String
        let masterSalt: String
        let outputs: [(Label, String)]
        var testDescription: String { name }
    }

    static let kdfCases: [KDFCase] = [
        // RFC 3711 Appendix B.3 (AES_128_CM_PRF); the RFC prints a 94-octet authentication key.
        KDFCase(
            name: "RFC 3711 B.3", masterKey: "e1f97a0d3e018be0d64fa32c06de4139",
            masterSalt: "0ec675ad498afeebb6960b3aabe6",
            outputs: [
                (.rtpEncryption, "c61e7a93744f39ee10734afe3ff7a087"),
                (.rtpSalt, "30cbbc08863d8c85d49db34a9ae1"),
                (
                    .rtpAuthentication,
                    """
                    cebe321f6ff7716b6fd4ab49af256a156d38baa48f0a0acf3c34e2359e6cdbce\
                    e049646c43d9327ad175578ef72270986371c10c9a369ac2f94a8c5fbcdddc25\
                    6d6e919a48b610ef17c2041e474035766b68642c59bbfc2f34db60dbdfb2
                    """
                ),
            ]),
        // RFC 6188 §7.2 (AES_256_CM_PRF).
        KDFCase(
            name: "RFC 6188 7.2",
            masterKey: "f0f04914b513f2763a1b1fa130f10e2998f6f6e43e4309d1e622a0e332b9f1b6",
            masterSalt: "3b04803de51ee7c96423ab5b78d2",
            outputs: [
                (
                    .rtpEncryption,
                    "5ba1064e30ec51613cad926c5a28ef731ec7fb397f70a960653caf06554cd8c4"
                ),
                (.rtpSalt, "fa31791685ca444a9e07c6c64e93"),
                (.rtpAuthentication, "fd9c32d39ed5fbb5a9dc96b30818454d1313dc05"),
            ]),
        // RFC 6188 §7.4 (AES_192_CM_PRF).
        KDFCase(
            name: "RFC 6188 7.4", masterKey: "73edc66c4fa15776fb57f9505c17136550ffda71f3e8e5f1",
            masterSalt: "c8522f3acd4ce86d5add78edbb11",
            outputs: [
                (.rtpEncryption, "31874736a8f1143870c26e4857d8a5b2c4a354407faadabb"),
                (.rtpSalt, "2372b82d639b6d8503a47adc0a6c"),
                (.rtpAuthentication, "355b10973cd95b9eacf4061c7e1a7151e7cfbfcb"),
            ]),
    ]

    @Test(arguments: kdfCases)
    func derivesRFCVectors(_ vector: KDFCase) throws {
        for (label, expected) in vector.outputs {
            let expectedBytes = TestBytes.hex(expected)
            let derived = try SRTPPrimitives.deriveSessionKey(
                masterKey: TestBytes.hex(vector.masterKey),
                masterSalt: TestBytes.hex(vector.masterSalt), label: label, index: 0,
                keyDerivationRate: 0, length: expectedBytes.count)
            #expect(derived == expectedBytes, "label \(label)")
        }
    }

    /// r = index DIV kdr lands in octets 8–13 of the counter block (RFC 3711 §4.3.1). Expected
    /// value from Python `cryptography`: AES-128-CTR(B.3 key) of zeros from the IV
    /// (B.3 salt XOR (0x00 ‖ r as 48 bits)) ‖ 0000, r = 0x123456789abc >> 16.
    @Test func keyDerivationRateDividesTheIndex() throws {
        let key = TestBytes.hex("e1f97a0d3e018be0d64fa32c06de4139")
        let salt = TestBytes.hex("0ec675ad498afeebb6960b3aabe6")
        let derived = try SRTPPrimitives.deriveSessionKey(
            masterKey: key, masterSalt: salt, label: .rtpEncryption, index: 0x1234_5678_9abc,
            keyDerivationRate: 1 << 16, length: 16)
        #expect(derived == TestBytes.hex("3da0d9922868611c578f8cf21bed2691"))
        // Any index below the rate gives r = 0, the KDR 0 keys.
        let first = try SRTPPrimitives.deriveSessionKey(
            masterKey: key, masterSalt: salt, label: .rtpEncryption, index: 0xffff,
            keyDerivationRate: 1 << 16, length: 16)
        #expect(first == TestBytes.hex("c61e7a93744f39ee10734afe3ff7a087"))
    }

    /// A 12-octet GCM master salt is padded with two zero octets (libsrtp).
    @Test func gcmSaltIsZeroPadded() throws {
        let key = TestBytes.hex("e1f97a0d3e018be0d64fa32c06de4139")
        let salt = TestBytes.hex("0ec675ad498afeebb6960b3a")
        let short = try SRTPPrimitives.deriveSessionKey(
            masterKey: key, masterSalt: salt, label: .rtpSalt, index: 0, keyDerivationRate: 0,
            length: 12)
        let padded = try SRTPPrimitives.deriveSessionKey(
            masterKey: key, masterSalt: salt + [0, 0], label: .rtpSalt, index: 0,
            keyDerivationRate: 0, length: 12)
        #expect(short == padded)
        #expect(short == TestBytes.hex("f2fee04070fc3f65d706e2e4"))
    }

    @Test func labelsGiveDistinctKeys() throws {
        let key = [UInt8](repeating: 7, count: 16)
        let salt = [UInt8](repeating: 9, count: 14)
        let keys = try Label.allCases.map {
            try SRTPPrimitives.deriveSessionKey(
                masterKey: key, masterSalt: salt, label: $0, index: 0, keyDerivationRate: 0,
                length: 16)
        }
        #expect(Set(keys.map(\.hex)).count == Label.allCases.count)
    }

    @Test func rejectsBadArguments() {
        let salt = [UInt8](repeating: 0, count: 14)
        #expect(throws: SRTPError.self) {
            try SRTPPrimitives.deriveSessionKey(
                masterKey: [UInt8](repeating: 0, count: 15), masterSalt: salt,
                label: .rtpEncryption, index: 0, keyDerivationRate: 0, length: 16)
        }
        #expect(throws: SRTPError.self) {
            try SRTPPrimitives.deriveSessionKey(
                masterKey: [UInt8](repeating: 0, count: 16), masterSalt: [0, 0, 0],
                label: .rtpEncryption, index: 0, keyDerivationRate: 0, length: 16)
        }
        #expect(throws: SRTPError.self) {
            try SRTPPrimitives.deriveSessionKey(
                masterKey: [UInt8](repeating: 0, count: 16), masterSalt: salt,
                label: .rtpEncryption, index: 0, keyDerivationRate: 3, length: 16)
        }
        #expect(throws: SRTPError.self) {
            try SRTPPrimitives.deriveSessionKey(
                masterKey: [UInt8](repeating: 0, count: 16), masterSalt: salt,
                label: .rtpEncryption, index: 1 << 48, keyDerivationRate: 0, length: 16)
        }
    }

    // MARK: AES-CM keystream

    struct KeystreamCase: Sendable, CustomTestStringConvertible {
        let name: String
        let key: String
        let rows: [(block: UInt64, keystream: String)]
        var testDescription: String { name }
    }

    static let keystreamCases: [KeystreamCase] = [
        // RFC 3711 Appendix B.2: IV = F0F1F2F3F4F5F6F7F8F9FAFBFCFD0000.
        KeystreamCase(
            name: "RFC 3711 B.2", key: "2b7e151628aed2a6abf7158809cf4f3c",
            rows: [
                (0, "e03ead0935c95e80e166b16dd92b4eb4"), (1, "d23513162b02d0f72a43a2fe4a5f97ab"),
                (2, "41e95b3bb0a2e8dd477901e4fca894c0"),
                (65279, "ec8cdf7398607cb0f2d21675ea9ea1e4"),
                (65280, "362b7c3c6773516318a077d7fc5073ae"),
                (65281, "6a2cc3787889374fbeb4c81b17ba6c44"),
            ]),
        // RFC 6188 §7.1 (AES-256-CM).
        KeystreamCase(
            name: "RFC 6188 7.1",
            key: "57f82fe3613fd170a85ec93c40b1f0922ec4cb0dc025b58272147cc438944a98",
            rows: [
                (0, "92bdd28a93c3f52511c677d08b5515a4"), (1, "9da71b2378a854f67050756ded165bac"),
                (2, "63c4868b7096d88421b563b8c94c9a31"),
                (65279, "cea518c90fd91ced9cbb18c078a54711"),
                (65281, "6eb246913062a16891433e97dd01a57f"),
            ]),
        // RFC 6188 §7.3 (AES-192-CM).
        KeystreamCase(
            name: "RFC 6188 7.3", key: "eab234764e517b2d3d160d587d8c86219740f65f99b6bcf7",
            rows: [
                (0, "35096cba4610028dc1b57503804ce37c"), (2, "474a40c77894bc17180202272a4c264d"),
                (65280, "c8f57129fdeb970b59f917b257662d4c"),
            ]),
    ]

    @Test(arguments: keystreamCases)
    func aesCounterKeystream(_ vector: KeystreamCase) throws {
        let iv = TestBytes.hex("f0f1f2f3f4f5f6f7f8f9fafbfcfd0000")
        for row in vector.rows {
            let block = try SRTPPrimitives.aesCounterKeystreamBlock(
                key: TestBytes.hex(vector.key), iv: iv, block: row.block)
            #expect(block == TestBytes.hex(row.keystream), "block \(row.block)")
        }
    }

    @Test func keystreamCounterCarriesAcrossOctets() throws {
        let key = TestBytes.hex("2b7e151628aed2a6abf7158809cf4f3c")
        let viaBlock = try SRTPPrimitives.aesCounterKeystreamBlock(
            key: key, iv: TestBytes.hex("f0f1f2f3f4f5f6f7f8f9fafbfcfdffff"), block: 1)
        let direct = try SRTPPrimitives.aesCounterKeystreamBlock(
            key: key, iv: TestBytes.hex("f0f1f2f3f4f5f6f7f8f9fafbfcfe0000"), block: 0)
        #expect(viaBlock == direct)
    }

    // MARK: AEAD IVs

    /// RFC 7714 §8.1 / §16: SSRC 5501a0b2, ROC 0, SEQ f17b.
    @Test func rtpAEADNonce() {
        let iv = SRTPPrimitives.rtpAEADNonce(
            salt: TestBytes.hex("517569642070726f2071756f"), ssrc: 0x5501_a0b2, roc: 0,
            sequence: 0xf17b)
        #expect(iv == TestBytes.hex("51753c6580c2726f20718414"))
    }

    /// RFC 7714 §9.1 / §17: SSRC 4d617273, SRTCP index 0x5d4.
    @Test func rtcpAEADNonce() {
        let iv = SRTPPrimitives.rtcpAEADNonce(
            salt: TestBytes.hex("517569642070726f2071756f"), ssrc: 0x4d61_7273, srtcpIndex: 0x5d4)
        #expect(iv == TestBytes.hex("517524055203726f207170bb"))
        #expect(
            SRTPPrimitives.rtcpAEADNonce(
                salt: TestBytes.hex("517569642070726f2071756f"), ssrc: 1, srtcpIndex: 1 << 31
            )
            .isEmpty)
    }

    @Test func rtpAEADNonceCarriesROC() {
        let salt = [UInt8](repeating: 0, count: 12)
        let iv = SRTPPrimitives.rtpAEADNonce(
            salt: salt, ssrc: 0x0102_0304, roc: 0x0506_0708, sequence: 0x090a)
        #expect(iv == TestBytes.hex("0000 01020304 05060708 090a"))
    }
}
