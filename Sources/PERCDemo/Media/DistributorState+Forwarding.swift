import NIOCore
import PERC

/// Forwarding (RFC 8723 §5.2): open once with the sender's ingress key, then per receiver a copy
/// with its SEQ and PT, sealed with the receiver's egress key.
extension DistributorState {
    /// Room a copy needs beyond the opened packet: the outer tag and OHB growth.
    private static let sealingRoom = 16 + MediaDistributor.maxGrowth

    /// Handles one datagram from `address` and returns the copies to send.
    mutating func receive(_ datagram: [UInt8], from address: SocketAddress) -> [OutboundDatagram] {
        counters.datagramsIn += 1
        guard let sender = senders[address], let ingress = participants[sender]?.ingress else {
            counters.unknownSource += 1
            return []
        }
        var buffer = datagram + repeatElement(0, count: Self.sealingRoom)
        let distributor = distributor
        let outcome = buffer.withUnsafeMutableBytes { buffer in
            Result { () throws(DoubleSRTPError) in
                try distributor.open(buffer, length: datagram.count, from: ingress.leg)
            }
        }
        let opened: MediaDistributor.OpenedPacket
        switch outcome {
        case .success(let packet): opened = packet
        case .failure(.authenticationFailed(.outer)):
            counters.refusedByOuterAuth += 1
            return []
        case .failure:
            counters.refusedOther += 1
            return []
        }
        let packet = Array(buffer[..<opened.length])
        // What the distributor can see: header, inner ciphertext and tag, OHB, EKT field.
        if SyntheticFrame.containsMarker(packet[...], ssrc: opened.ssrc) {
            counters.plaintextSeen += 1
        }
        guard !holding else {
            hold(HeldPacket(sender: sender, packet: packet, opened: opened))
            return []
        }
        return fanOut(packet, opened, from: sender)
    }

    /// Forwards every held packet in order and stops holding.
    mutating func release() -> [OutboundDatagram] {
        holding = false
        let packets = held
        held = []
        counters.held = 0
        return packets.flatMap { fanOut($0.packet, $0.opened, from: $0.sender) }
    }

    private mutating func hold(_ packet: HeldPacket) {
        guard held.count < Self.maxHeld else {
            counters.dropped += 1
            return
        }
        held.append(packet)
        counters.held = held.count
    }

    /// A copy of `packet` for every participant but its sender, in id order.
    private mutating func fanOut(
        _ packet: [UInt8], _ opened: MediaDistributor.OpenedPacket, from sender: String
    ) -> [OutboundDatagram] {
        guard !droppedSenders.contains(sender) else {
            counters.dropped += 1
            return []
        }
        return participants.keys.sorted().filter { $0 != sender }.compactMap { receiver in
            forward(packet, opened, to: receiver)
        }
    }

    /// Seals one copy for `receiver` at its next SEQ for the sender's SSRC, with the PT rewritten;
    /// the SEQ advances only if the copy goes out.
    private mutating func forward(
        _ packet: [UInt8], _ opened: MediaDistributor.OpenedPacket, to receiver: String
    ) -> OutboundDatagram? {
        guard let participant = participants[receiver] else { return nil }
        let sequence = participant.nextSequence[opened.ssrc] ?? .random(in: .min ... .max)
        let rewrite = MediaDistributor.HeaderRewrite(
            payloadType: payloadTypeMap[opened.payloadType], sequenceNumber: sequence)
        var copy = packet + repeatElement(0, count: Self.sealingRoom)
        if takeTamper(toward: receiver), let offset = RTPHeaderLayout.headerLength(of: packet[...])
        {
            // The first octet of the inner ciphertext, which only the inner tag covers.
            copy[offset] ^= 0x01
            counters.tampered += 1
        }
        let distributor = distributor
        let outcome = copy.withUnsafeMutableBytes { buffer in
            Result { () throws(DoubleSRTPError) in
                try distributor.forward(
                    buffer, length: opened.length, to: participant.egress, rewrite: rewrite)
            }
        }
        guard case .success(let length) = outcome else {
            counters.forwardFailures += 1
            return nil
        }
        participants[receiver]?.nextSequence[opened.ssrc] = sequence &+ 1
        counters.forwarded += 1
        return OutboundDatagram(address: participant.address, bytes: Array(copy[..<length]))
    }

    /// Whether to alter the next copy toward `receiver`, counting the order down.
    private mutating func takeTamper(toward receiver: String) -> Bool {
        guard var order = tamper, order.toward == nil || order.toward == receiver else {
            return false
        }
        order.remaining -= 1
        tamper = order.remaining > 0 ? order : nil
        return true
    }
}
