import CPERCShims
import Testing

@testable import PERC

/// The engine's mirror of libsrtp2's outbound packet index, which decides when to refuse a packet
/// before its index would pass 2^48.
@Suite("libsrtp2 engine sender index")
struct LibSRTPSenderIndexTests {
    typealias Fixture = LibSRTPFixture
    typealias SenderIndex = LibSRTPEngine.SenderIndex

    @Test func followsLibSRTPsEstimation() {
        var index = SenderIndex()
        // srtp_rdbx_estimate_index: ROC 0 while the index is at most 2^15, whatever the SEQ.
        #expect(index.index(of: 40000) == 40000)
        index.record(100)
        #expect(index.index(of: 40000) == 40000)
        index.record(0xFFFF)
        // RFC 3711 Appendix A from here: a wrap moves to ROC 1, a late packet stays.
        #expect(index.index(of: 2) == 0x1_0002)
        #expect(index.index(of: 0xFFF0) == 0xFFF0)
        index.record(2)
        index.record(0xFFF0)  // behind: the highest index stays
        #expect(index.highest == 0x1_0002)
        #expect(index.index(of: 0xC000) == 0xC000)  // more than 2^15 ahead: ROC − 1
    }

    @Test func aPendingROCIsTakenByTheNextPacket() {
        var index = SenderIndex.restarted(roc: 9)
        #expect(index.pendingROC == 9)
        #expect(index.index(of: 3) == 9 << 16 | 3)
        index.record(3)
        #expect(index.pendingROC == nil)
        #expect(index.highest == 9 << 16 | 3)
        #expect(SenderIndex.restarted(roc: 0).pendingROC == nil)
    }

    @Test func theLastROCCannotWrap() {
        var index = SenderIndex.restarted(roc: .max)
        index.record(0xFFFF)
        #expect(index.index(of: 0xFFFE) < SenderIndex.limit)
        #expect(index.index(of: 0) == SenderIndex.limit)
        #expect(index.index(of: 0x7FFE) >= SenderIndex.limit)
        #expect(index.index(of: 0x7FFF) < SenderIndex.limit)
    }

    /// The mirror and libsrtp2's own ROC agree along a long walk with wraps, reordering and
    /// refused packets.
    @Test func agreesWithLibSRTPsROC() throws {
        let key = [UInt8](repeating: 0x42, count: 16)
        let salt = [UInt8](repeating: 0x24, count: 14)
        let engine = try key.withUnsafeBytes { k in
            try salt.withUnsafeBytes { s in
                try LibSRTPEngine(
                    configuration: Fixture.configuration(.aesCM128HMACSHA1_80, replayWindow: 64),
                    keys: .master(key: k, salt: s))
            }
        }
        var generator = SeededGenerator(seed: 0x5EED)
        var sequence: UInt16 = 0xFF00
        var refused = 0
        for step in 0..<3000 {
            // Mostly forward in steps up to 9000, sometimes back up to 100 (reordering).
            let jump = Int(generator.next() % 9100) - 100
            sequence = UInt16(truncatingIfNeeded: Int(sequence) + jump)
            var packet = Fixture.rtp(sequence: sequence) + Array(repeating: 0, count: 10)
            let header = try packet.withUnsafeBytes { raw in
                try RTPHeader(parsing: raw, length: packet.count - 10)
            }
            do {
                _ = try packet.withUnsafeMutableBytes { raw in
                    try engine.protectRTP(raw, length: raw.count - 10, header: header)
                }
            } catch SRTPError.replayed, SRTPError.tooOld {
                refused += 1
            }
            let mirrored = try #require(engine.senders[Fixture.ssrc]).highest >> 16
            let libsrtp = try #require(
                engine.rolloverCounter(ssrc: Fixture.ssrc, direction: .outbound))
            #expect(UInt64(libsrtp) == mirrored, "step \(step)")
        }
        #expect(refused > 0)
        #expect(
            try #require(engine.rolloverCounter(ssrc: Fixture.ssrc, direction: .outbound)) > 100)
    }

    /// Pins the libsrtp2 2.5 behaviour the engine guards against (TOOLBOX.md): called directly,
    /// srtp_protect goes from index 2^48 − 1 to the keystream of index 0. If a libsrtp2 update
    /// starts refusing, this test fails and the guard can be revisited.
    @Test func libSRTPItselfWrapsTheIndex() throws {
        #expect(perc_srtp_init_once() == srtp_err_status_ok)
        let master = [UInt8](repeating: 0x17, count: 30)
        func session(rocFor ssrc: UInt32?) throws -> srtp_t {
            var created: srtp_t?
            let status = master.withUnsafeBufferPointer { bytes in
                var keying = perc_srtp_keying(
                    profile: PERC_SRTP_AES_CM_128_HMAC_SHA1_80, encrypt_rtp: 1, encrypt_rtcp: 1,
                    master: bytes.baseAddress, master_length: bytes.count, mki: nil,
                    mki_length: 0, window_size: 1024)
                var status = perc_srtp_create(&created, &keying, 1)
                if status == srtp_err_status_ok, let created, let ssrc {
                    status = perc_srtp_add_stream(created, &keying, ssrc)
                    if status == srtp_err_status_ok {
                        status = srtp_set_stream_roc(created, ssrc, .max)
                    }
                }
                return status
            }
            #expect(status == srtp_err_status_ok)
            return try #require(created)
        }
        func protect(_ session: srtp_t, _ sequence: UInt16) -> [UInt8] {
            var packet = Fixture.rtp(sequence: sequence) + Array(repeating: 0, count: 10)
            var length = Int32(packet.count - 10)
            #expect(srtp_protect(session, &packet, &length) == srtp_err_status_ok)
            return Array(packet[12..<28])  // the encrypted payload
        }
        let fresh = try session(rocFor: nil)
        let wrapping = try session(rocFor: Fixture.ssrc)
        defer {
            srtp_dealloc(fresh)
            srtp_dealloc(wrapping)
        }
        let atIndexZero = protect(fresh, 0)
        _ = protect(wrapping, 0xFFFF)  // index 2^48 − 1
        let afterWrap = protect(wrapping, 0)
        #expect(afterWrap == atIndexZero)  // the same keystream: a two-time pad
        var roc: UInt32 = 1
        #expect(srtp_get_stream_roc(wrapping, Fixture.ssrc, &roc) == srtp_err_status_ok)
        #expect(roc == 0)
    }
}
