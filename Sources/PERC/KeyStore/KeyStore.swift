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
/// every session keyed from it; later use is `KeyStoreError.keyRevoked` / `.keyExpired`. A key
/// with a TTL is wiped by a background sweeper when it expires, even if nobody touches it.
///
/// Key bytes live in guarded memory (see `MemoryProtection`); `memoryProtection` reports what the
/// kernel actually granted.
public final class KeyStore: Sendable {
    private static let nextStoreID = Atomic<UInt64>(1)

    let id: UInt64
    private let state = Locked(State())
    private let sweeper = ExpirySweeper()

    private struct State {
        var records: [UInt64: KeyRecord] = [:]
        var tombstones: [UInt64: KeyInvalidation] = [:]
        var nextKeyID: UInt64 = 1
        var closed = false
        var protection = MemoryProtection.full
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

    /// Creates a random key of `length` octets bound to `usage`.
    func generateKey(
        usage: KeyUsage, length: Int, scope: KeyScope = .unscoped, expiresAfter ttl: Duration? = nil
    ) throws(KeyStoreError) -> KeyHandle {
        let material = try SealedBytes(randomCount: length)
        return try insert(material, usage: usage, keyLength: length, scope: scope, ttl: ttl)
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
        let material = try SealedBytes(count: key.count + salt.count) { region in
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
            state.protection = state.protection.intersection(material.protection)
            return .inserted(KeyHandle(id: keyID, storeID: id, usage: usage))
        }
        switch outcome {
        case .inserted(let handle):
            if let deadline { sweeper.arm(for: deadline, sweeping: self) }
            return handle
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
        guard handle.storeID == id else { return dependent.keyInvalidated(.revoked) }
        let record = state.withLock { $0.records[handle.id] }
        if let record {
            record.addDependent(dependent)
            // Invalidated between the lookup and addDependent: it may have missed the dependent.
            guard record.material.isWiped else { return }
        }
        dependent.keyInvalidated(state.withLock { $0.tombstones[handle.id] } ?? .revoked)
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

    /// Wipes every key whose expiry has passed, and the sessions keyed from them. The store's
    /// sweeper does this on its own when a deadline passes; call it to purge at a moment of your
    /// choosing.
    public func purgeExpired() {
        _ = purgeExpiredKeys()
    }

    /// Wipes every expired key and returns the earliest deadline among the keys left, if any.
    func purgeExpiredKeys() -> UInt64? {
        let (expired, next) = state.withLock { state in
            var expired: [UInt64] = []
            var next: UInt64?
            for (id, record) in state.records {
                if record.isExpired {
                    expired.append(id)
                } else if let deadline = record.deadline {
                    next = min(next ?? deadline, deadline)
                }
            }
            return (expired, next)
        }
        invalidate(ids: expired, reason: .expired)
        return next
    }

    /// Tears the store down: wipes every key and every session keyed from them, stops the expiry
    /// sweeper, and refuses new keys. Also runs when the store is released.
    public func close() {
        let ids = state.withLock { state in
            state.closed = true
            return Array(state.records.keys)
        }
        sweeper.stop()
        invalidate(ids: ids, reason: .revoked)
    }

    /// The number of live (not wiped) keys.
    public var liveKeyCount: Int { state.withLock { $0.records.count } }

    /// The number of live keys bound to `usage`, optionally only those of `scope`: for example,
    /// to show that a Media Distributor's store holds no end-to-end (`.srtpMaster`, `.ekt`) key.
    public func liveKeyCount(usage: KeyUsage, scope: KeyScope? = nil) -> Int {
        state.withLock { state in
            state.records.values.count { record in
                record.usage == usage && (scope == nil || record.scope == scope)
            }
        }
    }

    /// The protection every key this store has sealed so far was granted: a protection is
    /// reported only if it held for all of them, including keys wiped since. `.full` until the
    /// first key. Check `memoryProtection.warnings` after creating keys; see `MemoryProtection`.
    public var memoryProtection: MemoryProtection { state.withLock { $0.protection } }

    /// The sealed bytes behind a live handle, for tests that inspect the guarded region.
    func sealedBytesForTesting(_ handle: KeyHandle) -> SealedBytes? {
        state.withLock { $0.records[handle.id]?.material }
    }

    /// Whether the expiry sweeper has a timer, for tests.
    var isSweeperRunning: Bool { sweeper.isRunning }

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
    private let dependents = Locked<[WeakDependent]>([])

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

    /// The deadline `ttl` from now; a TTL too long to represent never expires (`UInt64.max`).
    static func deadline(after ttl: Duration) -> UInt64 {
        let (seconds, attoseconds) = ttl.components
        guard seconds >= 0 else { return perc_coarse_monotonic_ns() }
        let (whole, o1) = UInt64(seconds).multipliedReportingOverflow(by: 1_000_000_000)
        let (nanos, o2) = whole.addingReportingOverflow(UInt64(max(0, attoseconds) / 1_000_000_000))
        let (deadline, o3) = perc_coarse_monotonic_ns().addingReportingOverflow(nanos)
        return o1 || o2 || o3 ? .max : deadline
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
