/// The protection the operating system actually granted to sealed key memory.
///
/// Every sealed region always has guard pages on both sides and is inaccessible (`PROT_NONE`)
/// while at rest; if those cannot be set up, no region is created and the store throws
/// `KeyStoreError.memoryUnavailable`. The properties here are the protections that may fail
/// without making the region unusable, so they are reported instead of assumed.
public struct MemoryProtection: Sendable, Hashable, CustomStringConvertible {
    /// The pages are locked in RAM (`mlock`) and are never written to swap. Fails when the
    /// process is over `RLIMIT_MEMLOCK` without `CAP_IPC_LOCK`; always `false` under
    /// AddressSanitizer, whose `mlock` reports success without locking.
    public var locked: Bool
    /// The pages are left out of core dumps (`madvise(MADV_DONTDUMP)`).
    public var excludedFromCoreDumps: Bool
    /// A child created by `fork` sees the pages zeroed (`madvise(MADV_WIPEONFORK)`, Linux 4.14).
    public var wipedOnFork: Bool

    public init(locked: Bool, excludedFromCoreDumps: Bool, wipedOnFork: Bool) {
        self.locked = locked
        self.excludedFromCoreDumps = excludedFromCoreDumps
        self.wipedOnFork = wipedOnFork
    }

    /// Every protection in force.
    public static let full = MemoryProtection(
        locked: true, excludedFromCoreDumps: true, wipedOnFork: true)

    /// The protections in force in both `self` and `other`.
    public func intersection(_ other: MemoryProtection) -> MemoryProtection {
        MemoryProtection(
            locked: locked && other.locked,
            excludedFromCoreDumps: excludedFromCoreDumps && other.excludedFromCoreDumps,
            wipedOnFork: wipedOnFork && other.wipedOnFork)
    }

    /// One warning per protection that is not in force.
    public var warnings: [MemoryProtectionWarning] {
        var warnings: [MemoryProtectionWarning] = []
        if !locked { warnings.append(.notLocked) }
        if !excludedFromCoreDumps { warnings.append(.includedInCoreDumps) }
        if !wipedOnFork { warnings.append(.inheritedByForkedChildren) }
        return warnings
    }

    public var description: String {
        warnings.isEmpty
            ? "MemoryProtection(locked, excluded from core dumps, wiped on fork)"
            : "MemoryProtection(\(warnings.map(\.description).joined(separator: "; ")))"
    }
}

/// A protection that sealed key memory does not have.
public enum MemoryProtectionWarning: Sendable, Hashable, CustomStringConvertible {
    /// `mlock` failed (`RLIMIT_MEMLOCK`, see `ulimit -l`) or is a no-op (AddressSanitizer): key
    /// pages may be written to swap or a hibernation image.
    case notLocked
    /// `MADV_DONTDUMP` failed: a core dump of this process would contain the keys.
    case includedInCoreDumps
    /// `MADV_WIPEONFORK` failed: a child created by `fork` holds a copy of the keys.
    case inheritedByForkedChildren

    public var description: String {
        switch self {
        case .notLocked: "not locked in RAM: may be swapped"
        case .includedInCoreDumps: "included in core dumps"
        case .inheritedByForkedChildren: "inherited by forked children"
        }
    }
}
