internal import CPERCShims
import Synchronization

/// Secret bytes owned by the key store. The bytes are reachable only inside `withUnsealed`, and
/// are wiped when the region is wiped or released. A lock keeps a wipe from racing a use.
final class SealedBytes: @unchecked Sendable {
    let count: Int
    private var storage: UnsafeMutableRawPointer?
    private let lock = Mutex(())

    init(count: Int) {
        precondition(count > 0)
        self.count = count
        storage = UnsafeMutableRawPointer.allocate(byteCount: count, alignment: 16)
        storage!.initializeMemory(as: UInt8.self, repeating: 0, count: count)
    }

    /// Copies `bytes` into a new sealed region.
    convenience init(copying bytes: UnsafeRawBufferPointer) {
        self.init(count: bytes.count)
        storage!.copyMemory(from: bytes.baseAddress!, byteCount: bytes.count)
    }

    /// A new sealed region filled from OpenSSL's DRBG.
    convenience init(randomCount count: Int) throws(KeyStoreError) {
        self.init(count: count)
        guard perc_random_bytes(storage!.assumingMemoryBound(to: UInt8.self), count) == 1 else {
            wipe()
            throw .randomGenerationFailed
        }
    }

    var isWiped: Bool { lock.withLock { _ in storage == nil } }

    /// Runs `body` with the secret bytes. Callers must not let the pointer escape. Throws
    /// `KeyStoreError.keyRevoked` if the bytes were wiped.
    func withUnsealed<R>(_ body: (UnsafeRawBufferPointer) throws -> R) throws -> R {
        lock._unsafeLock()
        defer { lock._unsafeUnlock() }
        guard let storage else { throw KeyStoreError.keyRevoked }
        return try body(UnsafeRawBufferPointer(start: storage, count: count))
    }

    /// Runs `body` with writable access, for filling a new region.
    func withMutableBytes<R>(_ body: (UnsafeMutableRawBufferPointer) throws -> R) rethrows -> R {
        precondition(storage != nil, "sealed bytes used after wipe")
        return try body(UnsafeMutableRawBufferPointer(start: storage, count: count))
    }

    /// Zeroes and releases the bytes. Idempotent.
    func wipe() {
        lock._unsafeLock()
        defer { lock._unsafeUnlock() }
        guard let storage else { return }
        perc_wipe(storage, count)
        storage.deallocate()
        self.storage = nil
    }

    deinit { wipe() }
}

extension SealedBytes: CustomStringConvertible, CustomDebugStringConvertible,
    CustomReflectable
{
    var description: String { "SealedBytes(\(count) octets, redacted)" }
    var debugDescription: String { description }
    var customMirror: Mirror { Mirror(self, children: ["count": count], displayStyle: .class) }
}
