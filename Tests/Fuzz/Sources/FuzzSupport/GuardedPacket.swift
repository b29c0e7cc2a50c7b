/// A copy of an input packet in a buffer with spare room (`extra` octets a call may grow into)
/// and a canary region behind that, so a check can tell that a call changed nothing on failure
/// and never wrote past the capacity it was given.
///
/// ```
/// | packet (count) | spare (extra) | canary (16) |
/// |<------ buffer the call sees --->|
/// ```
public final class GuardedPacket {
    static let canaryLength = 16
    static let canaryByte: UInt8 = 0xA5
    static let spareByte: UInt8 = 0x5A

    public let count: Int
    public let extra: Int
    private let storage: UnsafeMutableRawBufferPointer

    public init(copying packet: UnsafeRawBufferPointer, extra: Int = 0) {
        count = packet.count
        self.extra = extra
        storage = .allocate(byteCount: packet.count + extra + Self.canaryLength, alignment: 16)
        storage.copyMemory(from: packet)
        for offset in packet.count..<storage.count {
            storage[offset] = offset < packet.count + extra ? Self.spareByte : Self.canaryByte
        }
    }

    deinit { storage.deallocate() }

    /// The region a transform may use: the packet and the spare room, not the canary.
    public var buffer: UnsafeMutableRawBufferPointer {
        UnsafeMutableRawBufferPointer(rebasing: storage[..<(count + extra)])
    }

    /// True when nothing was written behind the buffer.
    public var canaryIntact: Bool {
        storage[(count + extra)...].allSatisfy { $0 == Self.canaryByte }
    }

    /// True when the packet and the spare room hold exactly what they held at creation.
    public func isUnchanged(from packet: UnsafeRawBufferPointer) -> Bool {
        storage[..<count].elementsEqual(packet)
            && storage[count..<count + extra].allSatisfy { $0 == Self.spareByte }
    }
}
