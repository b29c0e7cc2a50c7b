/// The `supported_ekt_ciphers` DTLS extension (RFC 8870 §5.2.1): the client offers EKT ciphers,
/// the server selects one. Codec of the `extension_data` only; the DTLS stack adds the extension
/// type and length.
///
/// ```
/// enum { reserved(0), aeskw_128(1), aeskw_256(2), (255) } EKTCipherType;
/// struct {
///     select (Handshake.msg_type) {
///         case client_hello:         EKTCipherType supported_ciphers<1..255>;
///         case server_hello:         EKTCipherType selected_cipher;   /* DTLS 1.2 */
///         case encrypted_extensions: EKTCipherType selected_cipher;   /* DTLS 1.3 */
///     };
/// } EKTCipher;
/// ```
/// Wire values are the TLS enum (`EKTCipher.tlsValue`), not the IANA EKT Ciphers registry numbers.
public enum SupportedEKTCiphers {
    /// ExtensionType `supported_ekt_ciphers` (RFC 8870 §7.3).
    public static let extensionType: UInt16 = 39

    /// ClientHello `extension_data`: the ciphers the client supports, most preferred first.
    public static func encodeOffer(_ ciphers: [EKTCipher]) throws(EKTError) -> [UInt8] {
        // supported_ciphers<1..255>: a one-octet length, then one octet per cipher.
        guard (1...255).contains(ciphers.count) else {
            throw .invalidArgument("offer 1...255 EKT ciphers")
        }
        return [UInt8(ciphers.count)] + ciphers.map(\.tlsValue)
    }

    /// Decodes a ClientHello's offer, in the client's order. Values this library does not know
    /// (and the reserved 0) are skipped, as TLS servers skip unknown code points; the result may
    /// be empty, in which case EKT is not negotiated.
    public static func decodeOffer(_ extensionData: [UInt8]) throws(EKTError) -> [EKTCipher] {
        var reader = TLSReader(extensionData)
        let list = try reader.vector(lengthOctets: 1, bounds: 1...255)
        try reader.finish()
        var ciphers: [EKTCipher] = []
        for value in extensionData[list] {
            if let cipher = EKTCipher(tlsValue: value), !ciphers.contains(cipher) {
                ciphers.append(cipher)
            }
        }
        return ciphers
    }

    /// ServerHello / EncryptedExtensions `extension_data`: the one cipher the server selected.
    public static func encodeSelection(_ cipher: EKTCipher) -> [UInt8] { [cipher.tlsValue] }

    /// Decodes the server's selection; it must be one of the ciphers the client `offered`
    /// (`EKTError.unsupportedCipher` otherwise).
    public static func decodeSelection(_ extensionData: [UInt8], offered: [EKTCipher])
        throws(EKTError) -> EKTCipher
    {
        var reader = TLSReader(extensionData)
        let value = try reader.uint(octets: 1)
        try reader.finish()
        guard let cipher = EKTCipher(tlsValue: UInt8(value)), offered.contains(cipher) else {
            throw .unsupportedCipher(UInt8(value))
        }
        return cipher
    }
}

/// The DTLS `EKTKey` handshake message (RFC 8870 §5.2.2): the Key Distributor (DTLS server)
/// gives the endpoint an EKT key and its parameter set. Codec of the message body; the DTLS stack
/// adds the handshake header, encrypts it, retransmits it and sends or expects the ACK.
///
/// ```
/// struct {
///     opaque ekt_key_value<1..256>;     /* 2-octet length: the ceiling 256 needs two */
///     opaque srtp_master_salt<1..256>;  /* 2-octet length */
///     uint16 ekt_spi;
///     uint24 ekt_ttl;                   /* seconds */
/// } EKTKey;
///
/// | k (2) | ekt_key_value (k) | s (2) | srtp_master_salt (s) | SPI (2) | TTL (3) |
/// ```
/// The cipher is not in the message: it is the one `supported_ekt_ciphers` negotiated.
public enum EKTKeyMessage {
    /// HandshakeType `ekt_key` (RFC 8870 §7.4).
    public static let handshakeType: UInt8 = 26
    /// The largest `ekt_ttl`, 2^24 − 1 seconds (about 194 days).
    public static let maxTTLSeconds: UInt32 = 0xFF_FFFF

