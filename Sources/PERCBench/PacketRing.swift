/// `count` packet buffers in one contiguous allocation, each `stride` octets (a multiple of 64, so
/// every packet starts on its own cache line). A batch processes each slot once, in order.
final class PacketRing {
    let count: Int
    let stride: Int
    private let storage: UnsafeMutableRawBufferPointer

    init(count: Int, capacity: Int) {
        precondition(count > 0 && capacity > 0)
        self.count = count
        stride = (capacity + 63) / 64 * 64
        storage = .allocate(byteCount: count * stride, alignment: 64)
        storage.initializeMemory(as: UInt8.self, repeating: 0)
    }

    deinit { storage.deallocate() }

    @inline(__always)
    func slot(_ i: Int) -> UnsafeMutableRawBufferPointer {
        UnsafeMutableRawBufferPointer(rebasing: storage[i * stride..<(i + 1) * stride])
    }
}
