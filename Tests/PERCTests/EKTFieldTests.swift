import Testing

@testable import PERC

/// The EKT tag codec (RFC 8870 §4.1): parsing from the end of a packet, and encoding. No keys.
@Suite struct EKTFieldTests {
    typealias Example = EKTTestSupport.SpecExample

    /// A stand-in for a protected SRTP packet the tag follows.
    static let srtp: [UInt8] = [0x80, 0x60, 0x00, 0x01] + [UInt8](repeating: 0xAB, count: 24)

    @Test func specExampleParses() throws {
        let (field, length) = try EKTField.parse(Example.field)
        #expect(length == 47)
        guard case .full(let full) = field else {
            Issue.record("not a FullEKTField")
            return
        }
        #expect(full.spi == 1)
        #expect(full.epoch == 0)
        #expect(full.ciphertext == Array(Example.field[..<40]))
        #expect(full.encodedLength == 47)
        #expect(full.bytes == Example.field)
    }

    @Test func parsesFromTheEndOfAPacketAndReportsTheLengthToStrip() throws {
        let packet = Self.srtp + Example.field
        let (field, length) = try EKTField.parse(packet)
        #expect(length == Example.field.count)
        #expect(Array(packet[..<(packet.count - length)]) == Self.srtp)
        #expect(field.encodedLength == length)
        // The length argument bounds the parse: the same tag at the end of the first octets.
        let padded = packet + [0xEE, 0xEE]
        let bounded = try padded.withUnsafeBytes { try EKTField.parse($0, length: packet.count) }
        #expect(bounded.field == field)
    }

    @Test func shortFieldIsOneOctet() throws {
        let (field, length) = try EKTField.parse(Self.srtp + [0x00])
        #expect(field == .short)
        #expect(length == 1)
        #expect(field.encodedLength == 1)
        var packet = Self.srtp
        EKTField.short.append(to: &packet)
        #expect(packet == Self.srtp + [0x00])
    }

    @Test func fullFieldEncodesAsItParses() throws {
        let ciphertext = (0..<56).map { UInt8($0) }
        let full = try FullEKTField(ciphertext: ciphertext, spi: 0xBEEF, epoch: 0x1234)
        #expect(full.encodedLength == 63)
        #expect(full.bytes == ciphertext + [0xBE, 0xEF, 0x12, 0x34, 0x00, 0x3F, 0x02])
        var packet = Self.srtp
        EKTField.full(full).append(to: &packet)
        #expect(try EKTField.parse(packet) == (.full(full), 63))
    }

