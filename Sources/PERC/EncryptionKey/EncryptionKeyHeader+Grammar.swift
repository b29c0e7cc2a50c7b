internal import CPERCShims

/// One `parameter` of an Encryption-Key header: its lower-cased name, the offset of the name, and
/// the value with quoting removed. Values may hold key text: wipe them when done. Prints without
/// its value.
struct HeaderParameter: CustomStringConvertible, CustomReflectable {
    let name: String
    let offset: Int
    var value: [UInt8]

    var description: String { "HeaderParameter(\(name) at \(offset), value redacted)" }
    var customMirror: Mirror {
        Mirror(self, children: ["name": name, "offset": offset], displayStyle: .struct)
    }
}

/// The Encryption-Key header grammar (draft-thomson-http-encryption-01 §4, RFC 7230 §3.2.6 and
/// §7, RFC 7231 §3.1.1.1):
///
/// ```
/// Encryption-Key-val    = #encryption_key_params            ; comma list, empty elements allowed
/// encryption_key_params = [ parameter *( OWS ";" OWS parameter ) ]
/// parameter     = token "=" ( token / quoted-string )
/// token         = 1*tchar
/// quoted-string = DQUOTE *( qdtext / quoted-pair ) DQUOTE
/// qdtext        = HTAB / SP / %x21 / %x23-5B / %x5D-7E / obs-text
/// quoted-pair   = "\" ( HTAB / SP / VCHAR / obs-text )
/// ```
/// OWS (SP / HTAB) is allowed around `;` and `,` and at either end, as the draft's own examples
/// write `keyid="a1"; key="..."`; none around `=`.
enum EncryptionKeyGrammar {
    /// The key descriptions (list elements) of a header value, each its parameters in order. On
    /// a syntax error every value read so far is wiped.
    static func parse(_ text: [UInt8]) throws(EncryptionKeyHeaderError) -> [[HeaderParameter]] {
        var scanner = Scanner(text: text)
        var elements: [[HeaderParameter]] = []
        do throws(EncryptionKeyHeaderError) {
            scanner.skipWhitespace()
            while let byte = scanner.peek {
                if byte == UInt8(ascii: ",") {  // RFC 7230 §7: empty list elements are ignored.
                    scanner.advance()
                    scanner.skipWhitespace()
                    continue
                }
                elements.append([try scanner.parameter()])
                scanner.skipWhitespace()
                while scanner.peek == UInt8(ascii: ";") {
                    scanner.advance()
                    scanner.skipWhitespace()
                    elements[elements.count - 1].append(try scanner.parameter())
                    scanner.skipWhitespace()
                }
                guard let separator = scanner.peek else { break }
                guard separator == UInt8(ascii: ",") else {
                    throw .syntax(.expectedSeparator, offset: scanner.offset)
                }
                scanner.advance()
                scanner.skipWhitespace()
            }
            return elements
        } catch {
            wipe(&elements)
            throw error
        }
    }

    /// Wipes every value of `elements`.
    static func wipe(_ elements: inout [[HeaderParameter]]) {
        for element in elements.indices {
            for parameter in elements[element].indices {
                SecretText.wipe(&elements[element][parameter].value)
            }
        }
    }

    private struct Scanner {
        let text: [UInt8]
        var offset = 0

        var peek: UInt8? { offset < text.count ? text[offset] : nil }

        mutating func advance() { offset += 1 }

        mutating func skipWhitespace() {
            while let byte = peek, byte == 0x20 || byte == 0x09 { advance() }
        }

        /// `token "=" ( token / quoted-string )`
        mutating func parameter() throws(EncryptionKeyHeaderError) -> HeaderParameter {
            let nameOffset = offset
            let name = token()
            guard !name.isEmpty else { throw .syntax(.expectedToken, offset: offset) }
            guard peek == UInt8(ascii: "=") else { throw .syntax(.expectedEquals, offset: offset) }
            advance()
            let value: [UInt8]
            if peek == UInt8(ascii: "\"") {
                value = try quotedString()
            } else {
                value = Array(token())
                guard !value.isEmpty else { throw .syntax(.expectedValue, offset: offset) }
            }
            let lowercased = String(decoding: name, as: UTF8.self).lowercased()
            return HeaderParameter(name: lowercased, offset: nameOffset, value: value)
        }

        private mutating func token() -> ArraySlice<UInt8> {
            let start = offset
            while let byte = peek, Self.isTokenCharacter(byte) { advance() }
            return text[start..<offset]
        }

        /// The contents of a quoted-string with its quoted-pairs resolved.
        private mutating func quotedString() throws(EncryptionKeyHeaderError) -> [UInt8] {
            let start = offset
            advance()  // the opening DQUOTE
            var value: [UInt8] = []
            value.reserveCapacity(text.count - offset)  // no reallocation leaves key text behind
            while let byte = peek {
                advance()
                switch byte {
                case UInt8(ascii: "\""):
                    return value
                case UInt8(ascii: "\\"):
                    guard let escaped = peek, escaped == 0x09 || escaped >= 0x20 && escaped != 0x7F
                    else {
                        SecretText.wipe(&value)
                        throw .syntax(.invalidCharacter, offset: offset)
                    }
                    advance()
                    value.append(escaped)
                case 0x09, 0x20...0x7E, 0x80...0xFF:
                    value.append(byte)
                default:
                    SecretText.wipe(&value)
                    throw .syntax(.invalidCharacter, offset: offset - 1)
                }
            }
            SecretText.wipe(&value)
            throw .syntax(.unterminatedQuotedString, offset: start)
        }

        /// tchar (RFC 7230 §3.2.6): `!#$%&'*+-.^_`|~`, DIGIT, ALPHA.
        static func isTokenCharacter(_ byte: UInt8) -> Bool {
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
                UInt8(ascii: "a")...UInt8(ascii: "z"):
                true
            default:
                Array("!#$%&'*+-.^_`|~".utf8).contains(byte)
            }
        }
    }
}

/// Wiping of byte arrays that held key text (base64url of a key, a header value).
enum SecretText {
    /// Zeroes the storage of `bytes` in place. It writes through a read-only view on purpose: a
    /// mutating view would copy storage still shared with another array (copy-on-write) and wipe
    /// the copy, leaving the original. Every array sharing the storage is this module's own.
    static func wipe(_ bytes: inout [UInt8]) {
        bytes.withUnsafeBytes {
            perc_wipe(UnsafeMutableRawPointer(mutating: $0.baseAddress), $0.count)
        }
    }
}