    /// Encodes an `EKTKey` message body for `ektKey` and runs `body` with it, then wipes it. This
    /// is a Key Distributor's delivery path and one of the two places EKT key bytes leave the
    /// store (with `EncryptionKeyHeader.exportForDelivery`): hand the bytes only to a DTLS
    /// association with an authorised endpoint, and do not keep them past `body`.
    ///
    /// `ekt_ttl` is the key's remaining lifetime in whole seconds, at most `maxTTLSeconds`; a key
    /// without a lifetime is refused (RFC 8870 §6: the EKT key's lifetime MUST be limited).
    public static func exportForDelivery<R>(
        ektKey: KeyHandle, from store: KeyStore, _ body: (UnsafeRawBufferPointer) -> R
    ) throws(EKTError) -> R {
        try store.withEKTKeyForDelivery(ektKey) { delivery in
            guard let remaining = delivery.remainingSeconds else {
                throw EKTError.invalidArgument("an EKT key sent over DTLS needs a TTL")
            }
            let ttl = UInt32(min(remaining, UInt64(maxTTLSeconds)))
            let key = delivery.key
            let salt = delivery.masterSalt
            let message = try SealedBytes(count: 2 + key.count + 2 + salt.count + 2 + 3) { out in
                var at = 0
                for vector in [key, salt] {
                    out.storeBigEndianUInt16(UInt16(vector.count), at: at)
                    UnsafeMutableRawBufferPointer(rebasing: out[at + 2..<at + 2 + vector.count])
                        .copyMemory(from: vector)
                    at += 2 + vector.count
                }
                out.storeBigEndianUInt16(delivery.spi, at: at)
                out[at + 2] = UInt8(truncatingIfNeeded: ttl >> 16)
                out.storeBigEndianUInt16(UInt16(truncatingIfNeeded: ttl), at: at + 3)
            }
            defer { message.wipe() }
            return try message.withUnsealed(body)
        }
    }
}

extension KeyStore {
    /// Decodes a DTLS `EKTKey` message body (RFC 8870 §5.2.2) and imports its EKT key and
    /// parameter set, for the `cipher` the handshake negotiated. The key expires after `ekt_ttl`
    /// seconds. Nothing is imported if anything is wrong; answer a failure with a DTLS alert and a
    /// success with an ACK (RFC 8870 §5.2.2). Wipe `body` after the call.
    ///
    /// Throws `EKTError.malformed` for a body that does not decode exactly (vector bounds,
    /// truncation, trailing octets, a zero TTL), `.keyStore(.invalidKeyLength)` for a key that does
    /// not fit `cipher`, and `.duplicateSPI` for an SPI already live in `scope`.
    public func importEKTKey(
        fromDTLSMessage body: [UInt8], cipher: EKTCipher, scope: KeyScope = .unscoped
    ) throws(EKTError) -> KeyHandle {
        var reader = TLSReader(body)
        let key = try reader.vector(lengthOctets: 2, bounds: 1...256)
        let salt = try reader.vector(lengthOctets: 2, bounds: EKTParameters.masterSaltLengths)
        let spi = UInt16(try reader.uint(octets: 2))
        let ttl = try reader.uint(octets: 3)
        try reader.finish()
        guard ttl > 0 else { throw .malformed(.zeroTTL) }
        guard key.count == cipher.keyLength else {
            throw .keyStore(.invalidKeyLength(expected: cipher.keyLength, actual: key.count))
        }
        let material = try withEKTErrors {
            try body.withUnsafeBytes { bytes in
                try SealedBytes(count: key.count + salt.count) { region in
                    region.copyMemory(from: UnsafeRawBufferPointer(rebasing: bytes[key]))
                    UnsafeMutableRawBufferPointer(rebasing: region[key.count...])
                        .copyMemory(from: UnsafeRawBufferPointer(rebasing: bytes[salt]))
                }
            }
        }
        return try insertEKTKey(
            material, cipher: cipher, spi: spi, lifetime: .seconds(ttl), scope: scope)
    }
}

/// Reads TLS presentation-language fields (RFC 8446 §3) front to back, never past the end.
private struct TLSReader {
    private let bytes: [UInt8]
    private var offset = 0

    init(_ bytes: [UInt8]) {
        self.bytes = bytes
    }

    /// A big-endian unsigned integer of 1...3 octets.
    mutating func uint(octets: Int) throws(EKTError) -> UInt32 {
        guard bytes.count - offset >= octets else { throw .malformed(.truncated) }
        var value: UInt32 = 0
        for byte in bytes[offset..<offset + octets] { value = value << 8 | UInt32(byte) }
        offset += octets
        return value
    }

    /// A variable-length vector `<floor..ceiling>` with a `lengthOctets`-octet length; returns
    /// where its contents sit in the input.
    mutating func vector(lengthOctets: Int, bounds: ClosedRange<Int>) throws(EKTError)
        -> Range<Int>
    {
        let length = Int(try uint(octets: lengthOctets))
        guard bounds.contains(length) else { throw .malformed(.vectorLength) }
        guard bytes.count - offset >= length else { throw .malformed(.truncated) }
        defer { offset += length }
        return offset..<offset + length
    }

    /// Checks that nothing follows the structure.
    func finish() throws(EKTError) {
        guard offset == bytes.count else { throw .malformed(.trailingData) }
    }
}
