/// What EKT senders and receivers (`EKTSender`, `EKTReceiver`) need from the store beyond
/// wrapping and unwrapping: the sender's SRTP master key paired with its EKT key's salt, and the
/// lifetime and scope of EKT keys.
extension KeyStore {
    /// What an EKT sender needs to know about its EKT key; nothing secret.
    struct EKTKeyInfo {
        let spi: UInt16
        let scope: KeyScope
        /// Coarse monotonic nanoseconds after which the key is expired; nil for none.
        let deadline: UInt64?
    }

    func ektKeyInfo(_ ektKey: KeyHandle) throws(EKTError) -> EKTKeyInfo {
        let record: KeyRecord
        do {
            record = try liveRecord(ektKey, for: .ekt)
        } catch {
            throw .keyStore(error)
        }
        guard let parameters = record.ekt else { throw .keyStore(.unknownKey) }
        return EKTKeyInfo(spi: parameters.spi, scope: record.scope, deadline: record.deadline)
    }

    /// A new SRTP master key for an EKT sender, in the EKT key's scope: a random key for
    /// `profile` (RFC 8870 §6: SRTP master keys MUST be random), or the key part of `masterKey`,
    /// paired with the first `profile.masterSaltLength` octets of the EKT key's master salt.
    ///
    /// The salt travels with the EKT key, not in the FullEKTField (RFC 8870 §4.2, §5.2.2), so a
    /// sender MUST protect with that salt for its receivers to derive the same session keys
    /// (RFC 8870 §4.3.2 step 4). `masterKey`'s own salt is ignored and the handle is left as it
    /// is; the returned key is the caller's to revoke.
    func makeEKTSenderMasterKey(
        ektKey: KeyHandle, copying masterKey: KeyHandle?, for profile: SRTPProfile
    ) throws(EKTError) -> KeyHandle {
        let ekt: KeyRecord
        do {
            ekt = try liveRecord(ektKey, for: .ekt)
        } catch {
            throw .keyStore(error)
        }
        let keyLength = profile.masterKeyLength
        let saltLength = profile.masterSaltLength
        let ektSaltLength = ekt.material.count - ekt.keyLength
        guard ektSaltLength >= saltLength else {
            throw .keyStore(.invalidKeyLength(expected: saltLength, actual: ektSaltLength))
        }
        let key: SealedBytes
        if let masterKey {
            key = try withEKTErrors {
                try withUnsealedKey(masterKey, for: .srtpMaster) { bytes, length in
                    guard length == keyLength else {
                        throw KeyStoreError.invalidKeyLength(expected: keyLength, actual: length)
                    }
                    return try SealedBytes(
                        copying: UnsafeRawBufferPointer(rebasing: bytes[..<length]))
                }.result
            }
        } else {
            do {
                key = try SealedBytes(randomCount: keyLength)
            } catch {
                throw .keyStore(error)
            }
        }
        defer { key.wipe() }
        let material = try withEKTErrors {
            try key.withUnsealed { key in
                try ekt.material.withUnsealed { ektBytes in
                    try SealedBytes(count: keyLength + saltLength) { region in
                        region.copyMemory(from: key)
                        let salt = ektBytes[ekt.keyLength..<ekt.keyLength + saltLength]
                        UnsafeMutableRawBufferPointer(rebasing: region[keyLength...])
                            .copyMemory(from: UnsafeRawBufferPointer(rebasing: salt))
                    }
                }
            }
        }
        do {
            return try insert(
                material, usage: .srtpMaster, keyLength: keyLength, scope: ekt.scope, ttl: nil)
        } catch {
            throw .keyStore(error)
        }
    }
}
