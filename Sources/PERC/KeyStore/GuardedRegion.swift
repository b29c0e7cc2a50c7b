internal import CPERCShims

/// One guarded mapping holding a secret (layout in `perc_memory.h`): guard pages on both sides,
/// data pages locked, out of core dumps, zeroed in forked children, and `PROT_NONE` while at rest.
///
/// Cost: each region is its own mapping of `2 + ⌈(count + 15) / page⌉` pages (12 KiB of address
/// space and one locked 4 KiB page for an SRTP master key) and up to three kernel VMAs (adjacent
/// regions' guard pages may merge). `vm.max_map_count`
/// (65530 by default) bounds a process to about 20 000 sealed keys; `RLIMIT_MEMLOCK` (often
/// 8 MiB) to about 2 000 locked ones without `CAP_IPC_LOCK` — beyond it keys are still sealed but
/// reported as not locked. A PERC conference of 1 000 senders needs 1 000 E2E keys: 4 MiB locked.
///
/// Not synchronised: `SealedBytes` owns one and serialises every call under its lock.
struct GuardedRegion: ~Copyable {
    enum Access {
        case none
        case read
        case readWrite
    }

    private let region: perc_guarded_region
    /// What the kernel granted when the region was mapped.
    let protection: MemoryProtection

    /// Maps `count` octets, zeroed or filled from OpenSSL's DRBG (in whole AES blocks, so the
    /// DRBG keeps no partial keystream block equal to the secret's tail), and seals them.
    init(count: Int, random: Bool = false) throws(KeyStoreError) {
        var region = perc_guarded_region()
        var granted: UInt32 = 0
        let status = perc_guarded_map(count, random ? 1 : 0, &region, &granted)
        guard status != PERC_GUARDED_RANDOM_FAILED else { throw .randomGenerationFailed }
        guard status == 0 else { throw .memoryUnavailable("mmap failed, errno \(status)") }
        self.region = region
        protection = MemoryProtection(
            locked: Int(granted) & PERC_GUARDED_LOCKED != 0,
            excludedFromCoreDumps: Int(granted) & PERC_GUARDED_EXCLUDED_FROM_DUMP != 0,
            wipedOnFork: Int(granted) & PERC_GUARDED_WIPED_ON_FORK != 0)
    }

    var count: Int { region.count }

    /// The secret, ending at the trailing guard page. Accessible only between
    /// `protect(.read)`/`protect(.readWrite)` and `protect(.none)`.
    var bytes: UnsafeMutableRawBufferPointer {
        UnsafeMutableRawBufferPointer(start: region.data, count: region.count)
    }

    func protect(_ access: Access) throws(KeyStoreError) {
        let mode =
            switch access {
            case .none: PERC_GUARDED_NO_ACCESS
            case .read: PERC_GUARDED_READ
            case .readWrite: PERC_GUARDED_READ_WRITE
            }
        let status = withUnsafePointer(to: region) { perc_guarded_protect($0, Int32(mode)) }
        guard status == 0 else { throw .memoryUnavailable("mprotect failed, errno \(status)") }
    }

    /// Zeroes every data page and leaves them writable and mapped; `false` if the pages could
    /// not be made writable (nothing was zeroed). Split from `release` so tests can look at the
    /// zeroed pages.
    func zero() -> Bool {
        withUnsafePointer(to: region) { perc_guarded_wipe($0) } == 0
    }

    /// Zeroes the data pages, unlocks and unmaps the region. The region is not used after.
    consuming func release() {
        _ = zero()
        _ = withUnsafePointer(to: region) { perc_guarded_unmap($0) }
    }

    /// True when the C shims were built with AddressSanitizer or ThreadSanitizer: their `mlock`
    /// locks nothing, and their signal handlers turn a guard-page fault into a failure exit.
    static var runningUnderSanitizer: Bool { perc_running_under_sanitizer() != 0 }
}
