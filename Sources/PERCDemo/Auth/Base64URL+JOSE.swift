import PERC

extension Base64URL {
    /// The octets of `text` if it is base64url without padding, as JOSE requires (RFC 7515 §2:
    /// "with all trailing '=' characters omitted"); nil otherwise.
    static func decodeUnpadded(_ text: some StringProtocol) -> [UInt8]? {
        guard !text.utf8.contains(UInt8(ascii: "=")) else { return nil }
        return decode(text)
    }
}
