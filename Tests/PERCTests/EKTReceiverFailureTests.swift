import Testing

@testable import PERC

/// Every way an EKT packet can be refused: a typed error, the buffer untouched, the receiver's
/// state unchanged — and the next good packet still decodes, with the ROC where it was.
@Suite struct EKTReceiverFailureTests {
    typealias Fixture = EKTSessionFixture
    typealias Endpoint = EKTSessionFixture.Endpoint
    static let ssrc: UInt32 = 0x1111_1111

    /// A sender and a receiver that already exchanged a few packets, with a fresh Full packet
    /// and a fresh Short packet not yet delivered.
    struct Running {
        let clock = Fixture.ManualClock()
        let alice: Endpoint
        let bob: Endpoint
        let sender: EKTSender
        let receiver: EKTReceiver
        var sequence: UInt16 = 0

        init(sequence start: UInt16 = 0) throws {
            alice = try Endpoint()
            bob = try Endpoint()
            sender = try alice.sender(clock: clock)
            receiver = try bob.receiver(clock: clock)
            sequence = start
            for _ in 0..<4 { try deliver() }
        }

        /// Sends the next packet and checks the receiver decodes it.
        mutating func deliver() throws {
            let packet = try Fixture.send(sender, sequence)
            try Fixture.expectDecodes(receiver, packet, sequence: sequence)
            sequence &+= 1
        }

        /// The next packet, not delivered; Full if `full`.
        mutating func next(full: Bool) throws -> [UInt8] {
            if full { clock.advance(.milliseconds(100)) }
            let packet = try Fixture.send(sender, sequence)
            #expect(Fixture.isFull(packet) == full)
            sequence &+= 1
            return packet
        }

        /// After a refusal: the receiver still decodes, with the ROC unchanged.
        mutating func expectStillDecodes(sourceLocation: SourceLocation = #_sourceLocation)
            throws
        {
            let roc = receiver.stream(ssrc: EKTReceiverFailureTests.ssrc)?.rolloverCounter
            try deliver()
            #expect(
                receiver.stream(ssrc: EKTReceiverFailureTests.ssrc)?.rolloverCounter == roc,
                sourceLocation: sourceLocation)
        }

        func expectRefused(
            _ packet: [UInt8], _ error: EKTSessionError,
            sourceLocation: SourceLocation = #_sourceLocation
        ) {
            Fixture.expectRefused(receiver, in: bob, packet, error, sourceLocation: sourceLocation)
        }
    }

    // MARK: The tag

    @Test func unknownSPI() throws {
        var run = try Running()
        var packet = try run.next(full: true)
        packet[packet.count - 7] = 0x00
        packet[packet.count - 6] = 0x09  // SPI 9
        run.expectRefused(packet, .ekt(.unknownSPI(9)))
        try run.expectStillDecodes()
    }

    @Test func wrongEKTKeyIsAnIntegrityFailure() throws {
        // Same SPI, other key bytes: the unwrap fails its integrity check (RFC 5649 §3).
        let clock = Fixture.ManualClock()
        let alice = try Endpoint()
        let mallory = try Endpoint(spis: [])
        try mallory.addEKTKey(spi: 1, bytes: Array(repeating: 0x5A, count: 16))
        let receiver = try mallory.receiver(clock: clock)
        let packet = try Fixture.send(try alice.sender(clock: clock), 0)
        Fixture.expectRefused(receiver, in: mallory, packet, .ekt(.authenticationFailed))
    }

    @Test func tamperedCiphertextNeverInstallsAKey() throws {
        var run = try Running()
        try run.sender.rotateMasterKey()
        let packet = try run.next(full: true)
        let field = try Fixture.fullField(of: packet)
        let start = packet.count - field.encodedLength
        for offset in [0, 7, 20, field.ciphertext.count - 1] {
            var tampered = packet
            tampered[start + offset] ^= 0x01
            run.expectRefused(tampered, .ekt(.authenticationFailed))
        }
        #expect(run.receiver.stream(ssrc: Self.ssrc)?.epoch == 0)
        // The genuine packet still installs the new key.
        try Fixture.expectDecodes(run.receiver, packet, sequence: run.sequence - 1)
        #expect(run.receiver.stream(ssrc: Self.ssrc)?.epoch == 1)
    }

