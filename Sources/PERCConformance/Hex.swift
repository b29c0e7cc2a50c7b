/// Strict hex for vector files: lowercase digits, no spaces, an even number of them
/// (vectors/SCHEMA.md).
public enum Hex {
    /// Why a string is not strict hex.
    public enum DecodingError: Error, Sendable, Equatable, CustomStringConvertible {
        /// An odd number of digits.
        case oddLength(Int)
        /// A character that is not 0-9 or a-f (uppercase digits included), at a character offset.
        case invalidCharacter(Character, offset: Int)

        public var description: String {
            switch self {
            case .oddLength(let count): "odd number of hex digits (\(count))"
            case .invalidCharacter(let character, let offset):
                "invalid hex character \(String(reflecting: character)) at offset \(offset)"
                    + " (lowercase 0-9a-f only)"
            }
        }
    }

    public static func decode(_ string: String) throws(DecodingError) -> [UInt8] {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(string.utf8.count / 2)
        var high: UInt8?
        for (offset, character) in string.enumerated() {
            guard let nibble = nibble(character) else {
                throw .invalidCharacter(character, offset: offset)
            }
            if let h = high {
                bytes.append(h << 4 | nibble)
                high = nil
            } else {
                high = nibble
            }
        }
        guard high == nil else { throw .oddLength(string.count) }
        return bytes
    }

    public static func encode(_ bytes: some Sequence<UInt8>) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var out: [UInt8] = []
        for byte in bytes {
            out.append(digits[Int(byte >> 4)])
            out.append(digits[Int(byte & 0x0F)])
        }
        return String(decoding: out, as: UTF8.self)
    }

    private static func nibble(_ character: Character) -> UInt8? {
        guard let ascii = character.asciiValue else { return nil }
        switch ascii {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return ascii - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return ascii - UInt8(ascii: "a") + 10
        default: return nil
        }
    }
}
