/// Which EKT keys a receiver still accepts during a rekey, and when it retires the older ones.
///
/// In a rekey the Key Distributor hands every endpoint a new EKT key with a new SPI, and every
/// sender moves to it, each at its own moment (RFC 8871 §4.5.2, RFC 8870 §4.5). A receiver keeps
/// accepting the older keys for `overlap` after it first learns of the newest one — the
/// application announced it, or a FullEKTField under it delivered a key — and then retires them.
///
/// "Newest" is the key imported last into the store (the highest key id): SPIs carry no order.
struct EKTRekeyOverlap: Sendable {
    /// An EKT key the receiver has seen, with its SPI.
    struct Key: Hashable, Sendable {
        let handle: KeyHandle
        let spi: UInt16
    }

    let overlap: UInt64
    /// The newest key and when the receiver learned of it.
    private(set) var newest: (key: Key, since: UInt64)?
    /// Keys older than `newest` the receiver has seen; retired at `newest.since + overlap`.
    private(set) var older: Set<Key> = []

    init(overlap: UInt64) {
        self.overlap = overlap
    }

    /// Notes that `key` is in use at `now`.
    mutating func note(_ key: Key, now: UInt64) {
        guard let current = newest else {
            newest = (key, now)
            return
        }
        if key.handle == current.key.handle { return }
        if key.handle.id > current.key.handle.id {
            older.insert(current.key)
            newest = (key, now)
        } else {
            older.insert(key)
        }
    }

    /// When the older keys retire; nil if there are none.
    var deadline: UInt64? {
        guard let newest, !older.isEmpty else { return nil }
        let (sum, overflow) = newest.since.addingReportingOverflow(overlap)
        return overflow ? .max : sum
    }

    /// The older keys if their time has come at `now`, and forgets them.
    mutating func takeRetired(now: UInt64) -> Set<Key> {
        guard let deadline, now >= deadline else { return [] }
        defer { older = [] }
        return older
    }
}
