/// EKT entry points that only the conformance runner and tests use: they take and return raw key
/// material, so they sit behind `@_spi(Conformance)` and are not part of the library's API.
@_spi(Conformance) public enum EKTConformance {
    /// AES key wrap of `keyData` under `kek` (16, 24 or 32 octets): RFC 5649 with `padding`,
    /// RFC 3394 without (`aes_kw` vectors).
    public static func aesKeyWrap(kek: [UInt8], keyData: [UInt8], padding: Bool)
        throws(EKTError) -> [UInt8]
    {
        var out = [UInt8](
            repeating: 0, count: EKTCipher.ciphertextLength(plaintextLength: keyData.count))
        let count = try withEKTErrors {
            try kek.withUnsafeBytes { kek in
                try keyData.withUnsafeBytes { keyData in
                    try out.withUnsafeMutableBytes { out in
                        try AESKeyWrap.wrap(
                            kek: kek, plaintext: keyData, padding: padding, into: out)
                    }
                }
            }
        }
        return Array(out[..<count])
    }

    /// The inverse of `aesKeyWrap`; an integrity failure is `EKTError.authenticationFailed`.
    public static func aesKeyUnwrap(kek: [UInt8], ciphertext: [UInt8], padding: Bool)
        throws(EKTError) -> [UInt8]
    {
        var out = [UInt8](repeating: 0, count: max(ciphertext.count - 8, 0))
        let count = try withEKTErrors {
            try kek.withUnsafeBytes { kek in
                try ciphertext.withUnsafeBytes { ciphertext in
                    try out.withUnsafeMutableBytes { out in
                        try AESKeyWrap.unwrap(
                            kek: kek, ciphertext: ciphertext, padding: padding, into: out)
                    }
                }
            }
        }
        return Array(out[..<count])
    }

    /// Builds a FullEKTField (`ekt_field` vectors) through the key store, as a sender does.
    public static func buildFullEKTField(
        cipher: EKTCipher, ektKey: [UInt8], spi: UInt16, epoch: UInt16, srtpMasterKey: [UInt8],
        ssrc: UInt32, roc: UInt32
    ) throws(EKTError) -> [UInt8] {
        let store = KeyStore()
        defer { store.close() }
        let ekt = try importVectorEKTKey(ektKey, cipher: cipher, spi: spi, into: store)
        guard !srtpMasterKey.isEmpty else { throw .invalidArgument("empty SRTP master key") }
        // The vector gives a bare master key of any length: no salt, no profile.
        let master = try withEKTErrors {
            try srtpMasterKey.withUnsafeBytes { key in
                try store.insert(
                    SealedBytes(copying: key), usage: .srtpMaster, keyLength: key.count,
                    scope: .unscoped, ttl: nil)
            }
        }
        return try store.makeFullEKTField(
            ektKey: ekt, srtpMasterKey: master, ssrc: ssrc, roc: roc, epoch: epoch
        ).bytes
    }

    /// What a FullEKTField carried, unwrapped.
    public struct UnwrappedField: Sendable, Equatable {
        public let srtpMasterKey: [UInt8]
        public let ssrc: UInt32
        public let roc: UInt32
        public let spi: UInt16
        public let epoch: UInt16
    }

    /// Parses `field`, which must be exactly one FullEKTField, and unwraps it with `ektKey`
    /// registered under `spi` (`ekt_field` vectors). No packet SSRC or transform key length is
    /// checked: the vectors have neither.
    public static func parseFullEKTField(
        _ field: [UInt8], cipher: EKTCipher, ektKey: [UInt8], spi: UInt16
    ) throws(EKTError) -> UnwrappedField {
        let (parsed, length) = try EKTField.parse(field)
        guard case .full(let full) = parsed, length == field.count else {
            throw .invalidArgument("not exactly one FullEKTField")
        }
        let store = KeyStore()
        defer { store.close() }
        let ekt = try importVectorEKTKey(ektKey, cipher: cipher, spi: spi, into: store)
        let unwrapped = try store.unwrapFullEKTField(
            full, ektKey: ekt, packetSSRC: nil, expectedMasterKeyLength: nil)
        let masterKey = try withEKTErrors { try unwrapped.masterKey.withUnsealed { Array($0) } }
        return UnwrappedField(
            srtpMasterKey: masterKey, ssrc: unwrapped.ssrc, roc: unwrapped.roc,
            spi: unwrapped.spi, epoch: unwrapped.epoch)
    }

    /// The vectors carry no SRTP master salt; wrapping never uses it, so a placeholder stands in.
    private static func importVectorEKTKey(
        _ key: [UInt8], cipher: EKTCipher, spi: UInt16, into store: KeyStore
    ) throws(EKTError) -> KeyHandle {
        try store.importEKTKey(
            key,
            parameters: EKTParameters(
                cipher: cipher, spi: spi, masterSalt: [UInt8](repeating: 0, count: 12)))
    }
}
