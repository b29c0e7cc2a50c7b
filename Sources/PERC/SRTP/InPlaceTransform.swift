/// The byte-array convenience behind every session type's `…(_ packet: inout [UInt8])` calls: it
/// runs the in-place, buffer-based operation on the array's storage.
enum InPlaceTransform {
    /// Runs `operation` on `packet` with `growth` octets of room appended for the output, trims
    /// `packet` to the length it returns, and returns its result. On failure `packet` is as it was.
    static func apply<R, E: Error>(
        _ packet: inout [UInt8], growth: Int,
        _ operation: (UnsafeMutableRawBufferPointer, Int) throws(E) -> (length: Int, result: R)
    ) throws(E) -> R {
        let length = packet.count
        if growth > 0 { packet.append(contentsOf: repeatElement(0, count: growth)) }
        // Array's withUnsafeMutableBytes rethrows untyped; carry the typed error out in a Result.
        let outcome = packet.withUnsafeMutableBytes { buffer in
            Result { () throws(E) -> (length: Int, result: R) in try operation(buffer, length) }
        }
        switch outcome {
        case .success(let output):
            packet.removeLast(packet.count - output.length)
            return output.result
        case .failure(let error):
            if growth > 0 { packet.removeLast(growth) }
            throw error
        }
    }

    /// `apply` for operations that return only the new length.
    static func apply<E: Error>(
        _ packet: inout [UInt8], growth: Int,
        _ operation: (UnsafeMutableRawBufferPointer, Int) throws(E) -> Int
    ) throws(E) {
        try apply(&packet, growth: growth) { buffer, length throws(E) in
            (length: try operation(buffer, length), result: ())
        }
    }
}
