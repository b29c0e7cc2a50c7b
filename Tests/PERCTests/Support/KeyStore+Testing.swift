import Glibc
import Testing

@testable import PERC

extension KeyStore {
    /// A masked copy of the key bytes behind `handle` (key ‖ salt for SRTP master keys), made
    /// octet by octet inside the unsealed region so no plain copy exists outside it.
    func maskedKey(_ handle: KeyHandle) throws -> MaskedKey {
        let sealed = try #require(sealedBytesForTesting(handle))
        return try sealed.withUnsealed { bytes in
            MaskedKey(masked: bytes.map { $0 ^ MaskedKey.mask })
        }
    }

    /// The address of the first key octet behind `handle`, for tests that look at the region.
    func keyAddress(_ handle: KeyHandle) throws -> UnsafeRawPointer {
        let sealed = try #require(sealedBytesForTesting(handle))
        return try sealed.withUnsealed { UnsafeRawPointer($0.baseAddress!) }
    }
}

/// Helpers shared by the KeyStore suites.
enum KeyStoreTestSupport {
    /// An RTP packet: V=2, PT 96, the given SSRC and sequence number, `payload` octets of 0xAB.
    static func rtpPacket(ssrc: UInt32 = 0x1234_5678, sequence: UInt16, payload: Int = 160)
        -> [UInt8]
    {
        var packet: [UInt8] = [0x80, 96, UInt8(sequence >> 8), UInt8(sequence & 0xFF)]
        packet += [0, 0, 0x10, 0x00]  // timestamp
        packet += [
            UInt8(ssrc >> 24), UInt8(ssrc >> 16 & 0xFF), UInt8(ssrc >> 8 & 0xFF),
            UInt8(ssrc & 0xFF),
        ]
        packet += repeatElement(0xAB, count: payload)
        return packet
    }

    /// Polls `condition` every 5 ms for up to `timeout`.
    static func eventually(
        within timeout: Duration = .seconds(5), _ condition: () -> Bool
    ) async throws -> Bool {
        let clock = ContinuousClock()
        let end = clock.now + timeout
        while clock.now < end {
            if condition() { return true }
            try await Task.sleep(for: .milliseconds(5))
        }
        return condition()
    }

    /// What a guard-page fault looks like from outside: SIGSEGV, or under ASan/TSan (whose SEGV
    /// handlers report and exit) a failing exit status.
    static var guardPageFault: ExitTest.Condition {
        GuardedRegion.runningUnderSanitizer ? .failure : .signal(SIGSEGV)
    }

    /// Overwrites a test's own copy of key bytes.
    static func wipe(_ bytes: inout [UInt8]) {
        bytes.withUnsafeMutableBytes {
            if let base = $0.baseAddress { explicit_bzero(base, $0.count) }
        }
    }
}
