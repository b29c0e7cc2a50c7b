/// Errors from the key store. None of them carries key bytes.
public enum KeyStoreError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The key is bound to another usage.
    case keyUsageNotPermitted(expected: KeyUsage, actual: KeyUsage)
    /// The key was revoked, its conference ended, or the store was torn down.
    case keyRevoked
    /// The key passed its expiry.
    case keyExpired
    /// The handle does not belong to this store.
    case unknownKey
    /// The key or salt has the wrong length for what it is used with.
    case invalidKeyLength(expected: Int, actual: Int)
    /// OpenSSL's DRBG failed to produce random bytes.
    case randomGenerationFailed
    /// Guarded memory could not be mapped or protected.
    case memoryUnavailable(String)

    public var description: String {
        switch self {
        case .keyUsageNotPermitted(let expected, let actual):
            "key usage not permitted: key is for \(actual), needed \(expected)"
        case .keyRevoked: "key revoked"
        case .keyExpired: "key expired"
        case .unknownKey: "unknown key"
        case .invalidKeyLength(let expected, let actual):
            "invalid key length: expected \(expected) octets, got \(actual)"
        case .randomGenerationFailed: "random generation failed"
        case .memoryUnavailable(let why): "guarded memory unavailable: \(why)"
        }
    }
}
