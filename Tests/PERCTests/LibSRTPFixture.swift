import Testing

@testable import PERC

/// Packets, keys and sessions shared by the libsrtp2 engine tests.
enum LibSRTPFixture {
    static let ssrc: UInt32 = 0xCAFE_BABE
    static let payload: [UInt8] = Array(repeating: 0xAB, count: 16)

    /// A sender and a receiver session on the same master key, both on the libsrtp2 engine. The
    /// store is kept alive with them: closing it wipes the sessions.
    struct Pair {
        let store: KeyStore
        let key: KeyHandle
        let sender: SRTPSession
        let receiver: SRTPSession
    }

    static func configuration(
        _ profile: SRTPProfile, encryptRTP: Bool = true, encryptRTCP: Bool = true,
        mki: [UInt8]? = nil, replayWindow: Int = 1024
    ) -> SRTPSession.Configuration {
        SRTPSession.Configuration(
            profile: profile, engine: .libsrtp2, replayWindow: replayWindow,
            encryptRTP: encryptRTP, encryptRTCP: encryptRTCP, mki: mki)
    }

    /// Sessions keyed with a fresh random master key.
    static func pair(_ configuration: SRTPSession.Configuration) throws -> Pair {
        let store = KeyStore()
        let key = try store.generateSRTPMasterKey(for: configuration.profile)
        return try Pair(
            store: store, key: key,
            sender: SRTPSession(key: key, in: store, configuration: configuration),
            receiver: SRTPSession(key: key, in: store, configuration: configuration))
    }

    /// Sessions keyed with the given master key and salt.
    static func pair(
        _ configuration: SRTPSession.Configuration, key: [UInt8], salt: [UInt8]
    ) throws -> Pair {
        let store = KeyStore()
        let handle = try store.importSRTPMasterKey(key, salt: salt, for: configuration.profile)
        return try Pair(
            store: store, key: handle,
            sender: SRTPSession(key: handle, in: store, configuration: configuration),
            receiver: SRTPSession(key: handle, in: store, configuration: configuration))
    }

    /// An RTP packet: V=2, PT 15, the given SEQ, timestamp 0xDECAFBAD, `ssrc`, `payload`.
    static func rtp(sequence: UInt16, ssrc: UInt32 = ssrc, payload: [UInt8] = payload)
        -> [UInt8]
    {
        [0x80, 0x0F, UInt8(sequence >> 8), UInt8(sequence & 0xFF), 0xDE, 0xCA, 0xFB, 0xAD]
            + bigEndian(ssrc) + payload
    }

    /// An RTCP receiver report with one 12-octet body word group (RFC 3550 §6.4.2 shape).
    static func rtcp(ssrc: UInt32 = ssrc, body: [UInt8] = Array(1...12)) -> [UInt8] {
        [0x80, 0xC9, 0x00, 0x01] + bigEndian(ssrc) + body
    }

    static func bigEndian(_ value: UInt32) -> [UInt8] {
        [
            UInt8(value >> 24), UInt8((value >> 16) & 0xFF), UInt8((value >> 8) & 0xFF),
            UInt8(value & 0xFF),
        ]
    }

    static func bytes(_ hex: String) -> [UInt8] {
        let digits = Array(hex.utf8)
        return stride(from: 0, to: digits.count, by: 2).map { i in
            UInt8(String(decoding: digits[i..<i + 2], as: UTF8.self), radix: 16)!
        }
    }

    /// Runs `body` on a buffer holding `packet` followed by `spare` octets of 0xEE, and returns
    /// the whole buffer afterwards with the result (so a failure's effect on every octet,
    /// spare room included, can be checked).
    static func inBuffer<R>(
        _ packet: [UInt8], spare: Int,
        _ body: (UnsafeMutableRawBufferPointer) throws(SRTPError) -> R
    ) -> (buffer: [UInt8], result: Result<R, SRTPError>) {
        var buffer = packet + Array(repeating: 0xEE, count: spare)
        let result = buffer.withUnsafeMutableBytes { raw in
            Result { () throws(SRTPError) -> R in try body(raw) }
        }
        return (buffer, result)
    }

    /// Expects `body` to throw `SRTPError.unsupported`.
    static func expectUnsupported(
        sourceLocation: SourceLocation = #_sourceLocation, _ body: () throws -> Void
    ) {
        let error = #expect(throws: SRTPError.self, sourceLocation: sourceLocation) {
            try body()
        }
        if let error, case .unsupported = error { return }
        Issue.record(
            "expected .unsupported, got \(String(describing: error))",
            sourceLocation: sourceLocation)
    }
}
