internal import CPERCShims

/// EKT keys (RFC 8870) in the store. An EKT key's record holds `EKT key ‖ SRTP master salt` in
/// sealed bytes and the cipher and SPI of its parameter set; at most one live EKT key per
/// (scope, SPI). Wrapping and unwrapping happen here, with the key unsealed only for the call:
/// an unwrapped SRTP master key goes straight into new sealed bytes.
extension KeyStore {
    // MARK: Creating EKT keys

    /// Imports an EKT key and its parameter set, delivered by key management (the DTLS `EKTKey`
    /// message, an `Encryption-Key` header, configuration).
    ///
    /// The key expires after the earlier of `parameters.ttl` and `expiresAfter`. The store keeps its
    /// own sealed copy; wipe `key` and `parameters.masterSalt` after the call. Throws
    /// `EKTError.duplicateSPI` if a live EKT key of `scope` already has the SPI.
    public func importEKTKey(
        _ key: [UInt8], parameters: EKTParameters, scope: KeyScope = .unscoped,
        expiresAfter ttl: Duration? = nil
    ) throws(EKTError) -> KeyHandle {
        guard key.count == parameters.cipher.keyLength else {
            throw .keyStore(
                .invalidKeyLength(expected: parameters.cipher.keyLength, actual: key.count))
        }
        let salt = parameters.masterSalt
        guard EKTParameters.masterSaltLengths.contains(salt.count) else {
            throw .invalidArgument("EKT master salt must be 1...256 octets")
        }
        let material = try withEKTErrors {
            try SealedBytes(count: key.count + salt.count) { region in
                region.copyBytes(from: key)
                UnsafeMutableRawBufferPointer(rebasing: region[key.count...]).copyBytes(from: salt)
            }
        }
        return try insertEKTKey(
            material, cipher: parameters.cipher, spi: parameters.spi,
            lifetime: Self.earliest(parameters.ttl, ttl), scope: scope)
    }

    /// Creates a random EKT key and a random SRTP master salt of `masterSaltLength` octets (12 for
    /// the AEAD and double transforms), for a Key Distributor. `ttl` becomes the key's `ekt_ttl`.
    public func generateEKTKey(
        cipher: EKTCipher, spi: UInt16, masterSaltLength: Int, scope: KeyScope = .unscoped,
        expiresAfter ttl: Duration? = nil
    ) throws(EKTError) -> KeyHandle {
        guard EKTParameters.masterSaltLengths.contains(masterSaltLength) else {
            throw .invalidArgument("EKT master salt must be 1...256 octets")
        }
        let material: SealedBytes
        do {
            material = try SealedBytes(randomCount: cipher.keyLength + masterSaltLength)
        } catch {
            throw .keyStore(error)
        }
        return try insertEKTKey(material, cipher: cipher, spi: spi, lifetime: ttl, scope: scope)
    }

    /// The cipher and SPI of an EKT key's parameter set (nothing secret).
    public func ektParameters(of ektKey: KeyHandle) throws(EKTError) -> (
        cipher: EKTCipher, spi: UInt16
    ) {
        let parameters = try ektRecord(ektKey).parameters
        return (parameters.cipher, parameters.spi)
    }

    /// Inserts `material` (`EKT key ‖ salt`, the key `cipher.keyLength` octets) as an EKT key.
    /// Consumes `material`: it is wiped on failure.
    func insertEKTKey(
        _ material: SealedBytes, cipher: EKTCipher, spi: UInt16, lifetime: Duration?,
        scope: KeyScope
    ) throws(EKTError) -> KeyHandle {
        if let lifetime, lifetime <= .zero {
            material.wipe()
            throw .invalidArgument("EKT key lifetime must be positive")
        }
        let handle: KeyHandle?
        do {
            handle = try insert(
                material, usage: .ekt, keyLength: cipher.keyLength, scope: scope, ttl: lifetime,
                ekt: EKTParameterSet(cipher: cipher, spi: spi))
        } catch {
            throw .keyStore(error)
        }
        guard let handle else { throw .duplicateSPI(spi) }
        return handle
    }

