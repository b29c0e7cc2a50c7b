import FuzzSupport
import PERC

/// The DTLS EKT messages (RFC 8870 §5.2) decoded against a reference model written from the
/// RFC here: the `EKTKey` handshake message imported into a fresh key store, and the
/// `supported_ekt_ciphers` offer and selection.
///
/// Input: selector octet ‖ the message body. Selector bits 0–1: 0 = `EKTKey` for AESKW_128,
/// 1 = `EKTKey` for AESKW_256, 2 = ClientHello offer, 3 = server selection; for a selection,
/// bits 2–3 say which ciphers were offered (bit 2 AESKW_128, bit 3 AESKW_256).
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzDTLSEKT(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    guard let (selector, body) = FuzzInput(data, size).selectorAndBody else { return 0 }
    let message = Array(body)
    switch selector & 0x03 {
    case 0: checkEKTKey(message, cipher: .aeskw128)
    case 1: checkEKTKey(message, cipher: .aeskw256)
    case 2: checkOffer(message)
    default:
        let offered = [(0x04, EKTCipher.aeskw128), (0x08, .aeskw256)]
            .filter { selector & UInt8($0.0) != 0 }.map(\.1)
        checkSelection(message, offered: offered)
    }
    return 0
}

/// RFC 8870 §5.2.2: `ekt_key_value<1..256> ‖ srtp_master_salt<1..256> ‖ uint16 ekt_spi ‖
/// uint24 ekt_ttl`, two-octet vector lengths, nothing after; the key must fit the negotiated
/// cipher and a zero TTL is refused. On success the store holds the key alone, with the SPI, and
/// exporting it gives back the message (the TTL may have dropped by a second).
func checkEKTKey(_ message: [UInt8], cipher: EKTCipher) {
    let expected = ReferenceEKTKey(message, cipher: cipher)
    let store = KeyStore()
    let handle: KeyHandle
    do {
        handle = try store.importEKTKey(fromDTLSMessage: message, cipher: cipher)
    } catch {
        fuzzCheck(expected == nil, "refused (\(error)) a valid EKTKey message")
        fuzzCheck(store.liveKeyCount == 0, "a refused EKTKey message left a key")
        return
    }
    guard let expected else {
        fuzzCheck(false, "accepted an invalid EKTKey message")
        return
    }
    fuzzCheck(store.liveKeyCount == 1, "\(store.liveKeyCount) keys after one import")
    let parameters = try? store.ektParameters(of: handle)
    fuzzCheck(
        parameters.map { $0 == (cipher, expected.spi) } == true, "parameters \(parameters as Any)")

    let exported = Result { () throws(EKTError) -> [UInt8] in
        try EKTKeyMessage.exportForDelivery(ektKey: handle, from: store) { Array($0) }
    }
    switch exported {
    case .success(let bytes):
        fuzzCheck(
            bytes.count == message.count && bytes.dropLast(3) == message.dropLast(3),
            "the export differs from the message")
        let ttl =
            UInt32(bytes[bytes.count - 3]) << 16 | UInt32(bytes[bytes.count - 2]) << 8
            | UInt32(bytes[bytes.count - 1])
        fuzzCheck(ttl == expected.ttl || ttl + 1 == expected.ttl, "TTL \(expected.ttl) → \(ttl)")
    case .failure(.keyStore(.keyExpired)):
        // Less than a second left of a one-second TTL.
        fuzzCheck(expected.ttl == 1, "export expired a key with TTL \(expected.ttl)")
    case .failure(let error):
        fuzzCheck(false, "export failed: \(error)")
    }
}

/// The model's reading of an `EKTKey` message, or nil where RFC 8870 §5.2.2 refuses it.
struct ReferenceEKTKey {
    let spi: UInt16
    let ttl: UInt32

    init?(_ m: [UInt8], cipher: EKTCipher) {
        func u16(_ at: Int) -> Int { Int(m[at]) << 8 | Int(m[at + 1]) }
        guard m.count >= 2 else { return nil }
        let keyLength = u16(0)
        guard (1...256).contains(keyLength), keyLength == cipher.keyLength,
            m.count >= 2 + keyLength + 2
        else { return nil }
        let saltLength = u16(2 + keyLength)
        guard (1...256).contains(saltLength), m.count == 2 + keyLength + 2 + saltLength + 5
        else { return nil }
        let at = 4 + keyLength + saltLength
        spi = UInt16(u16(at))
        ttl = UInt32(m[at + 2]) << 16 | UInt32(u16(at + 3))
        guard ttl > 0 else { return nil }
    }
}

/// RFC 8870 §5.2.1: `supported_ciphers<1..255>`, a one-octet length and nothing after; unknown
/// and reserved values are skipped, as are repeats.
func checkOffer(_ message: [UInt8]) {
    var expected: [EKTCipher]?
    if let count = message.first, count >= 1, message.count == 1 + Int(count) {
        var ciphers: [EKTCipher] = []
        for value in message.dropFirst() {
            if let cipher = EKTCipher(tlsValue: value), !ciphers.contains(cipher) {
                ciphers.append(cipher)
            }
        }
        expected = ciphers
    }
    let decoded = try? SupportedEKTCiphers.decodeOffer(message)
    fuzzCheck(decoded == expected, "offer \(decoded as Any), expected \(expected as Any)")
    if let decoded, !decoded.isEmpty {
        let encoded = try? SupportedEKTCiphers.encodeOffer(decoded)
        fuzzCheck(
            encoded.flatMap { try? SupportedEKTCiphers.decodeOffer($0) } == decoded,
            "offer does not survive encoding")
    }
}

/// RFC 8870 §5.2.1: the server's one `EKTCipherType`, which the client must have offered.
func checkSelection(_ message: [UInt8], offered: [EKTCipher]) {
    var expected: EKTCipher?
    if message.count == 1, let cipher = EKTCipher(tlsValue: message[0]), offered.contains(cipher) {
        expected = cipher
    }
    let decoded = try? SupportedEKTCiphers.decodeSelection(message, offered: offered)
    fuzzCheck(decoded == expected, "selection \(decoded as Any), expected \(expected as Any)")
    if let decoded {
        fuzzCheck(SupportedEKTCiphers.encodeSelection(decoded) == message, "selection encoding")
    }
}
