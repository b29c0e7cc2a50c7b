import Testing

@testable import PERC

/// The Original Header Block codec and the distributor's update rule (RFC 8723 §4, §5.2 step 3).
@Suite("Original Header Block")
struct OriginalHeaderBlockTests {
    /// Parses `bytes` as an OHB that ends the buffer.
    func parse(_ bytes: [UInt8]) throws(DoubleSRTPError) -> OriginalHeaderBlock {
        let outcome = bytes.withUnsafeBytes { buffer in
            Result { () throws(DoubleSRTPError) in
                try OriginalHeaderBlock(parsingEndOf: buffer, end: buffer.count, start: 0)
            }
        }
        return try outcome.get()
    }

    func encode(_ ohb: OriginalHeaderBlock) -> [UInt8] {
        var bytes = [UInt8](repeating: 0xEE, count: ohb.encodedLength)
        bytes.withUnsafeMutableBytes { ohb.write(into: $0, at: 0) }
        return bytes
    }

    @Test("the wire form: PT, SEQ, Config last")
    func wireForm() {
        #expect(encode(.empty) == [0x00])
        #expect(
            encode(OriginalHeaderBlock(payloadType: 96, sequenceNumber: 0x1234, marker: true))
                == [0x60, 0x12, 0x34, 0x0F])
        #expect(encode(OriginalHeaderBlock(marker: false)) == [0x04])
        #expect(encode(OriginalHeaderBlock(marker: true)) == [0x0C])
        #expect(encode(OriginalHeaderBlock(payloadType: 0x7F)) == [0x7F, 0x02])
        #expect(encode(OriginalHeaderBlock(sequenceNumber: 0xFFFF)) == [0xFF, 0xFF, 0x01])
    }

    @Test("every Config octet: valid ones round-trip, invalid ones get their typed error")
    func everyConfig() throws {
        for config in 0...255 {
            let config = UInt8(config)
            let bytes = [UInt8](repeating: 0x55, count: 3) + [config]
            let hasPT = config & 0x02 != 0
            let hasSEQ = config & 0x01 != 0
            let expected = bytes.suffix(1 + (hasPT ? 1 : 0) + (hasSEQ ? 2 : 0))
            if config & 0xF0 != 0 {
                #expect(throws: DoubleSRTPError.invalidOriginalHeaderBlock(.reservedBits)) {
                    try parse(bytes)
                }
            } else if config & 0x0C == 0x08 {
                // RFC 8723 §4's "(C & 0x0C) MUST NOT have the value 0x80" means 0x08.
                #expect(throws: DoubleSRTPError.invalidOriginalHeaderBlock(.markerValueWithoutFlag))
                {
                    try parse(bytes)
                }
            } else {
                let ohb = try parse(bytes)
                #expect(ohb.config == config)
                #expect(ohb.encodedLength == expected.count)
                #expect(encode(ohb) == Array(expected))
                #expect((ohb.payloadType != nil) == hasPT && (ohb.sequenceNumber != nil) == hasSEQ)
                #expect(ohb.marker == (config & 0x04 == 0 ? nil : config & 0x08 != 0))
            }
        }
    }

    @Test("a PT octet with its high bit set is refused")
    func payloadTypeHighBit() {
        #expect(throws: DoubleSRTPError.invalidOriginalHeaderBlock(.payloadTypeHighBit)) {
            try parse([0x80, 0x02])
        }
        #expect(throws: DoubleSRTPError.invalidOriginalHeaderBlock(.payloadTypeHighBit)) {
            try parse([0xE0, 0x12, 0x34, 0x03])
        }
    }

    @Test("fields that would run before the start are truncation, never a read out of bounds")
    func truncated() {
        for bytes: [UInt8] in [[], [0x01], [0x00, 0x01], [0x02], [0x12, 0x34, 0x03]] {
            #expect(throws: DoubleSRTPError.malformed(.truncated)) { try parse(bytes) }
        }
        // `start` bounds the parse even when octets exist before it.
        let bytes: [UInt8] = [0x60, 0x12, 0x34, 0x0F]
        let outcome = bytes.withUnsafeBytes { buffer in
            Result { () throws(DoubleSRTPError) in
                try OriginalHeaderBlock(parsingEndOf: buffer, end: 4, start: 1)
            }
        }
        #expect(throws: DoubleSRTPError.malformed(.truncated)) { try outcome.get() }
    }

    // MARK: Update rule (RFC 8723 §5.2 step 3)

    let sent = ModifiableHeaderFields(payloadType: 96, sequenceNumber: 0x1234, marker: true)

    @Test("the first distributor to change a field records its original value")
    func firstChangeRecords() {
        let new = ModifiableHeaderFields(payloadType: 100, sequenceNumber: 0x0042, marker: false)
        #expect(
            OriginalHeaderBlock.empty.updated(from: sent, to: new)
                == OriginalHeaderBlock(payloadType: 96, sequenceNumber: 0x1234, marker: true))
        var onlySEQ = sent
        onlySEQ.sequenceNumber = 7
        #expect(
            OriginalHeaderBlock.empty.updated(from: sent, to: onlySEQ)
                == OriginalHeaderBlock(sequenceNumber: 0x1234))
        #expect(OriginalHeaderBlock.empty.updated(from: sent, to: sent) == .empty)
    }

    @Test("a later distributor changing a recorded field does not record it again")
    func chainKeepsFirstOriginal() {
        let recorded = OriginalHeaderBlock(payloadType: 96, sequenceNumber: 0x1234)
        let current = ModifiableHeaderFields(payloadType: 100, sequenceNumber: 0x0042, marker: true)
        let new = ModifiableHeaderFields(payloadType: 101, sequenceNumber: 0x0001, marker: true)
        #expect(recorded.updated(from: current, to: new) == recorded)
    }

    @Test("a field set back to its original value leaves the OHB")
    func restoredFieldIsRemoved() {
        let recorded = OriginalHeaderBlock(payloadType: 96, sequenceNumber: 0x1234, marker: true)
        let current = ModifiableHeaderFields(
            payloadType: 100, sequenceNumber: 0x0042, marker: false)
        var new = current
        new.payloadType = 96
        #expect(
            recorded.updated(from: current, to: new)
                == OriginalHeaderBlock(sequenceNumber: 0x1234, marker: true))
        #expect(recorded.updated(from: current, to: sent) == .empty)
    }

    @Test("fields this distributor does not change keep their entries exactly (MUST NOT modify)")
    func untouchedEntriesStay() {
        // An entry equal to the current value (another implementation's redundant record) stays.
        let redundant = OriginalHeaderBlock(payloadType: 96)
        #expect(redundant.updated(from: sent, to: sent) == redundant)
        var new = sent
        new.sequenceNumber = 9
        #expect(
            redundant.updated(from: sent, to: new)
                == OriginalHeaderBlock(payloadType: 96, sequenceNumber: 0x1234))
    }

    @Test("originals: the OHB's values where present, the header's otherwise")
    func originals() {
        let current = ModifiableHeaderFields(
            payloadType: 100, sequenceNumber: 0x0042, marker: false)
        #expect(OriginalHeaderBlock.empty.originals(of: current) == current)
        #expect(
            OriginalHeaderBlock(sequenceNumber: 0x1234, marker: true).originals(of: current)
                == ModifiableHeaderFields(payloadType: 100, sequenceNumber: 0x1234, marker: true))
    }
}
