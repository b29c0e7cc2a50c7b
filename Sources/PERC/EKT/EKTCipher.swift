/// An EKT cipher: the algorithm that wraps SRTP master keys under an EKT key (RFC 8870 §4.4).
///
/// Both ciphers are AES Key Wrap with Padding (RFC 5649), not plain RFC 3394; the EKT key's size
/// selects AES-128 or AES-256 (RFC 8870 §4.4.1). Raw values are the names the conformance vectors
/// and the `Encryption-Key` header use.
public enum EKTCipher: String, CaseIterable, Sendable, CustomStringConvertible {
    /// AESKW128: 16-octet EKT key. Every implementation MUST support it (RFC 8870 §4.4.1).
    case aeskw128 = "AESKW_128"
    /// AESKW256: 32-octet EKT key (RFC 8870 §4.4.1).
    case aeskw256 = "AESKW_256"

    public var description: String { rawValue }

    /// L, the EKT key length in octets (RFC 8870 §4.4.1).
    public var keyLength: Int {
        switch self {
        case .aeskw128: 16
        case .aeskw256: 32
        }
    }

    /// The `EKTCipherType` value on the wire in the DTLS `supported_ekt_ciphers` extension:
    /// `aeskw_128(1)`, `aeskw_256(2)`; 0 is reserved (RFC 8870 §5.2.1).
    ///
    /// Not the IANA "EKT Ciphers" registry value (0 and 1, RFC 8870 §7.2): the two numberings
    /// differ as published, and only this one goes on the wire.
    public var tlsValue: UInt8 {
        switch self {
        case .aeskw128: 1
        case .aeskw256: 2
        }
    }

    /// The cipher whose `EKTCipherType` is `tlsValue`, or nil for reserved and unknown values.
    public init?(tlsValue: UInt8) {
        guard let cipher = Self.allCases.first(where: { $0.tlsValue == tlsValue }) else {
            return nil
        }
        self = cipher
    }

    /// The cipher with EKT keys of `keyLength` octets, or nil.
    init?(keyLength: Int) {
        guard let cipher = Self.allCases.first(where: { $0.keyLength == keyLength }) else {
            return nil
        }
        self = cipher
    }

    /// N, the EKTCiphertext length for an M-octet EKTPlaintext: RFC 5649 pads to whole 64-bit
    /// blocks and adds one, so N = 8·⌈M/8⌉ + 8. RFC 8870 §4.4.1 prints N = M + (M mod 8) + 8,
    /// which is wrong for most M (M = 25 gives 34; the real output is 40) — see spec/ekt.md §4.
    static func ciphertextLength(plaintextLength m: Int) -> Int { (m + 7) / 8 * 8 + 8 }
}
