import Testing

@testable import PERCDemo

@Suite struct SyntheticFrameTests {
    @Test func audioAndVideoFramesAlternate() {
        let audio = SyntheticFrame(ssrc: 0xCAFE_BABE, frameNumber: 4)
        let video = SyntheticFrame(ssrc: 0xCAFE_BABE, frameNumber: 5)
        #expect(audio.kind == .audio)
        #expect(audio.payload.count == 160)
        #expect(video.kind == .video)
        #expect(video.payload.count == 1000)
    }

    @Test func payloadLayout() {
        let payload = SyntheticFrame(ssrc: 0x0102_0304, frameNumber: 0x0A0A).payload
        #expect(
            Array(payload[..<18]) == [
                0x50, 0x45, 0x52, 0x43,  // "PERC"
                0x01, 0x02, 0x03, 0x04,  // SSRC
                0, 0, 0, 0, 0, 0, 0x0A, 0x0A,  // frame number
                0x00, 0xA0,  // payload length 160
            ])
        // The filler is deterministic and depends on SSRC and frame number.
        #expect(payload == SyntheticFrame(ssrc: 0x0102_0304, frameNumber: 0x0A0A).payload)
        #expect(
            payload[18...] != SyntheticFrame(ssrc: 0x0102_0304, frameNumber: 0x0A0C).payload[18...])
        #expect(
            payload[18...] != SyntheticFrame(ssrc: 0x0102_0305, frameNumber: 0x0A0A).payload[18...])
    }

    @Test func splitMix64KnownAnswer() {
        // Reference output of SplitMix64 seeded with 0 (Vigna's splitmix64.c).
        var generator = SyntheticFrame.SplitMix64(seed: 0)
        #expect(generator.next() == 0xE220_A839_7B1D_CDAF)
        #expect(generator.next() == 0x6E78_9E6A_A1B9_65F4)
    }

    @Test func rtpHeader() {
        let video = SyntheticFrame(ssrc: 0xCAFE_BABE, frameNumber: 1)
        let packet = video.rtpPacket(sequenceNumber: 0x1234, timestamp: 0x0506_0708)
        #expect(
            Array(packet[..<12]) == [
                0x80, 0x80 | 96, 0x12, 0x34, 0x05, 0x06, 0x07, 0x08, 0xCA, 0xFE, 0xBA, 0xBE,
            ])
        #expect(Array(packet[12...]) == video.payload)
        let audio = SyntheticFrame(ssrc: 1, frameNumber: 2).rtpPacket(
            sequenceNumber: 0, timestamp: 0)
        #expect(audio[1] == 111)  // M clear on audio
        #expect(RTPHeaderLayout.headerLength(of: audio[...]) == 12)
        #expect(RTPHeaderLayout.ssrc(of: audio[...]) == 1)
    }

    @Test func verifierRoundTrip() throws {
        for frameNumber: UInt64 in [0, 1, 2, 3, 1 << 40] {
            let frame = SyntheticFrame(ssrc: 0xDEAD_BEEF, frameNumber: frameNumber)
            let packet = frame.rtpPacket(sequenceNumber: 7, timestamp: 9)
            let verified = try SyntheticFrame.verify(
                packet[12...], ssrc: 0xDEAD_BEEF, payloadType: frame.kind.payloadType)
            #expect(verified == frame)
        }
    }

    @Test func verifierReportsEachMismatch() {
        let frame = SyntheticFrame(ssrc: 0xDEAD_BEEF, frameNumber: 3)
        let payload = frame.payload
        func verify(_ bytes: [UInt8], ssrc: UInt32 = 0xDEAD_BEEF, payloadType: UInt8 = 96)
            -> FrameMismatch?
        {
            do {
                _ = try SyntheticFrame.verify(bytes[...], ssrc: ssrc, payloadType: payloadType)
                return nil
            } catch {
                return error
            }
        }
        var flipped = payload
        flipped[500] ^= 0x40
        var wrongMagic = payload
        wrongMagic[0] = 0x51
        var wrongLength = payload
        wrongLength[17] ^= 1
        #expect(verify(payload) == nil)
        #expect(verify(flipped) == .contentMismatch(offset: 500))
        #expect(verify(wrongLength) == .contentMismatch(offset: 17))
        #expect(verify(Array(payload[..<17])) == .truncated(length: 17))
        #expect(verify(Array(payload.dropLast())) == .lengthMismatch(expected: 1000, actual: 999))
        #expect(verify(wrongMagic) == .badMagic)
        #expect(verify(payload, ssrc: 1) == .ssrcMismatch(packet: 1, payload: 0xDEAD_BEEF))
        #expect(
            verify(payload, payloadType: 111) == .payloadTypeMismatch(expected: 96, actual: 111))
        #expect(FrameMismatch.contentMismatch(offset: 500).description.contains("500"))
    }

    @Test func markerSearch() {
        let payload = SyntheticFrame(ssrc: 42, frameNumber: 0).payload
        #expect(SyntheticFrame.containsMarker(([1, 2, 3] + payload)[...], ssrc: 42))
        #expect(!SyntheticFrame.containsMarker(payload[...], ssrc: 43))
        #expect(!SyntheticFrame.containsMarker(payload[1...], ssrc: 42))
        #expect(!SyntheticFrame.containsMarker([0x50][...], ssrc: 42))
    }
}
