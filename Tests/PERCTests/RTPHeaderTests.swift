import Testing

@testable import PERC

/// RTP/RTCP header parsing (RFC 3550 §5.1, §5.3.1; RFC 3711 §3.4).
@Suite struct RTPHeaderTests {
    private func parse(_ bytes: [UInt8], length: Int? = nil) throws(SRTPError) -> RTPHeader {
        let result = bytes.withUnsafeBytes { buffer in
            Result { () throws(SRTPError) in
                try RTPHeader(parsing: buffer, length: length ?? bytes.count)
            }
        }
        return try result.get()
    }

    @Test func fixedHeader() throws {
        let header = try parse(TestBytes.hex("80e01234decafbadcafebabe01"))
        #expect(header.marker)
        #expect(header.payloadType == 0x60)
        #expect(header.sequenceNumber == 0x1234)
        #expect(header.timestamp == 0xdeca_fbad)
        #expect(header.ssrc == 0xcafe_babe)
        #expect(header.csrcCount == 0)
        #expect(!header.hasPadding && !header.hasExtension)
        #expect(header.length == 12)
    }

    @Test func csrcListAndExtension() throws {
        // CC = 2, X = 1, extension of one 32-bit word.
        let packet = TestBytes.hex(
            "92000001 00000002 00000003 11111111 22222222 bede0001 10ff0000 aabb")
        let header = try parse(packet)
        #expect(header.csrcCount == 2)
        #expect(header.hasExtension)
        #expect(header.length == 12 + 8 + 4 + 4)
    }

    @Test func malformedHeaders() {
        #expect(throws: SRTPError.malformed(.truncated)) { try parse([0x80, 0, 0]) }
        #expect(throws: SRTPError.malformed(.badVersion)) {
            try parse(TestBytes.hex("400f1234decafbadcafebabe"))
        }
        #expect(throws: SRTPError.malformed(.csrcPastEnd)) {
            try parse(TestBytes.hex("830f1234decafbadcafebabe11111111"))
        }
        #expect(throws: SRTPError.malformed(.extensionPastEnd)) {
            try parse(TestBytes.hex("900f1234decafbadcafebabebede"))
        }
        #expect(throws: SRTPError.malformed(.extensionPastEnd)) {
            try parse(TestBytes.hex("900f1234decafbadcafebabebede000210ff0000"))
        }
        // `length` beyond the buffer is truncated, never read.
        #expect(throws: SRTPError.malformed(.truncated)) {
            try parse(TestBytes.hex("800f1234decafbadcafebabe"), length: 13)
        }
    }

    @Test func padding() throws {
        func check(_ hex: String) throws(SRTPError) {
            let bytes = TestBytes.hex(hex)
            let header = try parse(bytes)
            let result = bytes.withUnsafeBytes { buffer in
                Result { () throws(SRTPError) in
                    try header.validatePadding(buffer, packetLength: bytes.count)
                }
            }
            try result.get()
        }
        try check("a00f1234decafbadcafebabe aabb0003")
        #expect(throws: SRTPError.malformed(.badPadding)) {
            try check("a00f1234decafbadcafebabe aabb0000")
        }
        #expect(throws: SRTPError.malformed(.badPadding)) {
            try check("a00f1234decafbadcafebabe aabb0005")
        }
        #expect(throws: SRTPError.malformed(.badPadding)) { try check("a00f1234decafbadcafebabe") }
    }

    @Test func rtcpHeader() throws {
        let bytes = TestBytes.hex("81c80006cafebabe")
        let header = try bytes.withUnsafeBytes { buffer in
            try Result { () throws(SRTPError) in try RTCPHeader(parsing: buffer, length: 8) }.get()
        }
        #expect(header.ssrc == 0xcafe_babe)
        #expect(throws: SRTPError.malformed(.truncated)) {
            try bytes.withUnsafeBytes { buffer in
                try Result { () throws(SRTPError) in try RTCPHeader(parsing: buffer, length: 7) }
                    .get()
            }
        }
        #expect(throws: SRTPError.malformed(.badVersion)) {
            try [UInt8](repeating: 0, count: 8).withUnsafeBytes { buffer in
                try Result { () throws(SRTPError) in try RTCPHeader(parsing: buffer, length: 8) }
                    .get()
            }
        }
    }
}
