/// Errors from SRTP and SRTCP processing. Cases are stable so callers can match on them.
public enum SRTPError: Error, Sendable, Equatable, CustomStringConvertible {
    /// Why a packet could not be parsed.
    public enum MalformedReason: Sendable, Equatable {
        /// Shorter than the header, tag, MKI or SRTCP trailer it must carry.
        case truncated
        /// The RTP/RTCP version field is not 2.
        case badVersion
        /// The CSRC count points past the end of the packet.
        case csrcPastEnd
        /// The header extension length points past the end of the packet.
        case extensionPastEnd
        /// The padding count is zero or larger than the payload.
        case badPadding
        /// The MKI on the wire does not match the session's MKI.
        case unknownMKI
    }

    /// The packet cannot be parsed; nothing was changed.
    case malformed(MalformedReason)
    /// The authentication tag did not verify; nothing was changed.
    case authenticationFailed
    /// The packet index was already received (RFC 3711 §3.3.2).
    case replayed
    /// The packet index is behind the replay window (RFC 3711 §3.3.2).
    case tooOld
    /// Sending would exhaust the 2^48 SRTP or 2^31 SRTCP index and reuse keystream (RFC 3711 §9.2).
    case indexExhausted
    /// The output buffer cannot hold the protected packet.
    case bufferTooSmall(needed: Int)
    /// The session's key was revoked or its conference ended; the session is wiped.
    case keyRevoked
    /// The session's key passed its expiry; the session is wiped.
    case keyExpired
    /// The engine cannot express this profile, mode or parameter.
    case unsupported(String)
    /// An invalid configuration or argument.
    case invalidArgument(String)
    /// A failure reported by the underlying library, with its status code.
    case underlying(library: String, code: Int32)

    public var description: String {
        switch self {
        case .malformed(let reason): "malformed packet (\(reason))"
        case .authenticationFailed: "authentication failed"
        case .replayed: "replayed packet"
        case .tooOld: "packet too old for the replay window"
        case .indexExhausted: "packet index exhausted; rekey required"
        case .bufferTooSmall(let needed): "buffer too small; \(needed) octets needed"
        case .keyRevoked: "key revoked"
        case .keyExpired: "key expired"
        case .unsupported(let what): "unsupported: \(what)"
        case .invalidArgument(let what): "invalid argument: \(what)"
        case .underlying(let library, let code): "\(library) error \(code)"
        }
    }
}
