internal import CPERCShims
import Synchronization

/// Something keyed from a store key that must be wiped when that key goes away.
protocol KeyDependent: AnyObject, Sendable {
    /// Called once, without the store's lock held, when the key is revoked, expires, its
    /// conference ends or the store is torn down. The dependent wipes every copy it holds.
    func keyInvalidated(_ reason: KeyInvalidation)
}

/// Why a key stopped being usable.
enum KeyInvalidation: Sendable, Equatable {
    case revoked
    case expired
}

/// The one place key material enters swift-perc. Keys are created from OpenSSL's DRBG or imported,
/// held in sealed memory, bound to one usage and an optional scope and expiry, and referred to by
/// opaque `KeyHandle`s. No API returns key bytes; sessions are keyed from handles.
///
/// Revoking a key, ending its conference, its expiry, or tearing the store down wipes the key and
/// every session keyed from it; later use is `KeyStoreError.keyRevoked` / `.keyExpired`.
public final class KeyStore: Sendable {
    private static let nextStoreID = Atomic<UInt64>(1)

    let id: UInt64
    private let state = Mutex(State())

    private struct State {
        var records: [UInt64: KeyRecord] = [:]
        var tombstones: [UInt64: KeyInvalidation] = [:]
        var nextKeyID: UInt64 = 1
        var closed = false
    }

    public init() {
        id = Self.nextStoreID.add(1, ordering: .relaxed).oldValue
    }

    deinit { close() }

    // MARK: Creating keys

    /// Creates a random SRTP master key and salt sized for `profile`.
    public func generateSRTPMasterKey(
        for profile: SRTPProfile, scope: KeyScope = .unscoped, expiresAfter ttl: Duration? = nil
    ) throws(KeyStoreError) -> KeyHandle {
        let material = try SealedBytes(
            randomCount: profile.masterKeyLength + profile.masterSaltLength)
        return try insert(
            material, usage: .srtpMaster, keyLength: profile.masterKeyLength, scope: scope,
            ttl: ttl)
    }

    /// Imports an SRTP master key and salt negotiated elsewhere (DTLS-SRTP, SDES, test vectors).
    /// The store keeps its own sealed copy; wipe `key` after the call.
    public func importSRTPMasterKey(
        _ key: [UInt8], salt: [UInt8], for profile: SRTPProfile, scope: KeyScope = .unscoped,
        expiresAfter ttl: Duration? = nil
    ) throws(KeyStoreError) -> KeyHandle {
        guard key.count == profile.masterKeyLength else {
            throw .invalidKeyLength(expected: profile.masterKeyLength, actual: key.count)
        }
        guard salt.count == profile.masterSaltLength else {
            throw .invalidKeyLength(expected: profile.masterSaltLength, actual: salt.count)
        }
        let material = SealedBytes(count: key.count + salt.count)
        material.withMutableBytes { region in
            region.copyBytes(from: key)
            UnsafeMutableRawBufferPointer(rebasing: region[key.count...]).copyBytes(from: salt)
        }
        return try insert(
            material, usage: .srtpMaster, keyLength: key.count, scope: scope, ttl: ttl)
    }

    func insert(
        _ material: SealedBytes, usage: KeyUsage, keyLength: Int, scope: KeyScope,
        ttl: Duration?
    ) throws(KeyStoreError) -> KeyHandle {
        // Only an EKT parameter set can conflict, so this always inserts or throws.
        try insert(material, usage: usage, keyLength: keyLength, scope: scope, ttl: ttl, ekt: nil)!
    }

    /// Inserts `material` as a new key. With `ekt`, returns nil (and wipes `material`) when a live
    /// key of `scope` already has that SPI, checked under the store lock (RFC 8870 §4.2: each
    /// parameter set has a distinct SPI).
    func insert(
        _ material: SealedBytes, usage: KeyUsage, keyLength: Int, scope: KeyScope,
        ttl: Duration?, ekt: EKTParameterSet?
    ) throws(KeyStoreError) -> KeyHandle? {
        enum Outcome {
            case inserted(KeyHandle)
            case closed
            case duplicateSPI
        }
        let deadline = ttl.map { KeyRecord.deadline(after: $0) }
        let outcome: Outcome = state.withLock { state in
            guard !state.closed else { return .closed }
            if let ekt, Self.liveEKTRecord(spi: ekt.spi, scope: scope, in: state) != nil {
                return .duplicateSPI
            }
            let keyID = state.nextKeyID
            state.nextKeyID += 1
            state.records[keyID] = KeyRecord(
                material: material, usage: usage, keyLength: keyLength, scope: scope,
                deadline: deadline, ekt: ekt)
            return .inserted(KeyHandle(id: keyID, storeID: id, usage: usage))
        }
        switch outcome {
        case .inserted(let handle): return handle
        case .closed:
            material.wipe()
            throw .keyRevoked
        case .duplicateSPI:
            material.wipe()
            return nil
        }
    }

    /// The unexpired EKT key of `scope` whose parameter set has `spi`, if any.
    func ektKey(spi: UInt16, scope: KeyScope) -> KeyHandle? {
        state.withLock { state in
            Self.liveEKTRecord(spi: spi, scope: scope, in: state).map {
                KeyHandle(id: $0, storeID: id, usage: .ekt)
            }
        }
    }

    private static func liveEKTRecord(spi: UInt16, scope: KeyScope, in state: State) -> UInt64? {
        state.records.first { _, record in
            record.scope == scope && record.ekt?.spi == spi && !record.isExpired
        }?.key
    }

    // MARK: Using keys (internal: only the library's engines see key bytes)

