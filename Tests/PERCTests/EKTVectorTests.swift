import Testing

@_spi(Conformance) @testable import PERC

/// The `ekt_field` vector (vectors/spec_worked_example.json `spec-ekt-example`, spec/ekt.md §4.1)
/// through the conformance entry points, as the runner executes it.
@Suite struct EKTVectorTests {
    typealias Example = EKTTestSupport.SpecExample

    @Test func buildMatchesField() throws {
        let field = try EKTConformance.buildFullEKTField(
            cipher: .aeskw128, ektKey: Example.ektKey, spi: Example.spi, epoch: Example.epoch,
            srtpMasterKey: Example.masterKey, ssrc: Example.ssrc, roc: Example.roc)
        #expect(EKTTestSupport.hex(field) == EKTTestSupport.hex(Example.field))
    }

    @Test func parseReturnsWhatWasWrapped() throws {
        let parsed = try EKTConformance.parseFullEKTField(
            Example.field, cipher: .aeskw128, ektKey: Example.ektKey, spi: Example.spi)
        #expect(parsed.srtpMasterKey == Example.masterKey)
        #expect(parsed.ssrc == Example.ssrc)
        #expect(parsed.roc == Example.roc)
        #expect(parsed.spi == Example.spi)
        #expect(parsed.epoch == Example.epoch)
    }

    @Test func parseRejectsWhatIsNotExactlyOneFullField() {
        #expect(throws: EKTError.self) {
            try EKTConformance.parseFullEKTField(
                [0x00], cipher: .aeskw128, ektKey: Example.ektKey, spi: Example.spi)
        }
        #expect(throws: EKTError.self) {
            try EKTConformance.parseFullEKTField(
                [0x99] + Example.field, cipher: .aeskw128, ektKey: Example.ektKey,
                spi: Example.spi)
        }
        #expect(throws: EKTError.unknownSPI(1)) {
            try EKTConformance.parseFullEKTField(
                Example.field, cipher: .aeskw128, ektKey: Example.ektKey, spi: 2)
        }
    }

    @Test func aeskw256RoundTripsThroughTheEntryPoints() throws {
        let ektKey = (0..<32).map { UInt8($0 * 7 & 0xFF) }
        let masterKey = (0..<32).map { UInt8(0xF0 ^ $0) }
        let field = try EKTConformance.buildFullEKTField(
            cipher: .aeskw256, ektKey: ektKey, spi: 0xFFFF, epoch: 9, srtpMasterKey: masterKey,
            ssrc: 0x0102_0304, roc: 0xFFFF_FFFF)
        #expect(field.count == 63)  // 41-octet plaintext → 56-octet ciphertext + 7
        let parsed = try EKTConformance.parseFullEKTField(
            field, cipher: .aeskw256, ektKey: ektKey, spi: 0xFFFF)
        #expect(
            parsed
                == EKTConformance.UnwrappedField(
                    srtpMasterKey: masterKey, ssrc: 0x0102_0304, roc: 0xFFFF_FFFF, spi: 0xFFFF,
                    epoch: 9))
    }
}