    @Test func fullFieldCutShortAtEveryLength() throws {
        var run = try Running()
        let packet = try run.next(full: true)
        let field = try Fixture.fullField(of: packet)
        let body = Array(packet.dropLast(field.encodedLength))
        let trailer = Array(packet.suffix(7))
        // Ciphertext cut at every length, trailer kept (EKTMsgLength now lies).
        for kept in 0..<field.ciphertext.count {
            let cut = body + field.ciphertext.prefix(kept) + trailer
            let before = Fixture.Snapshot(run.receiver, run.bob.store)
            var copy = cut
            #expect(throws: EKTSessionError.self) { try run.receiver.unprotectRTP(&copy) }
            #expect(copy == cut)
            #expect(Fixture.Snapshot(run.receiver, run.bob.store) == before)
        }
        // The whole packet cut at every length. Cut to the SRTP packet plus one octet 0x00 it is
        // a genuine packet with a Short tag, and decodes; every other cut is refused.
        let srtpLength = body.count
        for length in 0..<packet.count where !(length == srtpLength + 1 && packet[srtpLength] == 0)
        {
            let cut = Array(packet.prefix(length))
            let before = Fixture.Snapshot(run.receiver, run.bob.store)
            var copy = cut
            #expect(throws: EKTSessionError.self) { try run.receiver.unprotectRTP(&copy) }
            #expect(copy == cut)
            #expect(Fixture.Snapshot(run.receiver, run.bob.store) == before)
        }
        try run.expectStillDecodes()
    }

    @Test func lengthFieldChecks() throws {
        var run = try Running()
        let packet = try run.next(full: true)
        func withLength(_ length: Int) -> [UInt8] {
            var copy = packet
            copy[copy.count - 3] = UInt8(length >> 8)
            copy[copy.count - 2] = UInt8(truncatingIfNeeded: length)
            return copy
        }
        run.expectRefused(withLength(7 + 15), .ekt(.malformed(.lengthTooSmall)))
        run.expectRefused(withLength(packet.count + 1), .ekt(.malformed(.lengthPastEnd)))
        run.expectRefused(withLength(47 + 3), .ekt(.malformed(.ciphertextLength)))
        try run.expectStillDecodes()
    }

    @Test func ssrcMismatch() throws {
        // A genuine field for another SSRC moved onto this stream (RFC 8870 §4.3.2 step 5).
        var run = try Running()
        let other = try Fixture.send(run.sender, 0, ssrc: 0x2222_2222)
        let field = try Fixture.fullField(of: other)
        let packet = try Fixture.replacingTag(of: try run.next(full: false), with: field.bytes)
        run.expectRefused(packet, .ekt(.ssrcMismatch(packet: Self.ssrc, field: 0x2222_2222)))
        try run.expectStillDecodes()
    }

    @Test func garbageTrailersAndUnknownTypes() throws {
        var run = try Running()
        let short = try run.next(full: false)
        // Types without a length: the packet cannot be split (spec/ekt.md §6 step 1).
        for type: UInt8 in [0x01, 0xFF] {
            run.expectRefused(
                try Fixture.replacingTag(of: short, with: [type]),
                .ekt(.unknownMessageType(type, tagLength: nil)))
        }
        // Random trailers never crash nor change anything.
        var generator = SeededGenerator(seed: 8870)
        for _ in 0..<200 {
            let trailer = generator.bytes(Int.random(in: 1...60, using: &generator))
            let garbage = Array(short.dropLast()) + trailer
            let before = Fixture.Snapshot(run.receiver, run.bob.store)
            var copy = garbage
            #expect(throws: EKTSessionError.self) { try run.receiver.unprotectRTP(&copy) }
            #expect(copy == garbage)
            #expect(Fixture.Snapshot(run.receiver, run.bob.store) == before)
        }
        // The original packet is still fresh.
        try Fixture.expectDecodes(run.receiver, short, sequence: run.sequence - 1)
        try run.expectStillDecodes()
    }

    @Test func extensionTagIsDiscardedAndThePacketProcessed() throws {
        // RFC 8870 §4.1: an unknown type with a length — discard the tag, keep the packet.
        var run = try Running()
        let short = try run.next(full: false)
        // ExtensionData (2) | EKTMsgLength = 5, the whole tag (2) | type 4.
        var tag: [UInt8] = [0xDE, 0xAD, 0x00, 0x05, 0x04]
        let packet = Array(short.dropLast()) + tag
        try Fixture.expectDecodes(run.receiver, packet, sequence: run.sequence - 1)
        tag[2] = 0x04  // length 1029: past the packet, no way to split
        tag[3] = 0x05
        run.expectRefused(
            Array(short.dropLast()) + tag, .ekt(.unknownMessageType(0x04, tagLength: nil)))
        try run.expectStillDecodes()
    }

