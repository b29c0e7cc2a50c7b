/// The `Encryption-Key` HTTP header (draft-thomson-http-encryption-01 §4) as a Key Management
/// Function uses it to deliver an EKT key over TLS, marked `usage="EKT"`.
///
/// `usage="EKT"` and the parameter-set parameters are this project's extension (no IETF document
/// defines them; see spec/http-encryption-key.md §3). A value describes one EKT key:
///
/// ```
/// Encryption-Key: keyid="conf-42"; key="<base64url EKT key>"; usage="EKT"; spi=1;
///                 salt="<base64url SRTP master salt>"; cipher="AESKW_128"; ttl=3600
/// ```
///
/// | parameter | required | value |
/// |---|---|---|
/// | `keyid` | yes | names the key (draft-01 §4); returned to the caller |
/// | `key` | yes | base64url EKT key: 16 octets (AESKW_128) or 32 (AESKW_256) |
/// | `usage` | yes | exactly `EKT` |
/// | `spi` | yes | decimal 0–65535, the EKT SPI (RFC 8870 §4.2) |
/// | `salt` | yes | base64url SRTP master salt, 1–256 octets (RFC 8870 §5.2.2) |
/// | `cipher` | no | `AESKW_128` or `AESKW_256`; default from the key length |
/// | `ttl` | no | decimal seconds 1–16777215, as `ekt_ttl` (RFC 8870 §5.2.2) |
///
/// Values may be tokens or quoted-strings; parameter names are case-insensitive. Unknown and
/// repeated parameters are refused rather than ignored: a key must never be half-understood.
/// base64url is accepted with or without `=` padding and emitted without.
public enum EncryptionKeyHeader {
    /// The header field name.
    public static let name = "Encryption-Key"

    /// An EKT key imported from a header.
    public struct ImportedKey: Sendable, Equatable, CustomStringConvertible {
        /// The `keyid` parameter.
        public let keyID: String
        public let handle: KeyHandle
        public let cipher: EKTCipher
        public let spi: UInt16

        public var description: String {
            "EncryptionKeyHeader.ImportedKey(keyid \(keyID), \(handle), \(cipher), SPI \(spi))"
        }
    }

    /// Produces an `Encryption-Key` header value carrying `ektKey` and its parameter set, for a
    /// KMF's response. This is one of the two places EKT key bytes leave the store (with
    /// `EKTKeyMessage.exportForDelivery`): send the value only over authenticated TLS to an
    /// authorised endpoint, with `Cache-Control: no-store`, and never log it. A Swift `String`
    /// cannot be wiped, so drop the value as soon as it is written out.
    ///
    /// `ttl` is the key's remaining lifetime in whole seconds (capped at 16777215), omitted if the
    /// key has none. `keyID` must be printable ASCII.
    public static func exportForDelivery(ektKey: KeyHandle, keyID: String, from store: KeyStore)
        throws(EncryptionKeyHeaderError) -> String
    {
        guard let quotedKeyID = quoted(keyID) else { throw .invalidValue(.keyid) }
        do {
            return try store.withEKTKeyForDelivery(ektKey) { delivery in
                var parameters = [
                    "keyid=\(quotedKeyID)",
                    "key=\"\(Base64URL.encode(delivery.key))\"",
                    "usage=\"EKT\"",
                    "spi=\(delivery.spi)",
                    "salt=\"\(Base64URL.encode(delivery.masterSalt))\"",
                    "cipher=\"\(delivery.cipher.rawValue)\"",
                ]
                if let remaining = delivery.remainingSeconds {
                    parameters.append("ttl=\(min(remaining, UInt64(EKTKeyMessage.maxTTLSeconds)))")
                }
                return parameters.joined(separator: "; ")
            }
        } catch {
            throw .ekt(error)
        }
    }

    /// `text` as a quoted-string, or nil if it is empty or not printable ASCII.
    private static func quoted(_ text: String) -> String? {
        guard !text.isEmpty, text.utf8.allSatisfy({ $0 == 0x09 || (0x20...0x7E).contains($0) })
        else { return nil }
        var out = "\""
        for character in text {
            if character == "\"" || character == "\\" { out.append("\\") }
            out.append(character)
        }
        return out + "\""
    }
}

