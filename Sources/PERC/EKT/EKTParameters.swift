/// An EKT parameter set as delivered by key management, together with an EKT key: the cipher,
/// the SPI that names the set, the SRTP master salt for every master key wrapped under the key,
/// and the key's lifetime (RFC 8870 §4.2, §5.2.2).
///
/// Prints redacted: the salt never appears in descriptions.
public struct EKTParameters: Sendable, Equatable, CustomStringConvertible,
    CustomDebugStringConvertible, CustomReflectable
{
    /// Salt lengths an `EKTKey` message can carry: `srtp_master_salt<1..256>` (RFC 8870 §5.2.2).
    public static let masterSaltLengths: ClosedRange<Int> = 1...256

    public var cipher: EKTCipher
    /// The SPI that identifies this parameter set in FullEKTFields (RFC 8870 §4.2).
    public var spi: UInt16
    /// The SRTP master salt to use with every SRTP master key wrapped under this EKT key, 1...256
    /// octets; a receiver uses its first N octets for an N-octet transform salt (RFC 8870 §4.3.2
    /// step 4). Wipe your copy after the import.
    public var masterSalt: [UInt8]
    /// How long the EKT key may be used (`ekt_ttl`, RFC 8870 §5.2.2); nil for no limit. After it
    /// the store refuses the key.
    public var ttl: Duration?

    public init(cipher: EKTCipher, spi: UInt16, masterSalt: [UInt8], ttl: Duration? = nil) {
        self.cipher = cipher
        self.spi = spi
        self.masterSalt = masterSalt
        self.ttl = ttl
    }

    public var description: String {
        let lifetime = ttl.map { "TTL \($0)" } ?? "no TTL"
        return "EKTParameters(\(cipher), SPI \(spi), \(masterSalt.count)-octet salt redacted, "
            + "\(lifetime))"
    }

    public var debugDescription: String { description }

    public var customMirror: Mirror {
        Mirror(
            self,
            children: [
                "cipher": cipher, "spi": spi, "masterSalt": "redacted", "ttl": ttl as Any,
            ], displayStyle: .struct)
    }
}

/// The non-secret part of an EKT key's parameter set, kept on its store record. The salt lives in
/// the record's sealed bytes, after the EKT key.
struct EKTParameterSet: Sendable, Equatable {
    let cipher: EKTCipher
    let spi: UInt16
}