    static func earliest(_ a: Duration?, _ b: Duration?) -> Duration? {
        guard let a else { return b }
        guard let b else { return a }
        return min(a, b)
    }

    // MARK: Building a FullEKTField (RFC 8870 §4.3.1)

    /// Wraps the SRTP master key of `srtpMasterKey` (the key only, never its salt) with its SSRC and
    /// ROC under `ektKey` and returns the FullEKTField to append to the sender's SRTP packets.
    ///
    /// - Parameters:
    ///   - ssrc: the SSRC of the packets the field is appended to (RFC 8870 §4.3.1 step 2).
    ///   - roc: the sender's current ROC for that SSRC; rebuild the field when it changes.
    ///   - epoch: how many keys this SSRC sent before under `ektKey`: 0 for the first key, reset
    ///     to 0 with each new EKT key (RFC 8870 §4.1).
    ///   - wrappedKeyLength: wrap only the first octets of the master key: the E2E (inner) half of
    ///     a double key (RFC 8723 §5.1, RFC 8870 §4.3.2 step 6). Default: the whole key.
    /// - Throws: `EKTError.keyStore(.keyUsageNotPermitted)` if either handle has the other usage.
    public func makeFullEKTField(
        ektKey: KeyHandle, srtpMasterKey: KeyHandle, ssrc: UInt32, roc: UInt32, epoch: UInt16,
        wrappedKeyLength: Int? = nil
    ) throws(EKTError) -> FullEKTField {
        let ekt = try ektRecord(ektKey)
        // EKTPlaintext = SRTPMasterKeyLength ‖ SRTPMasterKey ‖ SSRC ‖ ROC (RFC 8870 §4.1).
        let plaintext = try withEKTErrors {
            try withUnsealedKey(srtpMasterKey, for: .srtpMaster) { bytes, keyLength in
                let count = wrappedKeyLength ?? keyLength
                guard (1...keyLength).contains(count) else {
                    throw EKTError.invalidArgument("wrapped key length outside the master key")
                }
                return try EKTPlaintext.seal(
                    masterKey: UnsafeRawBufferPointer(rebasing: bytes[..<count]), ssrc: ssrc,
                    roc: roc)
            }.result
        }
        defer { plaintext.wipe() }
        let ciphertext = try withEKTErrors {
            try ekt.record.material.withUnsealed { bytes in
                try plaintext.withUnsealed { plain in
                    var out = [UInt8](
                        repeating: 0,
                        count: EKTCipher.ciphertextLength(plaintextLength: plain.count))
                    let count = try out.withUnsafeMutableBytes { out in
                        try AESKeyWrap.wrap(
                            kek: UnsafeRawBufferPointer(rebasing: bytes[..<ekt.record.keyLength]),
                            plaintext: plain, padding: true, into: out)
                    }
                    return Array(out[..<count])
                }
            }
        }
        return try FullEKTField(ciphertext: ciphertext, spi: ekt.parameters.spi, epoch: epoch)
    }

    // MARK: Unwrapping a FullEKTField (RFC 8870 §4.3.2)

    /// RFC 8870 §4.3.2 steps 2–6 for a FullEKTField received in `scope`: finds the EKT key by SPI,
    /// unwraps, and checks the SSRC and the master key length. The epoch check and installing the
    /// key are the receiver's.
    func unwrapFullEKTField(
        _ field: FullEKTField, scope: KeyScope, packetSSRC: UInt32, expectedMasterKeyLength: Int
    ) throws(EKTError) -> UnwrappedSRTPKey {
        // Step 2: no parameter set with this SPI → authentication failure, stop.
        guard let ektKey = ektKey(spi: field.spi, scope: scope) else {
            throw .unknownSPI(field.spi)
        }
        return try unwrapFullEKTField(
            field, ektKey: ektKey, packetSSRC: packetSSRC,
            expectedMasterKeyLength: expectedMasterKeyLength)
    }

