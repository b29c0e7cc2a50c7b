import Testing

@testable import PERC

/// A PERC conference in one process for the double SRTP tests: sending endpoints, Media
/// Distributors and receiving endpoints, all keyed from one store that outlives them.
final class DoubleConference {
    let profile: DoubleSRTPProfile
    let store = KeyStore()

    init(_ profile: DoubleSRTPProfile) {
        self.profile = profile
    }

    /// A sending endpoint: its end-to-end key, its hop key to its distributor, the sender.
    struct Endpoint {
        let endToEnd: KeyHandle
        let hop: HopKeyHandle
        let sender: DoubleSRTPSender
    }

    func endpoint(replayWindow: Int = 1024) throws -> Endpoint {
        let endToEnd = try store.generateEndToEndKey(for: profile)
        let hop = try store.generateHopKey(for: profile)
        let sender = try DoubleSRTPSender(
            profile: profile, endToEndKey: endToEnd, hopKey: hop, in: store,
            replayWindow: replayWindow)
        return Endpoint(endToEnd: endToEnd, hop: hop, sender: sender)
    }

    /// A receiving endpoint behind a distributor egress, knowing the end-to-end keys of `senders`
    /// (SSRC → key).
    func receiver(hop: HopKeyHandle, senders: [UInt32: KeyHandle]) throws -> DoubleSRTPReceiver {
        let receiver = try DoubleSRTPReceiver(profile: profile, hopKey: hop, in: store)
        for (ssrc, key) in senders { try receiver.setEndToEndKey(key, in: store, ssrc: ssrc) }
        return receiver
    }

    func distributor(ektInUse: Bool = false) throws -> MediaDistributor {
        try MediaDistributor(profile: profile, ektInUse: ektInUse)
    }

    func hopKey() throws -> HopKeyHandle { try store.generateHopKey(for: profile) }
}

/// Plaintext RTP packets with every header feature double SRTP treats specially.
enum DoublePackets {
    /// An RTP packet: CSRCs, an RFC 8285 one-byte extension block and RTP padding as asked.
    static func rtp(
        sequence: UInt16, ssrc: UInt32, payloadType: UInt8 = 96, marker: Bool = false,
        csrcs: [UInt32] = [], extensionWords: [UInt32]? = nil, payload: [UInt8],
        padding: Int = 0
    ) -> [UInt8] {
        var packet = RTPPacketBuilder.rtp(
            sequence: sequence, ssrc: ssrc, payloadType: payloadType, marker: marker, csrcs: csrcs,
            extensionWords: extensionWords, payload: payload)
        if padding > 0 {
            packet[0] |= 0x20
            packet += [UInt8](repeating: 0, count: padding - 1) + [UInt8(padding)]
        }
        return packet
    }

    /// A random packet of the kinds above, from `rng`.
    static func random(
        sequence: UInt16, ssrc: UInt32, using rng: inout SeededGenerator, maxPayload: Int = 300
    ) -> [UInt8] {
        let csrcs = (0..<Int.random(in: 0...3, using: &rng)).map { _ in
            UInt32.random(in: 1...UInt32.max, using: &rng)
        }
        let extensionWords: [UInt32]? =
            Bool.random(using: &rng)
            ? (0..<Int.random(in: 1...3, using: &rng)).map { _ in
                UInt32.random(in: 0...UInt32.max, using: &rng)
            } : nil
        return rtp(
            sequence: sequence, ssrc: ssrc, payloadType: UInt8.random(in: 0...127, using: &rng),
            marker: Bool.random(using: &rng), csrcs: csrcs, extensionWords: extensionWords,
            payload: rng.bytes(Int.random(in: 0...maxPayload, using: &rng)),
            padding: Bool.random(using: &rng) ? Int.random(in: 1...16, using: &rng) : 0)
    }

    /// The length of the RTP header (fixed part, CSRCs, extension block) of `packet`.
    static func headerLength(_ packet: [UInt8]) -> Int {
        var length = 12 + 4 * Int(packet[0] & 0x0F)
        if packet[0] & 0x10 != 0 {
            length += 4 + 4 * (Int(packet[length + 2]) << 8 | Int(packet[length + 3]))
        }
        return length
    }

    static func sequence(_ packet: [UInt8]) -> UInt16 { UInt16(packet[2]) << 8 | UInt16(packet[3]) }
    static func payloadType(_ packet: [UInt8]) -> UInt8 { packet[1] & 0x7F }
    static func marker(_ packet: [UInt8]) -> Bool { packet[1] & 0x80 != 0 }
}

extension MediaDistributor {
    /// `open` on an array: the opened packet replaces the double packet.
    func open(_ packet: inout [UInt8], from ingress: Ingress) throws -> OpenedPacket {
        let length = packet.count
        let opened = try packet.withUnsafeMutableBytes {
            try open($0, length: length, from: ingress)
        }
        packet.removeLast(length - opened.length)
        return opened
    }

    /// `forward` on an array (an opened packet).
    func forward(_ packet: inout [UInt8], to egress: Egress, rewrite: HeaderRewrite = .none) throws
    {
        let length = packet.count
        packet += [UInt8](repeating: 0, count: DoubleSRTPProfile.tagLength + Self.maxGrowth)
        do {
            let newLength = try packet.withUnsafeMutableBytes {
                try forward($0, length: length, to: egress, rewrite: rewrite)
            }
            packet.removeLast(packet.count - newLength)
        } catch {
            packet.removeLast(packet.count - length)
            throw error
        }
    }
}
