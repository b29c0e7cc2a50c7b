internal import CPERCShims

/// Secret bytes owned by the key store (or an engine that must keep key material), held in a
/// `GuardedRegion`: inaccessible at rest, readable only inside `withUnsealed`, writable only while
/// being filled at creation or inside `withMutableBytes`, zeroed and unmapped by `wipe` or on
/// release.
///
/// One lock serialises every unseal, fill and wipe of a region, so a wipe never races a use and
/// one reader can never re-seal the pages under another: concurrent `withUnsealed` calls run one
/// after the other (unsealing happens only while an engine is keyed, so this costs nothing on the
/// packet path). Not reentrant: do not unseal the same `SealedBytes` inside its own `withUnsealed`.
final class SealedBytes: @unchecked Sendable {
    let count: Int
    /// What the kernel granted for the region.
    let protection: MemoryProtection
    /// Guarded by `lock`; `nil` once wiped.
    private var region: GuardedRegion?
    private let lock = Locked(())

    /// A new zero-filled region of `count` octets.
    convenience init(count: Int) throws(KeyStoreError) {
        try self.init(GuardedRegion(count: count))
    }

    /// A new sealed region filled from OpenSSL's DRBG, which writes straight into the region.
    convenience init(randomCount count: Int) throws(KeyStoreError) {
        try self.init(GuardedRegion(count: count, random: true))
    }

    private init(_ region: consuming GuardedRegion) {
        count = region.count
        protection = region.protection
        self.region = consume region
    }

    /// A new region of `count` octets that `fill` writes before it is sealed for the first time.
    convenience init(count: Int, filling fill: (UnsafeMutableRawBufferPointer) -> Void)
        throws(KeyStoreError)
    {
        let region = try GuardedRegion(count: count)
        do {
            try region.protect(.readWrite)
            fill(region.bytes)
            try region.protect(.none)
        } catch {
            region.release()
            throw error
        }
        self.init(region)
    }

    /// Copies `bytes` into a new sealed region.
    convenience init(copying bytes: UnsafeRawBufferPointer) throws(KeyStoreError) {
        try self.init(count: bytes.count) { region in region.copyMemory(from: bytes) }
    }

    var isWiped: Bool {
        lock.lock()
        defer { lock.unlock() }
        return region == nil
    }

    /// Runs `body` with the secret bytes, readable (`PROT_READ`) for the call only. Callers must
    /// not let the pointer escape or copy the bytes anywhere they do not wipe. Throws
    /// `KeyStoreError.keyRevoked` if the bytes were wiped.
    func withUnsealed<R>(_ body: (UnsafeRawBufferPointer) throws -> R) throws -> R {
        lock.lock()
        defer { lock.unlock() }
        let bytes = try openLocked(.read)
        defer { sealLocked() }
        return try body(UnsafeRawBufferPointer(bytes))
    }

    /// Runs `body` with writable access (`PROT_READ|PROT_WRITE`) for the call only, for working
    /// buffers that are filled after creation. Throws `KeyStoreError.keyRevoked` if the bytes were
    /// wiped, and whatever `body` throws.
    func withMutableBytes<R>(_ body: (UnsafeMutableRawBufferPointer) throws -> R) throws -> R {
        lock.lock()
        defer { lock.unlock() }
        let bytes = try openLocked(.readWrite)
        defer { sealLocked() }
        return try body(bytes)
    }

    private func openLocked(_ access: GuardedRegion.Access) throws(KeyStoreError)
        -> UnsafeMutableRawBufferPointer
    {
        guard let bytes = region?.bytes else { throw .keyRevoked }
        try region?.protect(access)
        return bytes
    }

    /// Back to `PROT_NONE`. Fails closed: a region that cannot be sealed again is wiped rather
    /// than left readable.
    private func sealLocked() {
        do { try region?.protect(.none) } catch { wipeLocked() }
    }

    /// Zeroes, unlocks and unmaps the region. Idempotent.
    func wipe() {
        lock.lock()
        defer { lock.unlock() }
        wipeLocked()
    }

    private func wipeLocked() {
        region.take()?.release()
    }

    deinit { wipe() }
}