    /// Unwraps `field` with `ektKey`, whose SPI must be the field's. `packetSSRC` and
    /// `expectedMasterKeyLength` are nil only for the conformance runner, which has no packet or
    /// transform.
    func unwrapFullEKTField(
        _ field: FullEKTField, ektKey: KeyHandle, packetSSRC: UInt32?,
        expectedMasterKeyLength: Int?
    ) throws(EKTError) -> UnwrappedSRTPKey {
        let ekt = try ektRecord(ektKey)
        guard ekt.parameters.spi == field.spi else { throw .unknownSPI(field.spi) }
        let scratch = try withEKTErrors { try SealedBytes(count: field.ciphertext.count - 8) }
        defer { scratch.wipe() }
        return try withEKTErrors {
            try ekt.record.material.withUnsealed { bytes in
                let keyLength = ekt.record.keyLength
                // Step 3: unwrap; an integrity failure aborts EKT processing.
                let count = try scratch.withMutableBytes { out in
                    try field.ciphertext.withUnsafeBytes { ciphertext in
                        try AESKeyWrap.unwrap(
                            kek: UnsafeRawBufferPointer(rebasing: bytes[..<keyLength]),
                            ciphertext: ciphertext, padding: true, into: out)
                    }
                }
                // Step 4: the key, SSRC and ROC; the salt comes with the EKT key.
                let plaintext = try scratch.withUnsealed { plain in
                    try EKTPlaintext(
                        parsing: UnsafeRawBufferPointer(rebasing: plain[..<count]))
                }
                // Step 5: a field moved from another stream is discarded.
                if let packetSSRC, plaintext.ssrc != packetSSRC {
                    throw EKTError.ssrcMismatch(packet: packetSSRC, field: plaintext.ssrc)
                }
                // Step 6: the key must fit the transform.
                if let expected = expectedMasterKeyLength, plaintext.keyRange.count != expected {
                    throw EKTError.masterKeyLengthMismatch(
                        expected: expected, actual: plaintext.keyRange.count)
                }
                let masterKey = try scratch.withUnsealed { plain in
                    try SealedBytes(
                        copying: UnsafeRawBufferPointer(rebasing: plain[plaintext.keyRange]))
                }
                return UnwrappedSRTPKey(
                    masterKey: masterKey,
                    masterSalt: try SealedBytes(
                        copying: UnsafeRawBufferPointer(rebasing: bytes[keyLength...])),
                    ssrc: plaintext.ssrc, roc: plaintext.roc, spi: field.spi, epoch: field.epoch)
            }
        }
    }

    /// Stores an unwrapped master key with the first `profile.masterSaltLength` octets of its EKT
    /// salt (RFC 8870 §4.3.2 step 4) as an SRTP master key for `profile`.
    func importSRTPMasterKey(
        _ unwrapped: UnwrappedSRTPKey, for profile: SRTPProfile, scope: KeyScope = .unscoped,
        expiresAfter ttl: Duration? = nil
    ) throws(EKTError) -> KeyHandle {
        let keyLength = unwrapped.masterKey.count
        let saltLength = profile.masterSaltLength
        guard keyLength == profile.masterKeyLength else {
            throw .masterKeyLengthMismatch(expected: profile.masterKeyLength, actual: keyLength)
        }
        guard unwrapped.masterSalt.count >= saltLength else {
            throw .keyStore(
                .invalidKeyLength(expected: saltLength, actual: unwrapped.masterSalt.count))
        }
        let material = try withEKTErrors {
            try unwrapped.masterKey.withUnsealed { key in
                try unwrapped.masterSalt.withUnsealed { salt in
                    try SealedBytes(count: keyLength + saltLength) { region in
                        region.copyMemory(from: key)
                        UnsafeMutableRawBufferPointer(rebasing: region[keyLength...])
                            .copyMemory(from: UnsafeRawBufferPointer(rebasing: salt[..<saltLength]))
                    }
                }
            }
        }
        do {
            return try insert(
                material, usage: .srtpMaster, keyLength: keyLength, scope: scope, ttl: ttl)
        } catch {
            throw .keyStore(error)
        }
    }

