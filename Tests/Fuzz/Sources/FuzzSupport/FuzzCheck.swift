/// Stops the process with `message` when an invariant does not hold. libFuzzer reports the trap
/// as a crash and saves the input that caused it (run with `SWIFT_BACKTRACE=enable=no`, or the
/// Swift backtracer hides the trap from libFuzzer).
public func fuzzCheck(
    _ condition: @autoclosure () -> Bool, _ message: @autoclosure () -> String,
    file: StaticString = #fileID, line: UInt = #line
) {
    guard condition() else {
        fatalError("fuzz invariant violated: \(message())", file: file, line: line)
    }
}

/// The input libFuzzer hands to `LLVMFuzzerTestOneInput`: an optional selector octet that picks
/// a configuration, then the bytes under test.
public struct FuzzInput {
    public let bytes: UnsafeRawBufferPointer

    public init(_ data: UnsafePointer<UInt8>, _ count: Int) {
        bytes = UnsafeRawBufferPointer(start: data, count: count)
    }

    /// The first octet and the rest, or nil for an empty input.
    public var selectorAndBody: (selector: UInt8, body: UnsafeRawBufferPointer)? {
        guard let selector = bytes.first else { return nil }
        return (selector, UnsafeRawBufferPointer(rebasing: bytes[1...]))
    }
}

extension UnsafeRawBufferPointer {
    /// The big-endian integer of `octets` octets at `offset`; the caller checked the bounds.
    public func bigEndian(at offset: Int, octets: Int) -> UInt32 {
        var value: UInt32 = 0
        for byte in self[offset..<offset + octets] { value = value << 8 | UInt32(byte) }
        return value
    }
}

/// `value` as four big-endian octets.
public func bigEndianOctets(_ value: UInt32) -> [UInt8] {
    [UInt8(value >> 24), UInt8(value >> 16 & 0xFF), UInt8(value >> 8 & 0xFF), UInt8(value & 0xFF)]
}
