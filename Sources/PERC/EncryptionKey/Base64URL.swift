/// base64url (RFC 4648 §5): the alphabet `A–Z a–z 0–9 - _`. Decoding accepts input with or
/// without `=` padding but is otherwise strict: no other characters, no whitespace, correct
/// padding only, and zero unused trailing bits (one text per octet string). Encoding emits no
/// padding, as the Encryption-Key draft's examples do. `package`: `perc demo` (PERCDemo) encodes
/// JWS/JWK fields with it.
package enum Base64URL {
    private static let alphabet = Array(
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_".utf8)

    /// The decoded length of `text`, or nil if it is not strict base64url.
    static func decodedCount(_ text: ArraySlice<UInt8>) -> Int? {
        guard let symbols = symbolCount(text) else { return nil }
        return symbols * 6 / 8
    }

    /// Decodes `text` into the front of `output`, which holds `decodedCount(text)` octets.
    /// Returns false (with `output` untouched past what was written) if `text` is not strict
    /// base64url.
    static func decode(_ text: ArraySlice<UInt8>, into output: UnsafeMutableRawBufferPointer)
        -> Bool
    {
        guard let symbols = symbolCount(text), output.count >= symbols * 6 / 8 else {
            return false
        }
        var accumulator: UInt32 = 0
        var bits = 0
        var written = 0
        for character in text.prefix(symbols) {
            accumulator = accumulator << 6 | UInt32(sextet(character)!)
            bits += 6
            if bits >= 8 {
                bits -= 8
                output[written] = UInt8(truncatingIfNeeded: accumulator >> UInt32(bits))
                written += 1
            }
        }
        // RFC 4648 §3.5: the unused bits of the last symbol must be zero (canonical encoding).
        return accumulator & (1 << UInt32(bits) - 1) == 0
    }

    /// The octets `text` encodes, or nil if it is not strict base64url.
    package static func decode(_ text: some StringProtocol) -> [UInt8]? {
        let characters = ArraySlice(text.utf8)
        guard let count = decodedCount(characters) else { return nil }
        var out = [UInt8](repeating: 0, count: count)
        let decoded = out.withUnsafeMutableBytes { decode(characters, into: $0) }
        return decoded ? out : nil
    }

    /// base64url of `bytes`, without padding. For public data (JWS parts, JWK coordinates): the
    /// contiguous copy it makes is not wiped.
    package static func encode(_ bytes: some Sequence<UInt8>) -> String {
        let contiguous = Array(bytes)
        return contiguous.withUnsafeBytes { encode($0) }
    }

    /// base64url of `bytes`, without padding.
    package static func encode(_ bytes: UnsafeRawBufferPointer) -> String {
        var out: [UInt8] = []
        out.reserveCapacity((bytes.count + 2) / 3 * 4)
        var index = 0
        while index < bytes.count {
            let chunk = min(3, bytes.count - index)
            var group: UInt32 = 0
            for offset in 0..<3 {
                group = group << 8 | (offset < chunk ? UInt32(bytes[index + offset]) : 0)
            }
            for symbol in 0..<chunk + 1 {
                out.append(alphabet[Int(group >> UInt32(18 - 6 * symbol) & 0x3F)])
            }
            index += 3
        }
        defer { SecretText.wipe(&out) }
        return String(decoding: out, as: UTF8.self)
    }

    /// The number of data symbols in `text` after checking the alphabet and the padding; nil if
    /// either is wrong.
    private static func symbolCount(_ text: ArraySlice<UInt8>) -> Int? {
        let padding = text.reversed().prefix { $0 == UInt8(ascii: "=") }.count
        let symbols = text.count - padding
        guard symbols % 4 != 1 else { return nil }
        // Padding, if present, completes the last 4-symbol group exactly.
        if padding > 0, (symbols + padding) % 4 != 0 || padding > 2 { return nil }
        guard text.prefix(symbols).allSatisfy({ sextet($0) != nil }) else { return nil }
        return symbols
    }

    private static func sextet(_ character: UInt8) -> UInt8? {
        switch character {
        case UInt8(ascii: "A")...UInt8(ascii: "Z"): character - UInt8(ascii: "A")
        case UInt8(ascii: "a")...UInt8(ascii: "z"): character - UInt8(ascii: "a") + 26
        case UInt8(ascii: "0")...UInt8(ascii: "9"): character - UInt8(ascii: "0") + 52
        case UInt8(ascii: "-"): 62
        case UInt8(ascii: "_"): 63
        default: nil
        }
    }
}
