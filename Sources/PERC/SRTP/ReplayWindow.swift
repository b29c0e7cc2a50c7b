/// A sliding replay window over packet indices (RFC 3711 §3.3.2).
///
/// `check` never changes state; `accept` is called only after the packet authenticated. Indices
/// ahead of the highest one are fresh; indices inside the window are fresh once; indices more than
/// `size − 1` behind the highest are too old.
struct ReplayWindow {
    /// Smallest and largest configurable window sizes, in packets.
    static let sizes: ClosedRange<Int> = 64...32768

    enum Verdict: Equatable {
        case fresh
        case replayed
        case tooOld
    }

    let size: UInt64
    /// Ring bitmap: bit `i mod capacity` records index `i`.
    private var bits: [UInt64]
    private var highest: UInt64?

    init(size: Int) {
        precondition(Self.sizes.contains(size), "replay window size out of range")
        self.size = UInt64(size)
        bits = Array(repeating: 0, count: (size + 63) / 64)
    }

    private var capacity: UInt64 { UInt64(bits.count) * 64 }

    func check(_ index: UInt64) -> Verdict {
        guard let highest, index <= highest else { return .fresh }
        let behind = highest - index
        if behind >= size { return .tooOld }
        return isSet(index) ? .replayed : .fresh
    }

    mutating func accept(_ index: UInt64) {
        if let highest {
            if index > highest {
                let advance = index - highest
                if advance >= capacity {
                    for word in bits.indices { bits[word] = 0 }
                } else {
                    var i = highest + 1
                    while i < index {
                        clear(i)
                        i += 1
                    }
                }
                self.highest = index
            }
        } else {
            highest = index
        }
        set(index)
    }

    @inline(__always) private func position(_ index: UInt64) -> (word: Int, mask: UInt64) {
        let bit = index % capacity
        return (Int(bit / 64), 1 << (bit % 64))
    }

    private func isSet(_ index: UInt64) -> Bool {
        let p = position(index)
        return bits[p.word] & p.mask != 0
    }

    private mutating func set(_ index: UInt64) {
        let p = position(index)
        bits[p.word] |= p.mask
    }

    private mutating func clear(_ index: UInt64) {
        let p = position(index)
        bits[p.word] &= ~p.mask
    }
}
