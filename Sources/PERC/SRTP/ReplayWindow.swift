/// A sliding replay window over packet indices (RFC 3711 §3.3.2).
///
/// `check` never changes state; `accept` is called only after the packet authenticated. Indices
/// ahead of the highest one are fresh; indices inside the window are fresh once; indices
/// `size` or more behind the highest are too old (treated as already received).
///
/// ```
///  ring of `capacity` bits (≥ size, a power of two ≥ 64): bit (i mod capacity) records index i
///  |<------------------- size ------------------->|
///  [highest − size + 1  . . .  highest − 1, highest]  ← fresh if bit clear
///   older: tooOld                                      newer: fresh, moves the window
/// ```
struct ReplayWindow {
    /// Smallest and largest configurable window sizes, in packets.
    static let sizes: ClosedRange<Int> = 64...32768

    enum Verdict: Equatable {
        case fresh
        case replayed
        case tooOld
    }

    let size: UInt64
    private var bits: [UInt64]
    private var highest: UInt64?

    init(size: Int) {
        precondition(Self.sizes.contains(size), "replay window size out of range")
        self.size = UInt64(size)
        // A power-of-two capacity turns `index mod capacity` into a mask: two 64-bit divisions
        // fewer per packet (check and accept).
        var words = 1
        while words * 64 < size { words *= 2 }
        bits = Array(repeating: 0, count: words)
    }

    private var capacity: UInt64 { UInt64(bits.count) * 64 }

    func check(_ index: UInt64) -> Verdict {
        guard let highest, index <= highest else { return .fresh }
        if highest - index >= size { return .tooOld }
        return isSet(index) ? .replayed : .fresh
    }

    /// Records `index` as received, moving the window forward if it is the new highest. Indices
    /// `check` calls too old are ignored (their bit now belongs to a newer index).
    mutating func accept(_ index: UInt64) {
        guard let highest else {
            highest = index
            set(index)
            return
        }
        if index > highest {
            let advance = index - highest
            if advance >= capacity {
                for word in bits.indices { bits[word] = 0 }
            } else if advance > 1 {
                clear(from: highest + 1, count: advance - 1)
            }
            self.highest = index
        } else if highest - index >= size {
            return
        }
        set(index)
    }

    @inline(__always) private func position(_ index: UInt64) -> (word: Int, mask: UInt64) {
        let bit = index & (capacity - 1)
        return (Int(bit >> 6), 1 << (bit & 63))
    }

    private func isSet(_ index: UInt64) -> Bool {
        let p = position(index)
        return bits[p.word] & p.mask != 0
    }

    private mutating func set(_ index: UInt64) {
        let p = position(index)
        bits[p.word] |= p.mask
    }

    /// Clears the bits of `count` consecutive indices from `first`, a word at a time.
    private mutating func clear(from first: UInt64, count: UInt64) {
        var bit = first & (capacity - 1)
        var remaining = count
        while remaining > 0 {
            let offset = bit % 64
            let span = min(64 - offset, remaining)
            let mask: UInt64 = span == 64 ? .max : ((1 << span) - 1) << offset
            bits[Int(bit / 64)] &= ~mask
            remaining -= span
            bit = (bit + span) & (capacity - 1)
        }
    }
}