    @Test func writesInPlaceAfterThePacket() throws {
        let full = try #require(
            try { () throws -> FullEKTField? in
                guard case .full(let f) = try EKTField.parse(Example.field).field else {
                    return nil
                }
                return f
            }())
        var buffer = Self.srtp + [UInt8](repeating: 0, count: 47)
        let end = try buffer.withUnsafeMutableBytes {
            try EKTField.full(full).write(into: $0, at: Self.srtp.count)
        }
        #expect(end == buffer.count)
        #expect(Array(buffer[Self.srtp.count...]) == Example.field)
        // No room: nothing written, typed error.
        var tight = Self.srtp + [UInt8](repeating: 0, count: 46)
        #expect(throws: EKTError.self) {
            try tight.withUnsafeMutableBytes {
                try EKTField.full(full).write(into: $0, at: Self.srtp.count)
            }
        }
        #expect(tight == Self.srtp + [UInt8](repeating: 0, count: 46))
    }

    @Test func fieldWithItsHeadCutOffAtEveryLengthIsRejected() {
        // The trailer survives but EKTMsgLength claims more than the buffer holds.
        for cut in 1...Example.field.count {
            let tail = Array(Example.field[cut...])
            #expect(throws: EKTError.self, "\(tail.count) octets") { try EKTField.parse(tail) }
            if tail.count >= 7 {
                #expect(throws: EKTError.malformed(.lengthPastEnd)) { try EKTField.parse(tail) }
            } else if !tail.isEmpty {
                #expect(throws: EKTError.malformed(.truncated)) { try EKTField.parse(tail) }
            }
        }
    }

    @Test func fieldCutShortAtEveryLengthIsNeverAFullField() {
        // A packet that lost its last octets ends in arbitrary bytes: whatever the last octet
        // says, the codec must not produce a Full field, crash, or read past the buffer (each
        // prefix is its own exact-size array, so an out-of-bounds read would trap).
        let packet = Self.srtp + Example.field
        for length in 0..<packet.count {
            let prefix = Array(packet[..<length])
            do {
                let (field, tagLength) = try EKTField.parse(prefix)
                #expect(field == .short, "length \(length)")
                #expect(tagLength == 1)
                #expect(prefix.last == 0x00)
            } catch {
                // Typed by the signature; nothing more to check.
            }
        }
    }

    @Test func emptyPacketIsTruncated() {
        #expect(throws: EKTError.malformed(.truncated)) { try EKTField.parse([]) }
        #expect(throws: EKTError.malformed(.truncated)) {
            try [UInt8](repeating: 0, count: 4).withUnsafeBytes {
                try EKTField.parse($0, length: 5)
            }
        }
    }

    @Test func unknownTypesAreRejectedWithTheirLengthWhenDefined() {
        // RFC 8870 §4.1: discard the whole tag. Types 1 and 255 carry no length.
        for type: UInt8 in [0x01, 0xFF] {
            #expect(throws: EKTError.unknownMessageType(type, tagLength: nil)) {
                try EKTField.parse(Self.srtp + [0x00, 0x05, type])
            }
        }
        // Extension types 3–254: ExtensionData(1..1024) | EKTMsgLength | type.
        for type in UInt8(3)...UInt8(254) {
            let tag = [0x11, 0x22, 0x00, 0x05, type]  // 2 octets of data + 3
            #expect(throws: EKTError.unknownMessageType(type, tagLength: 5)) {
                try EKTField.parse(Self.srtp + tag)
            }
        }
        // A length that does not fit the packet, or is below 4, is not reported.
        #expect(throws: EKTError.unknownMessageType(0x04, tagLength: nil)) {
            try EKTField.parse([0x00, 0x40, 0x04])
        }
        #expect(throws: EKTError.unknownMessageType(0x04, tagLength: nil)) {
            try EKTField.parse(Self.srtp + [0x00, 0x03, 0x04])
        }
        #expect(throws: EKTError.unknownMessageType(0x04, tagLength: nil)) {
            try EKTField.parse([0x04])
        }
    }

    @Test func msgLengthBelowTheSmallestFieldIsRejected() {
        // Anything below 7 + 16 cannot be a FullEKTField, including values under 7.
        for claimed in 0..<23 {
            let field =
                [UInt8](repeating: 0x5A, count: 40) + [0, 1, 0, 0, 0, UInt8(claimed), 0x02]
            #expect(throws: EKTError.malformed(.lengthTooSmall), "EKTMsgLength \(claimed)") {
                try EKTField.parse(Self.srtp + field)
            }
        }
    }

    @Test func msgLengthLargerThanTheBufferIsRejected() throws {
        let packet = Self.srtp + Example.field
        for claimed in [packet.count + 1, packet.count + 8, 0xFFFF] {
            var altered = packet
            altered[altered.count - 3] = UInt8(claimed >> 8)
            altered[altered.count - 2] = UInt8(claimed & 0xFF)
            #expect(throws: EKTError.malformed(.lengthPastEnd)) { try EKTField.parse(altered) }
        }
        // Exactly the whole buffer is acceptable to the codec (the caller sees no SRTP left).
        var whole = [UInt8](repeating: 0xAB, count: 8) + Example.field
        whole[whole.count - 2] = UInt8(whole.count)
        #expect(throws: Never.self) { try EKTField.parse(whole) }
        #expect(try EKTField.parse(whole).length == whole.count)
    }

    @Test func ciphertextThatIsNoKeyWrapOutputIsRejected() {
        // Not a multiple of 8, or above the 251-octet ABNF bound (248 as whole blocks).
        for ciphertextLength in [17, 23, 41, 47, 256] {
            let field =
                [UInt8](repeating: 0x5A, count: ciphertextLength)
                + [
                    0, 1, 0, 0, UInt8((ciphertextLength + 7) >> 8),
                    UInt8((ciphertextLength + 7) & 0xFF), 0x02,
                ]
            #expect(throws: EKTError.malformed(.ciphertextLength), "\(ciphertextLength)") {
                try EKTField.parse(Self.srtp + field)
            }
        }
        #expect(throws: EKTError.malformed(.ciphertextLength)) {
            try FullEKTField(ciphertext: [UInt8](repeating: 0, count: 8), spi: 0, epoch: 0)
        }
    }

    @Test func garbageTrailerAfterTheFieldIsNotTakenForIt() throws {
        // Octets appended after a valid field: the last octet is read as the type, so the tag
        // is never the original Full field.
        for garbage: [UInt8] in [[0x01], [0xFF], [0x00, 0x07, 0x09], [0xDE, 0xAD, 0x02]] {
            let packet = Self.srtp + Example.field + garbage
            do {
                let (field, _) = try EKTField.parse(packet)
                #expect(field == .short)  // only a trailing 0x00 can parse, as a Short tag
            } catch {
                // typed EKTError
            }
        }
        // A crafted trailer that is itself a well-formed Full field parses as that field, never
        // as the original: its ciphertext is other octets and fails to unwrap (EKTKeyStoreTests).
        let crafted = Self.srtp + Example.field + [0, 0, 0, 0, 0, 31, 0x02]
        let original = try? EKTField.parse(Example.field).field
        #expect(try EKTField.parse(crafted).field != original)
        #expect(try EKTField.parse(crafted).length == 31)
    }

    @Test func descriptionShowsNoCiphertext() throws {
        guard case .full(let full) = try EKTField.parse(Example.field).field else {
            Issue.record("not full")
            return
        }
        #expect(full.description == "FullEKTField(SPI 1, epoch 0, 40-octet ciphertext)")
    }

    @Test func randomBuffersNeverCrashTheCodecs() {
        // Deterministic noise through every parser that reads untrusted bytes: the EKT tag, the
        // DTLS messages and the Encryption-Key header. Each buffer is its exact size, so any read
        // past the end traps. Outcomes are whatever they are; nothing may be imported wrongly.
        var random = SeededGenerator(seed: 0x8870)
        let store = KeyStore()
        var imported = 0
        for round in 0..<20_000 {
            let count = Int(random.next() % 80)
            var bytes = (0..<count).map { _ in UInt8(truncatingIfNeeded: random.next()) }
            if round % 3 == 0, count > 0 { bytes[count - 1] = 0x02 }  // force the Full path
            if round % 5 == 0, count > 3 { bytes[count - 3] = 0 }  // plausible lengths
            _ = try? EKTField.parse(bytes)
            _ = try? SupportedEKTCiphers.decodeOffer(bytes)
            if (try? store.importEKTKey(fromDTLSMessage: bytes, cipher: .aeskw128)) != nil {
                imported += 1
            }
            let text = String(decoding: bytes.map { 0x20 + $0 % 0x5F }, as: UTF8.self)
            if (try? store.importEKTKey(fromEncryptionKeyHeader: text)) != nil { imported += 1 }
        }
        #expect(store.liveKeyCount == imported)
    }
}
