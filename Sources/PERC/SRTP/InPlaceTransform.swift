/// The byte-array convenience shared by every session type's `protect…(_ packet: inout [UInt8])`.
enum InPlaceTransform {
    /// Runs an in-place packet transform on `packet`, with `growth` octets of room appended for
    /// the output, and trims `packet` to the length it returns. On failure `packet` is as it was.
    static func apply<E: Error>(
        _ packet: inout [UInt8], growth: Int,
        _ operation: (UnsafeMutableRawBufferPointer, Int) throws(E) -> Int
    ) throws(E) {
        let length = packet.count
        if growth > 0 { packet.append(contentsOf: repeatElement(0, count: growth)) }
        // Array's withUnsafeMutableBytes rethrows untyped; carry the typed error out in a Result.
        let outcome = packet.withUnsafeMutableBytes { buffer in
            Result { () throws(E) -> Int in try operation(buffer, length) }
        }
        switch outcome {
        case .success(let newLength):
            packet.removeLast(packet.count - newLength)
        case .failure(let error):
            if growth > 0 { packet.removeLast(growth) }
            throw error
        }
    }
}
