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
        let master = ProcessMemory.occurrences(ofMasked: Self.maskedMasterKey, mask: Self.mask)
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
        #expect(ProcessMemory.occurrences(ofMasked: Self.maskedMasterKey, mask: Self.mask) == 1)

        engine.wipe()
        #expect(ProcessMemory.occurrences(ofMasked: Self.maskedMasterKey, mask: Self.mask) == 0)
        for key in c.maskedSessionKeys {
            let found = ProcessMemory.occurrences(ofMasked: Fixture.bytes(key), mask: Self.mask)
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
        #expect(ProcessMemory.occurrences(ofMasked: masked, mask: Self.mask) == 1)
        wipeTestBuffer(planted)
        #expect(ProcessMemory.occurrences(ofMasked: masked, mask: Self.mask) == 0)
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

/// Counts copies of a secret in the process's readable and writable mappings, read through
/// `/proc/self/mem` with plain `open`/`pread` (no Foundation, which could buffer copies).
private enum ProcessMemory {
    static let chunk = 1 << 22

    static func occurrences(ofMasked masked: [UInt8], mask: UInt8) -> Int {
        precondition(masked.count >= 8)
        let first = masked[0] ^ mask
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: chunk, alignment: 16)
        defer { buffer.deallocate() }
        buffer.initializeMemory(as: UInt8.self, repeating: 0)
        let memory = open("/proc/self/mem", O_RDONLY)
        precondition(memory >= 0, "cannot open /proc/self/mem")
        defer { close(memory) }
        var found = 0
        // The scan buffer is skipped: reading memory that overlaps it would copy copies.
        let own = Int(bitPattern: buffer.baseAddress!)
        for (start, end) in writableMappings(excluding: own..<(own + chunk)) {
            var offset = start
            while offset < end {
                let wanted = min(chunk, end - offset)
                let got = pread(memory, buffer.baseAddress, wanted, off_t(offset))
                if got < masked.count { break }
                found += count(
                    in: UnsafeRawBufferPointer(rebasing: buffer[..<got]), masked, mask, first)
                // Zero the copy so the scan never finds its own buffer's stale contents.
                explicit_bzero(buffer.baseAddress!, got)
                if got < wanted { break }
                offset += got == chunk ? got - (masked.count - 1) : got
            }
        }
        return found
    }

    private static func count(
        in bytes: UnsafeRawBufferPointer, _ masked: [UInt8], _ mask: UInt8, _ first: UInt8
    ) -> Int {
        var found = 0
        var from = 0
        let last = bytes.count - masked.count
        while from <= last {
            guard let hit = memchr(bytes.baseAddress! + from, Int32(first), last - from + 1) else {
                break
            }
            let at = bytes.baseAddress!.distance(to: UnsafeRawPointer(hit))
            var equal = true
            for j in 1..<masked.count where bytes[at + j] ^ mask != masked[j] {
                equal = false
                break
            }
            if equal { found += 1 }
            from = at + 1
        }
        return found
    }

    /// `[start, end)` of every mapping with both r and w permissions, from /proc/self/maps, with
    /// `hole` cut out.
    private static func writableMappings(excluding hole: Range<Int>) -> [(Int, Int)] {
        let fd = open("/proc/self/maps", O_RDONLY)
        precondition(fd >= 0, "cannot open /proc/self/maps")
        defer { close(fd) }
        var text: [UInt8] = []
        var block = [UInt8](repeating: 0, count: 65536)
        while true {
            let n = block.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if n <= 0 { break }
            text += block[..<n]
        }
        let mappings = text.split(separator: UInt8(ascii: "\n")).compactMap { line -> (Int, Int)? in
            let fields = line.split(separator: UInt8(ascii: " "), maxSplits: 2)
            guard fields.count >= 2, fields[1].starts(with: "rw".utf8) else { return nil }
            let range = fields[0].split(separator: UInt8(ascii: "-"))
            guard range.count == 2,
                let start = Int(String(decoding: range[0], as: UTF8.self), radix: 16),
                let end = Int(String(decoding: range[1], as: UTF8.self), radix: 16)
            else { return nil }
            return (start, end)
        }
        return mappings.flatMap { start, end -> [(Int, Int)] in
            guard start < hole.upperBound, hole.lowerBound < end else { return [(start, end)] }
            return [(start, hole.lowerBound), (hole.upperBound, end)].filter { $0.0 < $0.1 }
        }
    }
}