    // MARK: Delivery (Key Distributor / KMF side)

    /// Runs `body` with an EKT key's bytes and parameter set, for encoding it into a message to a
    /// peer over an authenticated, encrypted channel. The only path by which EKT key bytes leave
    /// the store; the buffers must not escape `body`.
    func withEKTKeyForDelivery<R>(
        _ ektKey: KeyHandle, _ body: (EKTKeyDelivery) throws -> R
    ) throws(EKTError) -> R {
        let ekt = try ektRecord(ektKey)
        let ttlSeconds = ekt.record.deadline.map { deadline -> UInt64 in
            let now = perc_coarse_monotonic_ns()
            return deadline > now ? (deadline - now) / 1_000_000_000 : 0
        }
        if ttlSeconds == 0 { throw .keyStore(.keyExpired) }
        return try withEKTErrors {
            try ekt.record.material.withUnsealed { bytes in
                let keyLength = ekt.record.keyLength
                return try body(
                    EKTKeyDelivery(
                        key: UnsafeRawBufferPointer(rebasing: bytes[..<keyLength]),
                        masterSalt: UnsafeRawBufferPointer(rebasing: bytes[keyLength...]),
                        cipher: ekt.parameters.cipher, spi: ekt.parameters.spi,
                        remainingSeconds: ttlSeconds))
            }
        }
    }

    // MARK: Helpers

    /// The live record of an EKT key and its parameter set.
    private func ektRecord(_ handle: KeyHandle) throws(EKTError) -> (
        record: KeyRecord, parameters: EKTParameterSet
    ) {
        let record: KeyRecord
        do {
            record = try liveRecord(handle, for: .ekt)
        } catch {
            throw .keyStore(error)
        }
        guard let parameters = record.ekt else { throw .keyStore(.unknownKey) }
        return (record, parameters)
    }
}

/// Runs `body`, which throws only `EKTError` or `KeyStoreError` (the sealed-bytes closures are
/// untyped), and reports either as an `EKTError`.
func withEKTErrors<R>(_ body: () throws -> R) throws(EKTError) -> R {
    do {
        return try body()
    } catch let error as EKTError {
        throw error
    } catch let error as KeyStoreError {
        throw .keyStore(error)
    } catch {
        throw .invalidArgument("unexpected error \(type(of: error))")
    }
}

/// An EKT key unsealed for delivery to a peer; valid only inside
/// `KeyStore.withEKTKeyForDelivery`.
struct EKTKeyDelivery {
    let key: UnsafeRawBufferPointer
    let masterSalt: UnsafeRawBufferPointer
    let cipher: EKTCipher
    let spi: UInt16
    /// Whole seconds until the key expires; nil if it never does.
    let remainingSeconds: UInt64?
}

/// An SRTP master key learned from a FullEKTField, with what came with it. The key and salt are
/// sealed; nothing here prints them.
struct UnwrappedSRTPKey: Sendable, CustomStringConvertible {
    /// The sender's SRTP master key (for double: the E2E half).
    let masterKey: SealedBytes
    /// The whole SRTP master salt of the EKT key's parameter set; a transform uses its first N
    /// octets (RFC 8870 §4.3.2 step 4).
    let masterSalt: SealedBytes
    let ssrc: UInt32
    let roc: UInt32
    let spi: UInt16
    let epoch: UInt16

    var description: String {
        "UnwrappedSRTPKey(SSRC \(ssrc), ROC \(roc), SPI \(spi), epoch \(epoch), "
            + "\(masterKey.count)-octet key redacted)"
    }
}
