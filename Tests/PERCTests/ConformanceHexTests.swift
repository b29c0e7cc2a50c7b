import PERCConformance
import Testing

@Suite("Conformance hex and field parsing")
struct ConformanceHexTests {
    @Test func decodesLowercaseHex() throws {
        #expect(try Hex.decode("00ff10ab") == [0x00, 0xFF, 0x10, 0xAB])
        #expect(try Hex.decode("") == [])
        #expect(Hex.encode([0x00, 0xFF, 0x10, 0xAB]) == "00ff10ab")
    }

    @Test(
        "Rejects what SCHEMA.md does not allow",
        arguments: [
            ("abc", Hex.DecodingError.oddLength(3)),
            ("AB", .invalidCharacter("A", offset: 0)),
            ("ab cd", .invalidCharacter(" ", offset: 2)),
            ("0x12", .invalidCharacter("x", offset: 1)),
            ("12\n", .invalidCharacter("\n", offset: 2)),
            ("é0", .invalidCharacter("é", offset: 0)),
        ])
    func rejectsNonStrictHex(_ input: String, _ error: Hex.DecodingError) {
        #expect(throws: error) { try Hex.decode(input) }
    }

    @Test func integersAreRangeChecked() throws {
        let fields = VectorFields([
            "roc": .integer(4_294_967_296), "negative": .integer(-1), "text": .string("1"),
            "ssrc": .string("5501a0b2"), "wide": .string("0100000000"), "seq": .integer(0xF17B),
        ])
        #expect(throws: VectorFieldError.outOfRange(field: "roc", range: "0...4294967295")) {
            try fields.integer("roc", as: UInt32.self)
        }
        #expect(throws: VectorFieldError.outOfRange(field: "negative", range: "0...255")) {
            try fields.integer("negative", as: UInt8.self)
        }
        #expect(
            throws: VectorFieldError.wrongType(
                field: "text", expected: "an integer", found: "a string")
        ) { try fields.integer("text", as: UInt32.self) }
        #expect(try fields.integerOrHex("ssrc", as: UInt32.self) == 0x5501_A0B2)
        #expect(try fields.integerOrHex("seq", as: UInt16.self) == 0xF17B)
        #expect(throws: VectorFieldError.outOfRange(field: "wide", range: "0...4294967295")) {
            try fields.integerOrHex("wide", as: UInt32.self)
        }
        #expect(throws: VectorFieldError.missing(field: "absent")) {
            try fields.hex("absent")
        }
    }

    @Test func nestedFieldsAreNamedByPath() throws {
        let fields = VectorFields([
            "rows": .array([.object(["keystream": .string("0g")])])
        ])
        let row = try #require(try fields.objects("rows").first)
        #expect(
            throws: VectorFieldError.badHex(
                field: "rows[0].keystream", .invalidCharacter("g", offset: 1))
        ) {
            try row.hex("keystream")
        }
    }
}