extension KeyStore {
    /// Parses an `Encryption-Key` header value holding one EKT key description (see
    /// `EncryptionKeyHeader`) and imports the key and its parameter set.
    ///
    /// The key expires after the earlier of its `ttl` parameter and `expiresAfter`. Nothing is
    /// imported on any error. The key text is wiped from every copy this call makes; the caller's
    /// `value` cannot be, so release it promptly.
    public func importEKTKey(
        fromEncryptionKeyHeader value: String, scope: KeyScope = .unscoped,
        expiresAfter ttl: Duration? = nil
    ) throws(EncryptionKeyHeaderError) -> EncryptionKeyHeader.ImportedKey {
        var text = Array(value.utf8)
        defer { SecretText.wipe(&text) }
        var elements = try EncryptionKeyGrammar.parse(text)
        defer { EncryptionKeyGrammar.wipe(&elements) }
        guard let element = elements.first else { throw .syntax(.empty, offset: 0) }
        guard elements.count == 1 else { throw .multipleKeyDescriptions }
        let description = try EKTKeyDescription(element)
        let material: SealedBytes
        do {
            material = try SealedBytes(count: description.keyLength + description.saltLength)
        } catch {
            throw .ekt(.keyStore(error))
        }
        let decoded = try? material.withMutableBytes { region in
            Base64URL.decode(
                description.key[...],
                into: UnsafeMutableRawBufferPointer(rebasing: region[..<description.keyLength]))
                && Base64URL.decode(
                    description.salt[...],
                    into: UnsafeMutableRawBufferPointer(
                        rebasing: region[description.keyLength...]))
        }
        guard decoded == true else {
            material.wipe()
            throw .invalidValue(.key)
        }
        do {
            let handle = try insertEKTKey(
                material, cipher: description.cipher, spi: description.spi,
                lifetime: Self.earliest(description.ttl.map { .seconds($0) }, ttl), scope: scope)
            return EncryptionKeyHeader.ImportedKey(
                keyID: description.keyID, handle: handle, cipher: description.cipher,
                spi: description.spi)
        } catch {
            throw .ekt(error)
        }
    }
}

/// The checked parameters of one EKT key description. `key` and `salt` are the caller's
/// base64url text, validated but not decoded.
private struct EKTKeyDescription {
    typealias Parameter = EncryptionKeyHeaderError.Parameter

    let keyID: String
    let key: [UInt8]
    let keyLength: Int
    let cipher: EKTCipher
    let spi: UInt16
    let salt: [UInt8]
    let saltLength: Int
    let ttl: Int?

    init(_ element: [HeaderParameter]) throws(EncryptionKeyHeaderError) {
        var values: [Parameter: [UInt8]] = [:]
        for parameter in element {
            guard let name = Parameter(rawValue: parameter.name) else {
                throw .unknownParameter(offset: parameter.offset)
            }
            guard values[name] == nil else { throw .duplicateParameter(name) }
            values[name] = parameter.value
        }
        func required(_ name: Parameter) throws(EncryptionKeyHeaderError) -> [UInt8] {
            guard let value = values[name] else { throw .missingParameter(name) }
            return value
        }
        // `usage` decides how the rest is read, so it is checked first.
        guard try required(.usage) == Array("EKT".utf8) else { throw .usageNotEKT }

        let keyIDText = try required(.keyid)
        // The value came from a String and only ASCII escapes were removed: it is UTF-8.
        guard !keyIDText.isEmpty else { throw .invalidValue(.keyid) }
        keyID = String(decoding: keyIDText, as: UTF8.self)

        key = try required(.key)
        guard let keyLength = Base64URL.decodedCount(key[...]), keyLength > 0 else {
            throw .invalidValue(.key)
        }
        self.keyLength = keyLength
        if let name = values[.cipher] {
            guard let cipher = EKTCipher(rawValue: String(decoding: name, as: UTF8.self)) else {
                throw .invalidValue(.cipher)
            }
            self.cipher = cipher
        } else {
            guard let cipher = EKTCipher(keyLength: keyLength) else {
                throw .invalidKeyLength(keyLength)
            }
            self.cipher = cipher
        }
        guard keyLength == cipher.keyLength else { throw .invalidKeyLength(keyLength) }

        guard let spi = Self.decimal(try required(.spi), in: 0...Int(UInt16.max)) else {
            throw .invalidValue(.spi)
        }
        self.spi = UInt16(spi)

        salt = try required(.salt)
        guard let saltLength = Base64URL.decodedCount(salt[...]),
            EKTParameters.masterSaltLengths.contains(saltLength)
        else { throw .invalidValue(.salt) }
        self.saltLength = saltLength

        if let text = values[.ttl] {
            guard let ttl = Self.decimal(text, in: 1...Int(EKTKeyMessage.maxTTLSeconds)) else {
                throw .invalidValue(.ttl)
            }
            self.ttl = ttl
        } else {
            ttl = nil
        }
    }

    /// `1*DIGIT` within `range`, or nil.
    private static func decimal(_ text: [UInt8], in range: ClosedRange<Int>) -> Int? {
        guard (1...10).contains(text.count) else { return nil }
        var value = 0
        for byte in text {
            guard (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) else { return nil }
            value = value * 10 + Int(byte - UInt8(ascii: "0"))
        }
        return range.contains(value) ? value : nil
    }
}
