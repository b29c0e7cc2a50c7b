/// A synthetic media frame of the demo: an RTP packet (RFC 3550 §5.1) whose payload every
/// receiver can recompute, so each frame is verified end to end, octet for octet.
///
/// ```
///  payload: | "PERC" (4) | SSRC (4) | frame number (8) | payload length (2) | filler ... |
///  filler:  SplitMix64 stream seeded from (SSRC, frame number), big-endian 64-bit words
/// ```
/// Frames alternate: even frame numbers are audio-sized (160 octets, PT 111), odd ones
/// video-sized (1000 octets, PT 96, marker set: each video frame fits one packet).
public struct SyntheticFrame: Sendable, Equatable {
    /// The two frame sizes of the demo, with the dynamic payload types they are sent with
    /// (RFC 3551 §6: 96–127 are dynamic).
    public enum Kind: Sendable, Equatable, CustomStringConvertible {
        /// An audio-sized frame: 160 octets (20 ms of G.711), PT 111.
        case audio
        /// A video-sized frame: 1000 octets, PT 96.
        case video

        /// The kind of frame `frameNumber`: audio and video alternate.
        public init(frameNumber: UInt64) {
            self = frameNumber.isMultiple(of: 2) ? .audio : .video
        }

        public var payloadType: UInt8 {
            switch self {
            case .audio: 111
            case .video: 96
            }
        }

        public var payloadLength: Int {
            switch self {
            case .audio: 160
            case .video: 1000
            }
        }

        public var description: String {
            switch self {
            case .audio: "audio"
            case .video: "video"
            }
        }
    }

    /// The four octets every synthetic payload starts with.
    public static let magic: [UInt8] = Array("PERC".utf8)
    /// Magic, SSRC, frame number and payload length: what precedes the filler.
    static let prefixLength = 18
    /// RTP timestamp advance per frame (20 ms at 48 kHz).
    public static let timestampStep: UInt32 = 960

    public let ssrc: UInt32
    public let frameNumber: UInt64

    public init(ssrc: UInt32, frameNumber: UInt64) {
        self.ssrc = ssrc
        self.frameNumber = frameNumber
    }

    public var kind: Kind { Kind(frameNumber: frameNumber) }

    /// The payload, recomputed the same way by sender and receiver.
    public var payload: [UInt8] {
        let length = kind.payloadLength
        var payload = Self.magic
        payload.reserveCapacity(length + 7)
        MediaWire.append(ssrc, to: &payload)
        MediaWire.append(frameNumber, to: &payload)
        MediaWire.append(UInt16(length), to: &payload)
        var filler = SplitMix64(seed: UInt64(ssrc) << 32 ^ frameNumber)
        while payload.count < length { MediaWire.append(filler.next(), to: &payload) }
        payload.removeLast(payload.count - length)
        return payload
    }

    /// The RTP packet carrying this frame (RFC 3550 §5.1): V = 2, no padding, extension or
    /// CSRC, M set on video frames, the kind's PT. `extraCapacity` reserves room for what
    /// protection appends.
    public func rtpPacket(sequenceNumber: UInt16, timestamp: UInt32, extraCapacity: Int = 0)
        -> [UInt8]
    {
        let payload = payload
        var packet: [UInt8] = [0x80, (kind == .video ? 0x80 : 0) | kind.payloadType]
        packet.reserveCapacity(RTPHeaderLayout.fixedLength + payload.count + extraCapacity)
        MediaWire.append(sequenceNumber, to: &packet)
        MediaWire.append(timestamp, to: &packet)
        MediaWire.append(ssrc, to: &packet)
        packet += payload
        return packet
    }

    /// The octets that open every payload of `ssrc`: magic ‖ SSRC. A Media Distributor that can
    /// read media would see them; the demo counts that it never does.
    public static func marker(ssrc: UInt32) -> [UInt8] {
        var marker = magic
        MediaWire.append(ssrc, to: &marker)
        return marker
    }

    /// Whether `marker(ssrc:)` appears anywhere in `bytes`.
    public static func containsMarker(_ bytes: ArraySlice<UInt8>, ssrc: UInt32) -> Bool {
        let marker = marker(ssrc: ssrc)
        guard bytes.count >= marker.count else { return false }
        return (bytes.startIndex...(bytes.endIndex - marker.count)).contains { start in
            bytes[start..<(start + marker.count)].elementsEqual(marker)
        }
    }
}

extension SyntheticFrame {
    /// SplitMix64 (Steele, Lea, Flood 2014): a tiny deterministic generator for the filler. Not a
    /// secret, not for keys.
    struct SplitMix64: RandomNumberGenerator {
        private var state: UInt64

        init(seed: UInt64) {
            state = seed
        }

        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
    }
}