    @Test func shortFieldBeforeAnyKey() throws {
        let clock = Fixture.ManualClock()
        let alice = try Endpoint()
        let bob = try Endpoint()
        let sender = try alice.sender(schedule: .init(burst: 1), clock: clock)
        _ = try Fixture.send(sender, 0)
        let short = try Fixture.send(sender, 1)
        let receiver = try bob.receiver(clock: clock)
        Fixture.expectRefused(receiver, in: bob, short, .noKey(ssrc: Self.ssrc))
        var rtcp = RTPPacketBuilder.rtcp(ssrc: Self.ssrc, body: [1, 2, 3, 4])
        try sender.protectRTCP(&rtcp)
        let original = rtcp
        #expect(throws: EKTSessionError.noKey(ssrc: Self.ssrc)) {
            try receiver.unprotectRTCP(&rtcp)
        }
        #expect(rtcp == original)
    }

    // MARK: Keys that must not install

    @Test func fullFieldWhoseKeyDoesNotAuthenticateThePacketChangesNothing() throws {
        // A genuine Full field for a new key on a packet that is not under that key: the
        // candidate fails, and the installed key does not authenticate it either.
        var run = try Running()
        let stranger = try run.alice.sender(clock: run.clock)  // another key, same SSRC
        try stranger.rotateMasterKey()  // epoch 1: a key the receiver would take
        let foreign = try Fixture.send(stranger, run.sequence)
        var packet = try run.next(full: false)
        packet[packet.count - 2] ^= 0xFF  // break the SRTP tag
        let withField = try Fixture.replacingTag(
            of: packet, with: try Fixture.fullField(of: foreign).bytes)
        run.expectRefused(withField, .srtp(.authenticationFailed))
        // Same on a receiver with no key yet.
        let fresh = try run.bob.receiver(clock: run.clock)
        Fixture.expectRefused(fresh, in: run.bob, withField, .srtp(.authenticationFailed))
        #expect(fresh.ssrcs.isEmpty)
        try run.expectStillDecodes()
    }

    @Test func epochRollbackNeverInstallsTheOldKey() throws {
        var run = try Running()
        // Capture two Full packets under key 0 (epoch 0): one the receiver saw, one it did not.
        let seen = try run.next(full: true)
        try Fixture.expectDecodes(run.receiver, seen, sequence: run.sequence - 1)
        let unseen = try run.next(full: true)
        // The sender moves on to key 1 (epoch 1).
        try run.sender.rotateMasterKey()
        for _ in 0..<3 { try run.deliver() }  // the burst of Full fields
        #expect(run.receiver.stream(ssrc: Self.ssrc)?.epoch == 1)
        // Replayed as is (epoch 0 ≤ 1): the tag is ignored; the seen packet is a replay for the
        // stream, the unseen one does not authenticate under the installed key.
        run.expectRefused(seen, .srtp(.replayed))
        run.expectRefused(unseen, .staleKey(ssrc: Self.ssrc, spi: 1, epoch: 0))
        // With a forged higher epoch: refused by the retired-key history.
        for epoch: UInt16 in [2, 7, .max] {
            var forged = unseen
            forged[forged.count - 5] = UInt8(epoch >> 8)
            forged[forged.count - 4] = UInt8(truncatingIfNeeded: epoch)
            run.expectRefused(forged, .staleKey(ssrc: Self.ssrc, spi: 1, epoch: epoch))
        }
        // The old field on a fresh packet of the current key: tag ignored, packet accepted.
        let current = try run.next(full: false)
        let oldTag = try Fixture.fullField(of: unseen).bytes
        try Fixture.expectDecodes(
            run.receiver, try Fixture.replacingTag(of: current, with: oldTag),
            sequence: run.sequence - 1)
        #expect(run.receiver.stream(ssrc: Self.ssrc)?.epoch == 1)
        try run.expectStillDecodes()
    }

    @Test func forgedEpochOnTheCurrentKeyDoesNotBlockTheNextKey() throws {
        // The epoch is not authenticated: a bumped epoch on a repeat of the installed key must
        // not be recorded, or the sender's next genuine key would look like a rollback.
        var run = try Running()
        var repeatField = try run.next(full: true)
        repeatField[repeatField.count - 5] = 0xFF
        repeatField[repeatField.count - 4] = 0xFF
        try Fixture.expectDecodes(run.receiver, repeatField, sequence: run.sequence - 1)
        #expect(run.receiver.stream(ssrc: Self.ssrc)?.epoch == 0)
        try run.sender.rotateMasterKey()
        try run.deliver()
        #expect(run.receiver.stream(ssrc: Self.ssrc)?.epoch == 1)
    }

    @Test func replayedPacketsAreRefusedAcrossKeyChanges() throws {
        var run = try Running()
        let oldShort = try run.next(full: false)
        try Fixture.expectDecodes(run.receiver, oldShort, sequence: run.sequence - 1)
        try run.sender.rotateMasterKey()
        let newFull = try run.next(full: true)
        try Fixture.expectDecodes(run.receiver, newFull, sequence: run.sequence - 1)
        // Replays of a new-key packet, and of an old one, after the change.
        run.expectRefused(newFull, .srtp(.replayed))
        // The old packet's index is in the replay history the new key took over.
        run.expectRefused(oldShort, .srtp(.replayed))
        try run.expectStillDecodes()
    }

    @Test func oldPacketUnderANeverSeenKeyCannotBeReplayedAfterARekey() throws {
        // Bob joins after the sender moved from key A to key B. An attacker replays a captured
        // packet of key A (with its genuine Full field, a key Bob never saw, epoch bumped): its
        // index is behind the stream's, so the replay history carried into the candidate
        // refuses it.
        let clock = Fixture.ManualClock()
        let alice = try Endpoint()
        let bob = try Endpoint()
        let sender = try alice.sender(clock: clock)
        var captured = try Fixture.send(sender, 10)
        for sequence in UInt16(11)..<20 { _ = try Fixture.send(sender, sequence) }
        try sender.rotateMasterKey()
        let receiver = try bob.receiver(clock: clock)
        for sequence in UInt16(20)..<25 {
            try Fixture.expectDecodes(
                receiver, try Fixture.send(sender, sequence), sequence: sequence)
        }
        captured[captured.count - 4] = 9  // epoch 9 > 1
        Fixture.expectRefused(receiver, in: bob, captured, .srtp(.replayed))
        #expect(receiver.stream(ssrc: Self.ssrc)?.epoch == 1)
    }

    @Test func keyEvictedFromTheHistoryStillCannotComeBack() throws {
        // With a history of 1, key 0 is forgotten by fingerprint two rotations later. A captured,
        // never delivered key-0 packet: with its epoch it is stale; with a forged epoch it is a
        // new key to the receiver, but its packet is behind the stream.
        let clock = Fixture.ManualClock()
        let alice = try Endpoint()
        let bob = try Endpoint()
        let sender = try alice.sender(clock: clock)
        let receiver = try bob.receiver(history: 1, clock: clock)
        try Fixture.expectDecodes(receiver, try Fixture.send(sender, 0), sequence: 0)
        let captured = try Fixture.send(sender, 1)
        for sequence in UInt16(2)...3 {
            try sender.rotateMasterKey()
            try Fixture.expectDecodes(
                receiver, try Fixture.send(sender, sequence), sequence: sequence)
        }
        Fixture.expectRefused(
            receiver, in: bob, captured, .staleKey(ssrc: Self.ssrc, spi: 1, epoch: 0))
        var forged = captured
        forged[forged.count - 4] = 5
        Fixture.expectRefused(receiver, in: bob, forged, .srtp(.replayed))
        #expect(receiver.stream(ssrc: Self.ssrc)?.epoch == 2)
    }

    @Test func fingerprintsAreKeyedPerReceiver() throws {
        let key = try [UInt8](repeating: 1, count: 16).withUnsafeBytes {
            try SealedBytes(copying: $0)
        }
        let a = try EKTKeyFingerprinter()
        let b = try EKTKeyFingerprinter()
        #expect(try a.fingerprint(of: key) == a.fingerprint(of: key))
        #expect(try a.fingerprint(of: key) != b.fingerprint(of: key))
    }
}
