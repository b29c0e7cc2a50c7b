import Testing

@_spi(Conformance) @testable import PERC

/// Helpers shared by the OpenSSL engine tests.
enum TestBytes {
    /// Octets from a hex string; spaces are ignored.
    static func hex(_ string: String) -> [UInt8] {
        let digits = Array(string.filter { !$0.isWhitespace }.utf8)
        precondition(digits.count % 2 == 0, "odd hex length")
        func nibble(_ c: UInt8) -> UInt8 {
            switch c {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): c - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): c - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): c - UInt8(ascii: "A") + 10
            default: preconditionFailure("not hex")
            }
        }
        return stride(from: 0, to: digits.count, by: 2).map {
            nibble(digits[$0]) << 4 | nibble(digits[$0 + 1])
        }
    }
}

extension Array where Element == UInt8 {
    var hex: String {
        map {
            String($0, radix: 16).count == 1 ? "0" + String($0, radix: 16) : String($0, radix: 16)
        }.joined()
    }
}

/// A session on the OpenSSL engine keyed from a master key imported into a fresh store. The store
/// is returned too: the session is wiped when it goes away.
struct TestSession {
    let store: KeyStore
    let handle: KeyHandle
    let session: SRTPSession

    init(
        _ profile: SRTPProfile, key: [UInt8]? = nil, salt: [UInt8]? = nil,
        encryptRTP: Bool = true, encryptRTCP: Bool = true, mki: [UInt8]? = nil,
        replayWindow: Int = 1024
    ) throws {
        store = KeyStore()
        let key = key ?? (0..<profile.masterKeyLength).map { UInt8(0x10 + $0) }
        let salt =
            salt
            ?? (0..<profile.masterSaltLength).map {
                UInt8(0x10 + profile.masterKeyLength + $0)
            }
        handle = try store.importSRTPMasterKey(key, salt: salt, for: profile)
        session = try SRTPSession(
            key: handle, in: store,
            configuration: .init(
                profile: profile, replayWindow: replayWindow, encryptRTP: encryptRTP,
                encryptRTCP: encryptRTCP, mki: mki))
    }
}

/// Sample packets.
enum TestPackets {
    /// RTP: V=2, PT 15, SEQ 0x1234, TS 0xdecafbad, SSRC 0xcafebabe, 23-octet payload.
    static let rtp =
        TestBytes.hex("800f1234decafbadcafebabe") + Array("PERC payload 0123456789".utf8)
    /// RTCP SR header with SSRC 0xcafebabe and 20 octets of body.
    static let rtcp = TestBytes.hex("81c80006cafebabe") + (0..<20).map { UInt8($0) }

    /// `rtp` with another sequence number.
    static func rtp(sequence: UInt16, ssrc: UInt32 = 0xcafe_babe) -> [UInt8] {
        var packet = rtp
        packet[2] = UInt8(sequence >> 8)
        packet[3] = UInt8(truncatingIfNeeded: sequence)
        for i in 0..<4 { packet[8 + i] = UInt8(truncatingIfNeeded: ssrc >> (24 - 8 * i)) }
        return packet
    }
}
