/// An opaque reference to a hop-by-hop (outer) double SRTP key and its salt, held by a
/// `KeyStore` with usage `.srtpHopByHop` (RFC 8723 §3; RFC 8871 §4.4, §6.2).
///
/// A distinct type from `KeyHandle`, so the two kinds of key cannot be mixed up at compile time:
/// `MediaDistributor` takes only `HopKeyHandle`s, and there is no way to turn one into a
/// `KeyHandle` or to create one for an end-to-end key. At run time the store refuses to use a key
/// for any usage but its own (`KeyStoreError.keyUsageNotPermitted`).
public struct HopKeyHandle: Hashable, Sendable, CustomStringConvertible {
    let key: KeyHandle

    /// Only the key store creates hop key handles, for keys it stored with `.srtpHopByHop`.
    fileprivate init(_ key: KeyHandle) {
        precondition(key.usage == .srtpHopByHop)
        self.key = key
    }

    public var description: String { "HopKeyHandle(#\(key.id))" }
}

extension KeyStore {
    // MARK: Hop-by-hop keys

    /// Creates a random hop-by-hop key and salt for one hop of `profile` (the outer half of a
    /// double key: 16 or 32 octets and a 12-octet salt).
    public func generateHopKey(
        for profile: DoubleSRTPProfile, scope: KeyScope = .unscoped,
        expiresAfter ttl: Duration? = nil
    ) throws(KeyStoreError) -> HopKeyHandle {
        let half = profile.halfProfile
        let material = try SealedBytes(randomCount: half.masterKeyLength + half.masterSaltLength)
        return HopKeyHandle(
            try insert(
                material, usage: .srtpHopByHop, keyLength: half.masterKeyLength, scope: scope,
                ttl: ttl))
    }

    /// Imports a hop-by-hop key and salt (the outer half of a double key, as the Key Distributor
    /// hands it to a Media Distributor, RFC 8871 §6.2). The store keeps its own sealed copy; wipe
    /// `key` after the call.
    public func importHopKey(
        _ key: [UInt8], salt: [UInt8], for profile: DoubleSRTPProfile,
        scope: KeyScope = .unscoped, expiresAfter ttl: Duration? = nil
    ) throws(KeyStoreError) -> HopKeyHandle {
        // Array's withUnsafeBytes rethrows untyped; carry the typed error out in a Result.
        let outcome = key.withUnsafeBytes { key in
            salt.withUnsafeBytes { salt in
                Result { () throws(KeyStoreError) in
                    try insertHalf(
                        key: key, salt: salt, of: profile, usage: .srtpHopByHop, scope: scope,
                        ttl: ttl)
                }
            }
        }
        return HopKeyHandle(try outcome.get())
    }

    /// Splits a double master key and salt (inner ‖ outer, RFC 8723 §3, §10.1; what DTLS-SRTP
    /// exports for a double profile) into an end-to-end key (usage `.srtpMaster`, sized for
    /// `profile.halfProfile`) and a hop-by-hop key. The store keeps its own sealed copies; wipe
    /// `key` after the call.
    ///
    /// In PERC the end-to-end salt is the EKT key's, not DTLS-SRTP's (RFC 8871 §4.5.1): import a
    /// fresh end-to-end key for that case.
    public func importDoubleMasterKey(
        _ key: [UInt8], salt: [UInt8], for profile: DoubleSRTPProfile,
        scope: KeyScope = .unscoped, expiresAfter ttl: Duration? = nil
    ) throws(KeyStoreError) -> (endToEnd: KeyHandle, hopByHop: HopKeyHandle) {
        guard key.count == profile.masterKeyLength else {
            throw .invalidKeyLength(expected: profile.masterKeyLength, actual: key.count)
        }
        guard salt.count == profile.masterSaltLength else {
            throw .invalidKeyLength(expected: profile.masterSaltLength, actual: salt.count)
        }
        let keyHalf = profile.halfProfile.masterKeyLength
        let saltHalf = profile.halfProfile.masterSaltLength
        let outcome = key.withUnsafeBytes { key in
            salt.withUnsafeBytes { salt in
                Result { () throws(KeyStoreError) in
                    let inner = try insertHalf(
                        key: UnsafeRawBufferPointer(rebasing: key[..<keyHalf]),
                        salt: UnsafeRawBufferPointer(rebasing: salt[..<saltHalf]), of: profile,
                        usage: .srtpMaster, scope: scope, ttl: ttl)
                    do throws(KeyStoreError) {
                        let outer = try insertHalf(
                            key: UnsafeRawBufferPointer(rebasing: key[keyHalf...]),
                            salt: UnsafeRawBufferPointer(rebasing: salt[saltHalf...]), of: profile,
                            usage: .srtpHopByHop, scope: scope, ttl: ttl)
                        return (inner, HopKeyHandle(outer))
                    } catch {
                        revoke(inner)
                        throw error
                    }
                }
            }
        }
        return try outcome.get()
    }

    /// Creates a random end-to-end (inner) key and salt for `profile`: an SRTP master key of
    /// `profile.halfProfile` with usage `.srtpMaster`, the kind EKT wraps (RFC 8870 §4.3.2 step 6).
    public func generateEndToEndKey(
        for profile: DoubleSRTPProfile, scope: KeyScope = .unscoped,
        expiresAfter ttl: Duration? = nil
    ) throws(KeyStoreError) -> KeyHandle {
        try generateSRTPMasterKey(for: profile.halfProfile, scope: scope, expiresAfter: ttl)
    }

    /// Wipes the hop key and every endpoint or distributor leg keyed from it.
    public func revoke(_ hopKey: HopKeyHandle) {
        revoke(hopKey.key)
    }

    /// Stores one half of a double key: `key ‖ salt` sealed, with `usage`.
    private func insertHalf(
        key: UnsafeRawBufferPointer, salt: UnsafeRawBufferPointer, of profile: DoubleSRTPProfile,
        usage: KeyUsage, scope: KeyScope, ttl: Duration?
    ) throws(KeyStoreError) -> KeyHandle {
        let half = profile.halfProfile
        guard key.count == half.masterKeyLength else {
            throw .invalidKeyLength(expected: half.masterKeyLength, actual: key.count)
        }
        guard salt.count == half.masterSaltLength else {
            throw .invalidKeyLength(expected: half.masterSaltLength, actual: salt.count)
        }
        let material = try SealedBytes(count: key.count + salt.count) { region in
            region.copyMemory(from: key)
            UnsafeMutableRawBufferPointer(rebasing: region[key.count...]).copyMemory(from: salt)
        }
        return try insert(material, usage: usage, keyLength: key.count, scope: scope, ttl: ttl)
    }
}
