/// An SRTP protection profile: the cipher, the authentication and the key sizes of one SRTP context.
///
/// Raw values are the names used by IANA, RFC 3711, RFC 6188, RFC 7714 and RFC 8723, and by the
/// conformance vectors.
public enum SRTPProfile: String, CaseIterable, Sendable, CustomStringConvertible {
    case aesCM128HMACSHA1_80 = "AES_CM_128_HMAC_SHA1_80"
    case aesCM128HMACSHA1_32 = "AES_CM_128_HMAC_SHA1_32"
    case aesCM192HMACSHA1_80 = "AES_CM_192_HMAC_SHA1_80"
    case aesCM256HMACSHA1_80 = "AES_CM_256_HMAC_SHA1_80"
    case aesCM256HMACSHA1_32 = "AES_CM_256_HMAC_SHA1_32"
    case nullHMACSHA1_80 = "NULL_HMAC_SHA1_80"
    case nullHMACSHA1_32 = "NULL_HMAC_SHA1_32"
    case aeadAES128GCM = "AEAD_AES_128_GCM"
    case aeadAES256GCM = "AEAD_AES_256_GCM"

    public var description: String { rawValue }

    /// The cipher that protects the payload.
    public enum Cipher: Sendable {
        /// AES in counter mode (RFC 3711 §4.1.1, RFC 6188 §2).
        case aesCounter
        /// No encryption (RFC 3711 §4.1.3).
        case null
        /// AES-GCM (RFC 7714).
        case aesGCM
    }

    public var cipher: Cipher {
        switch self {
        case .aesCM128HMACSHA1_80, .aesCM128HMACSHA1_32, .aesCM192HMACSHA1_80,
            .aesCM256HMACSHA1_80, .aesCM256HMACSHA1_32:
            .aesCounter
        case .nullHMACSHA1_80, .nullHMACSHA1_32: .null
        case .aeadAES128GCM, .aeadAES256GCM: .aesGCM
        }
    }

    public var isAEAD: Bool { cipher == .aesGCM }

    /// Master key length in octets. For NULL profiles the master key still keys the KDF (128 bits).
    public var masterKeyLength: Int {
        switch self {
        case .aesCM128HMACSHA1_80, .aesCM128HMACSHA1_32, .nullHMACSHA1_80, .nullHMACSHA1_32,
            .aeadAES128GCM:
            16
        case .aesCM192HMACSHA1_80: 24
        case .aesCM256HMACSHA1_80, .aesCM256HMACSHA1_32, .aeadAES256GCM: 32
        }
    }

    /// Master salt length in octets: 112 bits for AES-CM/NULL (RFC 3711 §8.2), 96 for GCM (RFC 7714 §12).
    public var masterSaltLength: Int { isAEAD ? 12 : 14 }

    /// Session encryption key length (n_e) in octets; equal to the master key length.
    public var sessionKeyLength: Int { masterKeyLength }

    /// Session salt length (n_s) in octets.
    public var sessionSaltLength: Int { masterSaltLength }

    /// Session authentication key length (n_a) in octets: 160 bits for HMAC-SHA1, none for AEAD.
    public var sessionAuthKeyLength: Int { isAEAD ? 0 : 20 }

    /// Length of the SRTP authentication tag in octets.
    public var rtpTagLength: Int {
        switch self {
        case .aesCM128HMACSHA1_32, .aesCM256HMACSHA1_32, .nullHMACSHA1_32: 4
        case .aesCM128HMACSHA1_80, .aesCM192HMACSHA1_80, .aesCM256HMACSHA1_80, .nullHMACSHA1_80: 10
        case .aeadAES128GCM, .aeadAES256GCM: 16
        }
    }

    /// Length of the SRTCP authentication tag in octets. The _32 suites shorten only the SRTP tag;
    /// SRTCP keeps 80 bits (RFC 3711 §5.2, RFC 6188 Tables 2 and 4).
    public var rtcpTagLength: Int { isAEAD ? 16 : 10 }

    /// The AES key size of the key derivation PRF in octets (RFC 3711 §4.3.3, RFC 6188 §3).
    var prfKeyLength: Int { masterKeyLength }
}
