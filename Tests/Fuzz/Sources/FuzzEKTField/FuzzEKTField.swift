import FuzzSupport
@_spi(Fuzzing) import PERC

/// The EKT tag at the end of an SRTP packet (RFC 8870 §4.1) parsed, and a FullEKTField received
/// through the key store (RFC 8870 §4.3.2 steps 2–6) with fixed EKT keys: the `ekt_field`
/// vector's key, and an AESKW_256 key `00 01 … 1f` under SPI 0x0102 (`make_seeds.py` wraps
/// seeds under both).
///
/// Input: selector octet (mod 3: the receiving transform's master key length 16, 24 or 32) ‖
/// the packet SSRC (4) ‖ the end of a packet, its last octets the EKT tag. Checks: the tag's
/// length fits the packet, a parsed FullEKTField encodes back to exactly the octets it came
/// from, and a received key carries the packet's SSRC, the transform's key length and the
/// field's SPI and epoch; failures are the EKT errors a receiver expects.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzEKTField(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    guard let (selector, body) = FuzzInput(data, size).selectorAndBody, body.count >= 4 else {
        return 0
    }
    let packetSSRC = body.bigEndian(at: 0, octets: 4)
    let expectedKeyLength = [16, 24, 32][Int(selector) % 3]
    let tail = UnsafeRawBufferPointer(rebasing: body[4...])

    let parsed: (field: EKTField, length: Int)
    do {
        parsed = try EKTField.parse(tail, length: tail.count)
    } catch {
        checkParseError(error, tail)
        return 0
    }
    fuzzCheck(parsed.length <= tail.count, "tag of \(parsed.length) in \(tail.count) octets")
    let tag = Array(tail[(tail.count - parsed.length)...])
    switch parsed.field {
    case .short:
        fuzzCheck(tag == [0x00], "ShortEKTField \(tag)")
    case .full(let field):
        fuzzCheck(field.bytes == tag, "FullEKTField does not encode back to its octets")
        let reparsed = Result { () throws(EKTError) in try EKTField.parse(tag) }
        fuzzCheck(reparsed == .success((parsed.field, parsed.length)), "reparse \(reparsed)")
        receive(field, packetSSRC: packetSSRC, expectedKeyLength: expectedKeyLength)
    }
    return 0
}

extension Result where Success == (field: EKTField, length: Int), Failure == EKTError {
    static func == (lhs: Self, rhs: Self) -> Bool {
        switch (lhs, rhs) {
        case (.success(let a), .success(let b)): a.field == b.field && a.length == b.length
        case (.failure(let a), .failure(let b)): a == b
        default: false
        }
    }
}

/// RFC 8870 §4.1: types 1 and 255 define no length, extension types 3–254 end in a 2-octet
/// EKTMsgLength; malformed Full fields are refused.
func checkParseError(_ error: EKTError, _ tail: UnsafeRawBufferPointer) {
    switch error {
    case .malformed:
        fuzzCheck(tail.isEmpty || tail.last == 0x02, "malformed non-Full tag: \(error)")
    case .unknownMessageType(let type, let tagLength):
        fuzzCheck(type == tail.last && type != 0x00 && type != 0x02, "unknown type \(type)")
        if let tagLength {
            fuzzCheck(
                (3...254).contains(type) && tagLength <= tail.count, "tag length \(tagLength)")
        }
    default:
        fuzzCheck(false, "unexpected parse error \(error)")
    }
}

func receive(_ field: FullEKTField, packetSSRC: UInt32, expectedKeyLength: Int) {
    do {
        let key = try FuzzingEntryPoints.receiveFullEKTField(
            field, in: EKTKeys.store, scope: .unscoped, packetSSRC: packetSSRC,
            expectedMasterKeyLength: expectedKeyLength)
        fuzzCheck(key.ssrc == packetSSRC, "received a key for SSRC \(key.ssrc)")
        fuzzCheck(key.masterKeyLength == expectedKeyLength, "key length \(key.masterKeyLength)")
        fuzzCheck(key.spi == field.spi && key.epoch == field.epoch, "SPI or epoch changed")
    } catch {
        switch error {
        case .unknownSPI(let spi): fuzzCheck(spi == field.spi, "unknown SPI \(spi)")
        case .authenticationFailed, .malformed(.plaintextLength), .ssrcMismatch,
            .masterKeyLengthMismatch:
            break
        default: fuzzCheck(false, "unexpected receive error \(error)")
        }
    }
}

/// The EKT keys the receiver knows.
enum EKTKeys {
    static let store: KeyStore = {
        let store = KeyStore()
        let salt = [UInt8](repeating: 0x5A, count: 14)
        let keys: [(cipher: EKTCipher, key: [UInt8], spi: UInt16)] =
            VectorKeys.ekt.map { ($0.cipher, $0.key, $0.spi) }
            + [(.aeskw256, (0..<32).map { UInt8($0) }, 0x0102)]
        for (cipher, key, spi) in keys {
            do {
                _ = try store.importEKTKey(
                    key, parameters: EKTParameters(cipher: cipher, spi: spi, masterSalt: salt))
            } catch {
                fatalError("importing the fuzz EKT keys: \(error)")
            }
        }
        return store
    }()
}
