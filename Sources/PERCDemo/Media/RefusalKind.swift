import PERC

/// Why a receiver refused a packet, in the few buckets the demo reports (`PERCError` cases
/// grouped by what they tell about the path).
public enum RefusalKind: String, Sendable, Hashable, CaseIterable, CustomStringConvertible {
    /// A tag did not verify: the inner one (a distributor altered or forged media, RFC 8723 §5.3
    /// step 5), the outer one (not from our distributor), or the EKT field's unwrap.
    case authentication
    /// No usable key: an EKT SPI this endpoint does not hold (another conference, or a rekey it
    /// was left out of), no end-to-end key yet for the SSRC, a stale or retired key.
    case unknownKey = "unknown key"
    /// An index already received or behind the replay window, in either layer.
    case replay
    /// The packet, its OHB or its EKT field cannot be parsed.
    case malformed
    /// Both layers verified but the payload is not the frame it claims to be (`FrameMismatch`).
    case frameMismatch = "frame mismatch"
    /// Anything else (buffer, index exhaustion, library errors).
    case other

    public init(_ error: PERCError) {
        switch error {
        case .doubleSRTP(let error): self.init(error)
        case .ekt(let error): self.init(error)
        case .noKey, .staleKey, .keyStore: self = .unknownKey
        }
    }

    private init(_ error: DoubleSRTPError) {
        switch error {
        case .authenticationFailed: self = .authentication
        case .replayed, .tooOld: self = .replay
        case .malformed, .invalidOriginalHeaderBlock: self = .malformed
        case .unknownSSRC, .keyRevoked, .keyExpired: self = .unknownKey
        case .ektField(let error): self.init(error)
        case .indexExhausted, .unknownLeg, .bufferTooSmall, .invalidArgument, .underlying:
            self = .other
        }
    }

    private init(_ error: EKTError) {
        switch error {
        case .authenticationFailed, .ssrcMismatch: self = .authentication
        case .unknownSPI, .keyStore, .masterKeyLengthMismatch: self = .unknownKey
        case .malformed, .unknownMessageType, .unsupportedCipher: self = .malformed
        case .duplicateSPI, .invalidArgument, .underlying: self = .other
        }
    }

    public var description: String { rawValue }
}
