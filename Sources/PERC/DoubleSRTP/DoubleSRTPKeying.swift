internal import CPERCShims

/// How the two layers of double SRTP are keyed (RFC 8723 §3.1): each half of the double key is an
/// ordinary AEAD-GCM master key and salt, run through the SRTP KDF on its own, so each layer is
/// the OpenSSL engine's GCM code keyed with one half.
///
/// - Outer (hop-by-hop): an `OpenSSLEngine` of the half profile keyed with a hop key. Its SRTP
///   contexts and per-SSRC streams (ROC, replay window, SRTCP index) are the outer layer; its
///   SRTCP is the double profile's RTCP (RFC 8723 §6); its plain SRTP is repair mode (§5.1).
/// - Inner (end-to-end): one GCM context (`InnerContext`) per inner key, SRTP labels only (the
///   inner layer never protects RTCP, §6), with per-SSRC streams kept by the endpoint.
extension DoubleSRTPProfile {
    /// The outer layer keyed from `hopKey`, and the key's expiry deadline.
    func outerLayer(_ hopKey: HopKeyHandle, in store: KeyStore, replayWindow: Int) throws
        -> (engine: OpenSSLEngine, deadline: UInt64)
    {
        let configuration = SRTPSession.Configuration(
            profile: halfProfile, replayWindow: replayWindow)
        do {
            try configuration.validate()
        } catch {
            throw DoubleSRTPError(error, layer: .outer)
        }
        let (engine, deadline) = try store.withUnsealedKey(hopKey.key, for: .srtpHopByHop) {
            bytes, keyLength throws -> OpenSSLEngine in
            let (key, salt) = try splitHalf(bytes, keyLength: keyLength)
            do throws(SRTPError) {
                return try OpenSSLEngine(
                    configuration: configuration, keys: .master(key: key, salt: salt))
            } catch {
                throw DoubleSRTPError(error, layer: .outer)
            }
        }
        return (engine, deadline ?? .max)
    }

    /// Runs `body` with an end-to-end key and its salt from the store, their lengths checked for
    /// the inner layer, and returns its result with the key's expiry deadline.
    func withEndToEndKey<R>(
        _ key: KeyHandle, in store: KeyStore,
        _ body: (_ key: UnsafeRawBufferPointer, _ salt: UnsafeRawBufferPointer) throws -> R
    ) throws -> (result: R, deadline: UInt64) {
        let (result, deadline) = try store.withUnsealedKey(key, for: .srtpMaster) {
            bytes, keyLength throws -> R in
            let (key, salt) = try splitHalf(bytes, keyLength: keyLength)
            return try body(key, salt)
        }
        return (result, deadline ?? .max)
    }

    /// The inner layer of an end-to-end master key and salt given directly (a key learned from
    /// EKT: the wrapped key and the EKT key's salt, RFC 8870 §4.3.2 steps 4 and 6).
    func innerContext(
        masterKey: UnsafeRawBufferPointer, masterSalt: UnsafeRawBufferPointer, sealing: Bool
    ) throws(DoubleSRTPError) -> InnerContext {
        try inLayer(.inner) { () throws(SRTPError) in
            try InnerContext(
                profile: halfProfile, masterKey: masterKey, masterSalt: masterSalt,
                sealing: sealing)
        }
    }

    /// `key ‖ salt` of one half, checked against the half profile's lengths.
    private func splitHalf(_ bytes: UnsafeRawBufferPointer, keyLength: Int) throws(KeyStoreError)
        -> (UnsafeRawBufferPointer, UnsafeRawBufferPointer)
    {
        let half = halfProfile
        guard keyLength == half.masterKeyLength else {
            throw .invalidKeyLength(expected: half.masterKeyLength, actual: keyLength)
        }
        guard bytes.count - keyLength == half.masterSaltLength else {
            throw .invalidKeyLength(
                expected: half.masterSaltLength, actual: bytes.count - keyLength)
        }
        return (
            UnsafeRawBufferPointer(rebasing: bytes[..<keyLength]),
            UnsafeRawBufferPointer(rebasing: bytes[keyLength...])
        )
    }
}

