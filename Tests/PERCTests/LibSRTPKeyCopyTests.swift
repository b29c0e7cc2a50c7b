import Glibc
import Testing

@testable import PERC

/// Where the libsrtp2 engine's key material lives, found by scanning the whole writable memory of
/// the test process (`/proc/self/mem`) for it.
///
/// The keys are held here only XOR-masked (0xA5), so the scan cannot find the test's own copies.
/// The session keys are those RFC 3711 §4.3.1 derives from `masterKey` / `masterSalt`
/// (`kdf()` in Tests/Reference/srtp_reference.py).
@Suite(
    "libsrtp2 engine key copies", .serialized,
    .disabled(if: Sanitizer.any, Sanitizer.memoryScanReason))
struct LibSRTPKeyCopyTests {
    typealias Fixture = LibSRTPFixture
    static let mask: UInt8 = 0xA5
    static let maskedMasterKey = Fixture.bytes("f9afbe8998ebfac5d42736011063724d")
    static let maskedMasterSalt = Fixture.bytes("544776611003322ddccffee9988b")

    struct Case: CustomTestStringConvertible, Sendable {
        let profile: SRTPProfile
        /// Masked session keys: k_e and k_a (HMAC profiles) of SRTP and SRTCP.
        let maskedSessionKeys: [String]
        var testDescription: String { profile.rawValue }
    }

    static let cases = [
        Case(
            profile: .aesCM128HMACSHA1_80,
            maskedSessionKeys: [
                "74b14af8bbf2addd165837d8b79166e8", "c426d36123da80f5889ced6868ffc842d4b0b3e9",
                "d5b2e2af87824b8d3fdf63c2db2c0f61", "83129aa3768b9c1fc5ccbbb403e089a59c226e24",
            ]),
        Case(
            profile: .aeadAES128GCM,
            maskedSessionKeys: [
                "e72bd4705c1c8f49f9ed97864eaf0748", "c20cd00aefc6978d255aa01c2cc68820",
            ]),
    ]

    @Test(arguments: cases)
    func keyCopiesAreGoneAfterWipe(_ c: Case) throws {
        let engine = try Self.engine(c.profile)
        let master = Self.occurrences(Self.maskedMasterKey)
        // Only the engine's sealed copy: libsrtp2 keeps no master key, and the shim's stack
        // scrub removed what srtp_create left on the stack.
        #expect(master == 1)

        // Use every path that holds keys: both sessions, a cloned stream, an added stream.
        var packet = Fixture.rtp(sequence: 1) + Array(repeating: 0, count: 16)
        let header = try packet.withUnsafeBytes { try RTPHeader(parsing: $0, length: 28) }
        let length = try packet.withUnsafeMutableBytes { raw in
            try engine.protectRTP(raw, length: 28, header: header)
        }
        _ = try packet.withUnsafeMutableBytes { raw in
            try engine.unprotectRTP(raw, length: length, header: header)
        }
        try engine.setRolloverCounter(5, ssrc: 0x1234, direction: .outbound)
        #expect(Self.occurrences(Self.maskedMasterKey) == 1)

        engine.wipe()
        #expect(Self.occurrences(Self.maskedMasterKey) == 0)
        for key in c.maskedSessionKeys {
            let found = Self.occurrences(Fixture.bytes(key))
            #expect(found == 0, "session key \(key.prefix(4))… still in memory")
        }
    }

    /// The scan itself works: it finds a secret placed in ordinary heap memory, and stops
    /// finding it once it is zeroed.
    @Test func scanFindsAPlantedSecret() {
        let masked = Fixture.bytes("0f1e2d3c4b5a69788796a5b4c3d2e1f0")
        let planted = UnsafeMutableRawBufferPointer.allocate(byteCount: 16, alignment: 16)
        defer { planted.deallocate() }
        for (i, byte) in masked.enumerated() { planted[i] = byte ^ Self.mask }
        #expect(Self.occurrences(masked) == 1)
        wipeTestBuffer(planted)
        #expect(Self.occurrences(masked) == 0)
    }

    /// Copies of a secret (held here masked with `mask`) anywhere in the process, found by the
    /// key store's whole-process scanner, which also reads `PROT_NONE` sealed regions.
    static func occurrences(_ masked: [UInt8]) -> Int {
        MemoryScanner.scan(for: MaskedKey(masked: masked.map { $0 ^ mask ^ MaskedKey.mask }))
            .matches.count
    }

    /// An engine keyed from a buffer that is zeroed again right after.
    static func engine(_ profile: SRTPProfile) throws -> LibSRTPEngine {
        let keyLength = profile.masterKeyLength
        let saltLength = profile.masterSaltLength
        let clear = UnsafeMutableRawBufferPointer.allocate(
            byteCount: keyLength + saltLength, alignment: 16)
        defer {
            wipeTestBuffer(clear)
            clear.deallocate()
        }
        for i in 0..<keyLength { clear[i] = maskedMasterKey[i] ^ mask }
        for i in 0..<saltLength { clear[keyLength + i] = maskedMasterSalt[i] ^ mask }
        return try LibSRTPEngine(
            configuration: Fixture.configuration(profile),
            keys: .master(
                key: UnsafeRawBufferPointer(rebasing: clear[..<keyLength]),
                salt: UnsafeRawBufferPointer(rebasing: clear[keyLength...])))
    }
}

/// Zeroes a test buffer so the compiler cannot drop the stores.
private func wipeTestBuffer(_ buffer: UnsafeMutableRawBufferPointer) {
    guard let base = buffer.baseAddress else { return }
    explicit_bzero(base, buffer.count)
}
