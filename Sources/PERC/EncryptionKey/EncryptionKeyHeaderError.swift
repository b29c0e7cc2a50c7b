/// Errors from reading or writing an `Encryption-Key` header. No case carries header text: the
/// header holds key bytes, so errors name only well-known parameters and byte offsets.
public enum EncryptionKeyHeaderError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What the grammar expected and did not find.
    public enum SyntaxError: Sendable, Equatable {
        /// No key description at all.
        case empty
        /// A parameter name (an RFC 7230 token) was expected.
        case expectedToken
        /// `=` must follow a parameter name directly.
        case expectedEquals
        /// A token or quoted-string value was expected after `=`.
        case expectedValue
        /// A quoted-string has no closing `"`.
        case unterminatedQuotedString
        /// A character not allowed here (a control character in a quoted-string, a bad escape).
        case invalidCharacter
        /// `;` or `,` was expected between parameters.
        case expectedSeparator
    }

    /// The parameters this library reads (draft-thomson-http-encryption-01 §4 plus our EKT ones).
    public enum Parameter: String, Sendable, CaseIterable, CustomStringConvertible {
        case keyid, key, usage, spi, salt, cipher, ttl
        public var description: String { rawValue }
    }

    /// The value does not follow the header grammar; `offset` is the octet where it failed.
    case syntax(SyntaxError, offset: Int)
    /// A parameter this library does not know, at `offset` (its name is not echoed).
    case unknownParameter(offset: Int)
    /// A parameter appears twice in one key description.
    case duplicateParameter(Parameter)
    /// A required parameter is absent.
    case missingParameter(Parameter)
    /// A value that does not parse: bad base64url, number out of range, unknown cipher name,
    /// an empty keyid (or, on export, one that is not printable ASCII).
    case invalidValue(Parameter)
    /// `usage` is present but not `EKT`.
    case usageNotEKT
    /// The decoded key fits no EKT cipher, or not the one `cipher` names.
    case invalidKeyLength(Int)
    /// The value holds more than one key description; import them one per header value.
    case multipleKeyDescriptions
    /// The key store refused the key (duplicate SPI, closed store; on export: expired, revoked,
    /// wrong usage).
    case ekt(EKTError)

    public var description: String {
        switch self {
        case .syntax(let error, let offset): "Encryption-Key syntax error (\(error)) at \(offset)"
        case .unknownParameter(let offset): "Encryption-Key unknown parameter at \(offset)"
        case .duplicateParameter(let name): "Encryption-Key duplicate parameter \(name)"
        case .missingParameter(let name): "Encryption-Key missing parameter \(name)"
        case .invalidValue(let name): "Encryption-Key invalid \(name) value"
        case .usageNotEKT: "Encryption-Key usage is not EKT"
        case .invalidKeyLength(let count):
            "Encryption-Key key of \(count) octets fits no EKT cipher"
        case .multipleKeyDescriptions: "Encryption-Key holds more than one key description"
        case .ekt(let error): "Encryption-Key: \(error)"
        }
    }
}