/// The end-to-end (inner) GCM context of one inner key, in one direction: the sender seals, a
/// receiver opens. Keyed once (RFC 8723 §3.1: the SRTP KDF with labels 0x00 and 0x02 on the inner
/// half); the raw session keys are wiped at once. `wipe()` frees it; later use is `.keyRevoked`.
final class InnerContext {
    private var context: OpenSSLCryptoContext?

    init(
        profile: SRTPProfile, masterKey: UnsafeRawBufferPointer,
        masterSalt: UnsafeRawBufferPointer, sealing: Bool
    ) throws(SRTPError) {
        context = try OpenSSLEngine.withSessionKeys(
            profile, masterKey: masterKey, masterSalt: masterSalt, OpenSSLEngine.srtpLabels
        ) { key, salt, auth throws(SRTPError) in
            try OpenSSLCryptoContext(
                cipher: profile.cipher, sealing: sealing, encryptionKey: key, salt: salt,
                authenticationKey: auth)
        }
    }

    deinit { wipe() }

    /// The GCM context, or `.keyRevoked` once wiped.
    @inline(__always) var keys: OpenSSLCryptoContext {
        get throws(DoubleSRTPError) {
            guard let context else { throw .keyRevoked }
            return context
        }
    }

    func wipe() {
        context?.free()
        context = nil
    }
}

/// Layers keyed from store keys that must be wiped together when a key goes away.
protocol DoubleSRTPLayers: AnyObject, Sendable {
    func wipe()
}

extension OpenSSLEngine: DoubleSRTPLayers {}

/// The lock and key lifetime around the layers of a double SRTP endpoint or of one distributor
/// leg: calls run one at a time under a lock; when a key is revoked, expires or its conference
/// ends, the layers are wiped at once and every later call throws `.keyRevoked` / `.keyExpired`.
final class KeyedLayers<Layers: DoubleSRTPLayers>: KeyDependent, @unchecked Sendable {
    /// Expiry deadline of the keys, in coarse monotonic nanoseconds; `UInt64.max` for none.
    private let deadline: UInt64
    /// Used only under `invalidation`'s lock. A `let`, so a call borrows it without a retain.
    private let layers: Layers
    /// nil while keyed; once the layers are wiped, the error every call throws.
    private let invalidation: Locked<DoubleSRTPError?>

    init(_ layers: Layers, deadline: UInt64) {
        self.deadline = deadline
        self.layers = layers
        invalidation = Locked(nil)
    }

    @inline(__always)
    func withLayers<R>(_ body: (Layers) throws(DoubleSRTPError) -> R) throws(DoubleSRTPError) -> R {
        if deadline != .max, perc_coarse_monotonic_ns() >= deadline {
            invalidate(.keyExpired)
        }
        return try invalidation.withLock { invalidation throws(DoubleSRTPError) -> R in
            if let invalidation { throw invalidation }
            return try body(layers)
        }
    }

    /// Wipes the layers if `condition` holds for them; every later call throws `error`.
    /// Idempotent.
    func invalidate(_ error: DoubleSRTPError, when condition: (Layers) -> Bool = { _ in true }) {
        invalidation.withLock { invalidation in
            guard invalidation == nil, condition(layers) else { return }
            invalidation = error
            layers.wipe()
        }
    }

    /// Wipes the layers for good: every later call throws `error`, even if they were already
    /// invalidated for another reason (a removed distributor leg is `.unknownLeg`).
    func retire(_ error: DoubleSRTPError) {
        invalidation.withLock { invalidation in
            if invalidation == nil { layers.wipe() }
            invalidation = error
        }
    }

    func keyInvalidated(_ reason: KeyInvalidation) {
        invalidate(reason == .expired ? .keyExpired : .keyRevoked)
    }
}
