extension SyntheticFrame {
    /// Verifies a received payload end to end: recomputes the frame its prefix names and compares
    /// every octet. `ssrc` is the packet's SSRC and `payloadType` the sender's PT (after a Media
    /// Distributor: the original one, `DoubleSRTPReceived.originalPayloadType`). Returns the frame.
    public static func verify(
        _ payload: ArraySlice<UInt8>, ssrc: UInt32, payloadType: UInt8
    ) throws(FrameMismatch) -> SyntheticFrame {
        guard payload.count >= prefixLength else { throw .truncated(length: payload.count) }
        let start = payload.startIndex
        guard payload[start..<(start + magic.count)].elementsEqual(magic) else {
            throw .badMagic
        }
        let payloadSSRC: UInt32 = MediaWire.read(payload, at: start + 4)
        guard payloadSSRC == ssrc else { throw .ssrcMismatch(packet: ssrc, payload: payloadSSRC) }
        let frame = SyntheticFrame(ssrc: ssrc, frameNumber: MediaWire.read(payload, at: start + 8))
        guard payloadType == frame.kind.payloadType else {
            throw .payloadTypeMismatch(expected: frame.kind.payloadType, actual: payloadType)
        }
        let expected = frame.payload
        guard payload.count == expected.count else {
            throw .lengthMismatch(expected: expected.count, actual: payload.count)
        }
        if let index = payload.indices.first(where: { payload[$0] != expected[$0 - start] }) {
            throw .contentMismatch(offset: index - start)
        }
        return frame
    }
}

/// Why a payload is not the synthetic frame it claims to be.
public enum FrameMismatch: Error, Sendable, Equatable, CustomStringConvertible {
    /// Shorter than the 18-octet prefix.
    case truncated(length: Int)
    /// Does not start with "PERC".
    case badMagic
    /// The SSRC in the payload is not the packet's: a frame spliced onto another stream.
    case ssrcMismatch(packet: UInt32, payload: UInt32)
    /// The sender's PT is not the one of the frame's kind.
    case payloadTypeMismatch(expected: UInt8, actual: UInt8)
    /// The payload length is not the one of the frame's kind.
    case lengthMismatch(expected: Int, actual: Int)
    /// The first octet (offset in the payload) that differs from the recomputed frame.
    case contentMismatch(offset: Int)

    public var description: String {
        switch self {
        case .truncated(let length): "payload of \(length) octets is shorter than the frame prefix"
        case .badMagic: "payload does not start with the \"PERC\" magic"
        case .ssrcMismatch(let packet, let payload):
            "payload of SSRC \(payload) arrived on SSRC \(packet)"
        case .payloadTypeMismatch(let expected, let actual):
            "payload type \(actual), the frame's kind is sent with \(expected)"
        case .lengthMismatch(let expected, let actual):
            "payload of \(actual) octets, the frame has \(expected)"
        case .contentMismatch(let offset): "payload differs from the frame at octet \(offset)"
        }
    }
}
