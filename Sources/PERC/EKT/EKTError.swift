/// Errors from EKT (RFC 8870): EKT field and DTLS message codecs, key wrap, and EKT keys in the
/// store. Cases are stable so callers can match on them; none carries key bytes.
public enum EKTError: Error, Sendable, Equatable, CustomStringConvertible {
    /// Why an EKT field or DTLS EKT message could not be parsed.
    public enum MalformedReason: Sendable, Equatable {
        /// Shorter than the fixed part it must carry, or a vector runs past the end.
        case truncated
        /// A FullEKTField's EKTMsgLength is below the smallest field (7 octets of trailer plus a
        /// 16-octet AES key wrap output).
        case lengthTooSmall
        /// A FullEKTField's EKTMsgLength is larger than the packet.
        case lengthPastEnd
        /// The EKTCiphertext is not a whole AES key wrap output (a multiple of 8 octets, 16 to
        /// 248 octets; RFC 5649 §4.1, RFC 8870 §4.1).
        case ciphertextLength
        /// The unwrapped EKTPlaintext is not `keylen ‖ key ‖ SSRC ‖ ROC` with 1 ≤ keylen.
        case plaintextLength
        /// A DTLS vector length outside its `<floor..ceiling>` bounds.
        case vectorLength
        /// Octets left over after a DTLS structure.
        case trailingData
        /// A DTLS `EKTKey` message with `ekt_ttl` 0: the key could never be used (RFC 8870 §6
        /// requires a limited lifetime; the meaning of 0 is unspecified, see spec/ekt.md §10).
        case zeroTTL
    }

    /// The EKT field or DTLS message cannot be parsed; nothing was changed.
    case malformed(MalformedReason)
    /// The EKT tag's message type is not Full (2) or Short (0). RFC 8870 §4.1: the receiver MUST
    /// discard the whole EKT tag. `tagLength` is the tag's length when its type carries one
    /// (extension types 3–254, RFC 8870 §4.1, §7.1) and it fits the packet, so the caller can strip
    /// it; nil for type 1 and 255, which define no length.
    case unknownMessageType(UInt8, tagLength: Int?)
    /// No EKT key with this SPI is known (RFC 8870 §4.3.2 step 2: report an authentication
    /// failure and stop EKT processing).
    case unknownSPI(UInt16)
    /// The AES key wrap integrity check failed: wrong EKT key or an altered EKTCiphertext
    /// (RFC 8870 §4.3.2 step 3; RFC 5649 §3).
    case authenticationFailed
    /// The SRTP master key in the field has the wrong length for the receiving SRTP transform
    /// (RFC 8870 §4.3.2 step 6).
    case masterKeyLengthMismatch(expected: Int, actual: Int)
    /// The SSRC inside the field differs from the packet's SSRC (RFC 8870 §4.3.2 step 5: discard
    /// the field; the packet may still be processed).
    case ssrcMismatch(packet: UInt32, field: UInt32)
    /// A live EKT key of the same scope already has this SPI (RFC 8870 §4.2: each parameter set
    /// has a distinct SPI).
    case duplicateSPI(UInt16)
    /// A DTLS peer selected an EKT cipher that is reserved, unknown or was not offered.
    case unsupportedCipher(UInt8)
    /// An argument outside what EKT allows.
    case invalidArgument(String)
    /// The key store refused: unknown, revoked or expired key, wrong usage or length.
    case keyStore(KeyStoreError)
    /// A failure reported by the underlying library, with its status code.
    case underlying(library: String, code: Int32)

    public var description: String {
        switch self {
        case .malformed(let reason): "malformed EKT data (\(reason))"
        case .unknownMessageType(let type, let length):
            "unknown EKT message type \(type)" + (length.map { ", \($0)-octet tag" } ?? "")
        case .unknownSPI(let spi): "unknown EKT SPI \(spi)"
        case .authenticationFailed: "EKT authentication failed"
        case .masterKeyLengthMismatch(let expected, let actual):
            "EKT master key length \(actual), expected \(expected)"
        case .ssrcMismatch(let packet, let field):
            "EKT SSRC \(field) does not match packet SSRC \(packet)"
        case .duplicateSPI(let spi): "EKT SPI \(spi) already in use"
        case .unsupportedCipher(let value): "unsupported EKT cipher \(value)"
        case .invalidArgument(let what): "invalid argument: \(what)"
        case .keyStore(let error): "key store: \(error)"
        case .underlying(let library, let code): "\(library) error \(code)"
        }
    }
}