    /// Runs `body` with the key bytes (key ‖ salt for SRTP master keys) and the key length.
    /// Returns the key's expiry deadline (coarse monotonic ns) with the result.
    func withUnsealedKey<R>(
        _ handle: KeyHandle, for usage: KeyUsage,
        _ body: (UnsafeRawBufferPointer, _ keyLength: Int) throws -> R
    ) throws -> (result: R, deadline: UInt64?) {
        let record = try liveRecord(handle, for: usage)
        let result = try record.material.withUnsealed { bytes in
            try body(bytes, record.keyLength)
        }
        return (result, record.deadline)
    }

    /// Registers `dependent` to be wiped with the key. If the key is already gone (revoked while
    /// the dependent was being keyed), the dependent is invalidated at once.
    func register(_ dependent: any KeyDependent, for handle: KeyHandle) {
        let record = state.withLock { $0.records[handle.id] }
        guard let record, handle.storeID == id else {
            dependent.keyInvalidated(.revoked)
            return
        }
        record.addDependent(dependent)
        if record.material.isWiped { dependent.keyInvalidated(.revoked) }
    }

    func liveRecord(_ handle: KeyHandle, for usage: KeyUsage) throws(KeyStoreError)
        -> KeyRecord
    {
        guard handle.storeID == id else { throw .unknownKey }
        guard handle.usage == usage else {
            throw .keyUsageNotPermitted(expected: usage, actual: handle.usage)
        }
        let lookup: Result<KeyRecord, KeyStoreError> = state.withLock { state in
            if let record = state.records[handle.id] { return .success(record) }
            switch state.tombstones[handle.id] {
            case .revoked?: return .failure(.keyRevoked)
            case .expired?: return .failure(.keyExpired)
            case nil: return .failure(state.closed ? .keyRevoked : .unknownKey)
            }
        }
        let record = try lookup.get()
        if record.isExpired {
            invalidate(ids: [handle.id], reason: .expired)
            throw .keyExpired
        }
        return record
    }

    // MARK: Lifetime

    /// Wipes the key and every session keyed from it. Later use of the handle is `.keyRevoked`.
    public func revoke(_ handle: KeyHandle) {
        guard handle.storeID == id else { return }
        invalidate(ids: [handle.id], reason: .revoked)
    }

    /// Wipes every key of `scope` and every session keyed from them.
    public func endConference(_ scope: KeyScope) {
        let ids = state.withLock { state in
            state.records.filter { $0.value.scope == scope }.map(\.key)
        }
        invalidate(ids: ids, reason: .revoked)
    }

    /// Wipes every key whose expiry has passed, and the sessions keyed from them.
    public func purgeExpired() {
        let ids = state.withLock { state in
            state.records.filter { $0.value.isExpired }.map(\.key)
        }
        invalidate(ids: ids, reason: .expired)
    }

    /// Tears the store down: wipes every key and every session keyed from them, and refuses new
    /// keys. Also runs when the store is released.
    public func close() {
        let ids = state.withLock { state in
            state.closed = true
            return Array(state.records.keys)
        }
        invalidate(ids: ids, reason: .revoked)
    }

    /// The number of live (not wiped) keys.
    public var liveKeyCount: Int { state.withLock { $0.records.count } }

    private func invalidate(ids: [UInt64], reason: KeyInvalidation) {
        let records = state.withLock { state in
            ids.compactMap { id -> KeyRecord? in
                guard let record = state.records.removeValue(forKey: id) else { return nil }
                state.tombstones[id] = reason
                return record
            }
        }
        for record in records { record.invalidate(reason) }
    }
}

extension KeyStore: CustomStringConvertible {
    public var description: String { "KeyStore(#\(id), \(liveKeyCount) keys, redacted)" }
}

/// One key held by the store: its sealed bytes, what it is for, and who was keyed from it.
final class KeyRecord: Sendable {
    let material: SealedBytes
    let usage: KeyUsage
    /// The key length; for SRTP master keys and EKT keys the salt follows the key.
    let keyLength: Int
    let scope: KeyScope
    /// Coarse monotonic nanoseconds after which the key is expired.
    let deadline: UInt64?
    /// For EKT keys: the cipher and SPI of the parameter set; the salt follows the key.
    let ekt: EKTParameterSet?
    private let dependents = Mutex<[WeakDependent]>([])

    init(
        material: SealedBytes, usage: KeyUsage, keyLength: Int, scope: KeyScope, deadline: UInt64?,
        ekt: EKTParameterSet? = nil
    ) {
        self.material = material
        self.usage = usage
        self.keyLength = keyLength
        self.scope = scope
        self.deadline = deadline
        self.ekt = ekt
    }

    static func deadline(after ttl: Duration) -> UInt64 {
        let (seconds, attoseconds) = ttl.components
        let nanos = max(0, seconds) &* 1_000_000_000 &+ max(0, attoseconds) / 1_000_000_000
        return perc_coarse_monotonic_ns() &+ UInt64(nanos)
    }

    var isExpired: Bool {
        guard let deadline else { return false }
        return perc_coarse_monotonic_ns() >= deadline
    }

    func addDependent(_ dependent: any KeyDependent) {
        dependents.withLock { list in
            list.removeAll { $0.value == nil }
            list.append(WeakDependent(value: dependent))
        }
    }

    func invalidate(_ reason: KeyInvalidation) {
        material.wipe()
        let list = dependents.withLock { list in
            defer { list.removeAll() }
            return list.compactMap(\.value)
        }
        for dependent in list { dependent.keyInvalidated(reason) }
    }
}

private struct WeakDependent: @unchecked Sendable {
    weak var value: (any KeyDependent)?
}
