import Testing

@testable import PERC

/// Senders and receivers exchanging RTP through EKT only (RFC 8870): each endpoint has its own
/// store with the conference's EKT keys, and receivers learn every master key from Full fields.
@Suite struct EKTSessionTests {
    typealias Fixture = EKTSessionFixture
    typealias Endpoint = EKTSessionFixture.Endpoint

    // MARK: Round trips

    @Test(arguments: [
        SRTPProfile.aeadAES128GCM, .aeadAES256GCM, .aesCM128HMACSHA1_80, .aesCM128HMACSHA1_32,
        .aesCM192HMACSHA1_80, .aesCM256HMACSHA1_80, .nullHMACSHA1_80,
    ])
    func senderReachesTwoReceiversThroughEKTOnly(profile: SRTPProfile) throws {
        let clock = Fixture.ManualClock()
        let alice = try Endpoint()
        let bob = try Endpoint()
        let carol = try Endpoint()
        let sender = try alice.sender(profile: profile, clock: clock)
        let receivers = [
            try bob.receiver(profile: profile, clock: clock),
            try carol.receiver(profile: profile, clock: clock),
        ]
        for sequence in UInt16(0)..<20 {
            let packet = try Fixture.send(sender, sequence)
            // RFC 8870 §4.6: Full in the first 3 packets, then Short.
            #expect(Fixture.isFull(packet) == (sequence < 3))
            #expect(packet.count <= Fixture.rtp(sequence).count + sender.maxRTPOverhead)
            for receiver in receivers {
                try Fixture.expectDecodes(receiver, packet, sequence: sequence)
            }
            clock.advance(.milliseconds(1))
        }
        for receiver in receivers {
            #expect(
                receiver.stream(ssrc: 0x1111_1111)
                    == EKTReceivedStream(
                        ssrc: 0x1111_1111, spi: 1, epoch: 0, rolloverCounter: 0,
                        hasAnnouncedKey: false))
        }
    }

    @Test func fullFieldLayoutAndOverhead() throws {
        let clock = Fixture.ManualClock()
        let alice = try Endpoint()
        let sender = try alice.sender(clock: clock)
        // 16-octet key: 40-octet ciphertext + 7 (spec/ekt.md §2.6); GCM tag 16.
        #expect(sender.maxRTPOverhead == 16 + 47)
        let packet = try Fixture.send(sender, 7)
        let field = try Fixture.fullField(of: packet)
        #expect(field.spi == 1 && field.epoch == 0 && field.encodedLength == 47)
        #expect(packet.count == Fixture.rtp(7).count + 16 + 47)
        let aes256 = try alice.sender(profile: .aeadAES256GCM, clock: clock)
        #expect(aes256.maxRTPOverhead == 16 + 63)
    }

    @Test func receiversNeverHoldTheSendersKeyHandle() throws {
        // The sender's key lives only in the sender's store; a receiver's store learns it from
        // the Full field alone (the stores share nothing but the EKT key bytes).
        let clock = Fixture.ManualClock()
        let alice = try Endpoint()
        let bob = try Endpoint()
        let sender = try alice.sender(clock: clock)
        let receiver = try bob.receiver(clock: clock)
        let before = bob.store.liveKeyCount
        try Fixture.expectDecodes(receiver, try Fixture.send(sender, 1), sequence: 1)
        #expect(bob.store.liveKeyCount == before + 1)  // the learned master key, in the store
    }

    @Test func srtcpUsesTheSendersKeyWithoutATag() throws {
        let clock = Fixture.ManualClock()
        let alice = try Endpoint()
        let bob = try Endpoint()
        let sender = try alice.sender(clock: clock)
        let receiver = try bob.receiver(clock: clock)
        let rtcp = RTPPacketBuilder.rtcp(ssrc: 0x1111_1111, body: Array(repeating: 7, count: 20))
        var early = rtcp
        try sender.protectRTCP(&early)
        // No key learned yet for the SSRC.
        var copy = early
        #expect(throws: EKTSessionError.noKey(ssrc: 0x1111_1111)) {
            try receiver.unprotectRTCP(&copy)
        }
        try Fixture.expectDecodes(receiver, try Fixture.send(sender, 1), sequence: 1)
        var packet = rtcp
        try sender.protectRTCP(&packet)
        // SRTCP: + tag 16 + E‖index 4, no EKT field (RFC 8870 §4).
        #expect(packet.count == rtcp.count + 20)
        try receiver.unprotectRTCP(&packet)
        #expect(packet == rtcp)
        try receiver.unprotectRTCP(&early)
        #expect(early == rtcp)
    }

    // MARK: Streams and keys

    @Test func newSSRCStartsWithItsOwnBurst() throws {
        let clock = Fixture.ManualClock()
        let alice = try Endpoint()
        let bob = try Endpoint()
        let sender = try alice.sender(clock: clock)
        let receiver = try bob.receiver(clock: clock)
        for sequence in UInt16(0)..<5 {
            try Fixture.expectDecodes(
                receiver, try Fixture.send(sender, sequence), sequence: sequence)
        }
        let video: UInt32 = 0x2222_2222
        for sequence in UInt16(100)..<105 {
            let packet = try Fixture.send(sender, sequence, ssrc: video)
            #expect(Fixture.isFull(packet) == (sequence < 103))
            try Fixture.expectDecodes(receiver, packet, sequence: sequence, ssrc: video)
        }
        #expect(Set(receiver.ssrcs) == [0x1111_1111, video])
        // Each SSRC's field carries its own SSRC.
        clock.advance(.milliseconds(100))
        let audioField = try Fixture.fullField(of: try Fixture.send(sender, 50))
        let videoField = try Fixture.fullField(of: try Fixture.send(sender, 105, ssrc: video))
        #expect(audioField.ciphertext != videoField.ciphertext)
    }

    @Test func lateJoinerLearnsTheROCFromAPeriodicFullField() throws {
        let clock = Fixture.ManualClock()
        let alice = try Endpoint()
        let bob = try Endpoint()
        let sender = try alice.sender(clock: clock)
        // The sender runs past a SEQ wrap: ROC 1.
        var sequence: UInt16 = 0xFFF0
        for _ in 0..<40 {
            _ = try Fixture.send(sender, sequence)
            sequence &+= 1
            clock.advance(.milliseconds(1))
        }
        #expect(sender.rolloverCounter(ssrc: 0x1111_1111) == 1)
        let receiver = try bob.receiver(clock: clock)
        // Short packets before any Full field: no key.
        let short = try Fixture.send(sender, sequence)
        #expect(!Fixture.isFull(short))
        Fixture.expectRefused(receiver, in: bob, short, .noKey(ssrc: 0x1111_1111))
        sequence &+= 1
        // The periodic Full field (100 ms) carries ROC 1; the receiver decodes from there on.
        clock.advance(.milliseconds(100))
        let full = try Fixture.send(sender, sequence)
        #expect(Fixture.isFull(full))
        try Fixture.expectDecodes(receiver, full, sequence: sequence)
        #expect(receiver.stream(ssrc: 0x1111_1111)?.rolloverCounter == 1)
        for _ in 0..<5 {
            sequence &+= 1
            try Fixture.expectDecodes(
                receiver, try Fixture.send(sender, sequence), sequence: sequence)
        }
    }

    @Test func fullFieldWrapsOnlyWhenTheROCChanges() throws {
        let clock = Fixture.ManualClock()
        let alice = try Endpoint()
        let bob = try Endpoint()
        let sender = try alice.sender(
            schedule: .init(burst: 3, interval: .milliseconds(10)), clock: clock)
        let receiver = try bob.receiver(clock: clock)
        var fields: [[UInt8]] = []
        var sequence: UInt16 = 0xFFF8
        for _ in 0..<16 {
            let packet = try Fixture.send(sender, sequence)
            try Fixture.expectDecodes(receiver, packet, sequence: sequence)
            if Fixture.isFull(packet) {
                fields.append(try Fixture.fullField(of: packet).ciphertext)
            }
            sequence &+= 1
            clock.advance(.milliseconds(10))  // every packet carries a Full field
        }
        // ROC 0 for SEQ 0xFFF8...0xFFFF, then ROC 1: two ciphertexts, two wraps.
        #expect(fields.count == 16)
        #expect(Set(fields).count == 2)
        #expect(fields[0] == fields[7] && fields[8] == fields[15] && fields[7] != fields[8])
        #expect(sender.wrapCount == 2)
    }

    @Test func repeatedFullFieldsAreNotUnwrappedAgain() throws {
        // RFC 8870 §4.3.2: a receiver MAY compare the ciphertext instead of unwrapping. With the
        // EKT key gone from the receiver's store, repeats of the installed key's field still
        // decode (no lookup, no unwrap); a field it has not seen cannot.
        let clock = Fixture.ManualClock()
        let alice = try Endpoint()
        let bob = try Endpoint()
        let sender = try alice.sender(clock: clock)
        let receiver = try bob.receiver(clock: clock)
        try Fixture.expectDecodes(receiver, try Fixture.send(sender, 0), sequence: 0)
        bob.store.revoke(bob.ektKeys[1]!)
        let repeated = try Fixture.send(sender, 1)
        #expect(Fixture.isFull(repeated))
        try Fixture.expectDecodes(receiver, repeated, sequence: 1)
        try sender.rotateMasterKey()
        Fixture.expectRefused(receiver, in: bob, try Fixture.send(sender, 2), .ekt(.unknownSPI(1)))
    }

    @Test func senderTagsWrapOnlyTheLeadingKeyPartWhenAsked() throws {
        // What a double SRTP endpoint uses: the Full field carries the inner half of its key.
        let store = KeyStore()
        let ekt = try store.importEKTKey(
            Fixture.ektKeyBytes(spi: 1),
            parameters: EKTParameters(cipher: .aeskw128, spi: 1, masterSalt: Fixture.salt),
            scope: Fixture.scope)
        let master = try store.generateSRTPMasterKey(for: .aeadAES256GCM, scope: Fixture.scope)
        let key = EKTSenderTags.Key(
            ektKey: ekt, masterKey: master, epoch: 0, generation: 0, wrappedKeyLength: 16)
        var tags = EKTSenderTags(schedule: .init())
        let tag = try tags.prepare(ssrc: 5, sequence: 9, key: key, store: store, now: 0)
        #expect(tag.length == 47 && tag.estimate.roc == 0 && !tag.isFirstUnderKey)
        var buffer = [UInt8](repeating: 0, count: 47)
        let end = buffer.withUnsafeMutableBytes { tag.write(into: $0, at: 0) }
        #expect(end == 47)
        let unwrapped = try store.unwrapFullEKTField(
            try Fixture.fullField(of: buffer), scope: Fixture.scope, packetSSRC: 5,
            expectedMasterKeyLength: 16)
        #expect(unwrapped.masterKey.count == 16)
        tags.commit(tag, key: key, now: 0)
        #expect(tags.wraps == 1 && tags.streams[5]?.index.roc == 0)
    }

    @Test func rotateMasterKeyRaisesTheEpoch() throws {
        let clock = Fixture.ManualClock()
        let alice = try Endpoint()
        let bob = try Endpoint()
        let carol = try Endpoint()
        let sender = try alice.sender(clock: clock)
        let receivers = [try bob.receiver(clock: clock), try carol.receiver(clock: clock)]
        var sequence: UInt16 = 0
        func exchange(_ count: Int) throws {
            for _ in 0..<count {
                let packet = try Fixture.send(sender, sequence)
                for receiver in receivers {
                    try Fixture.expectDecodes(receiver, packet, sequence: sequence)
                }
                sequence += 1
            }
        }
        try exchange(5)
        try sender.rotateMasterKey()
        #expect(sender.epoch == 1)
        let announcing = try Fixture.send(sender, sequence)
        #expect(Fixture.isFull(announcing))
        #expect(try Fixture.fullField(of: announcing).epoch == 1)
        for receiver in receivers {
            try Fixture.expectDecodes(receiver, announcing, sequence: sequence)
            #expect(receiver.stream(ssrc: 0x1111_1111)?.epoch == 1)
        }
        sequence += 1
        try exchange(5)
        try sender.rotateMasterKey()
        try exchange(5)
        for receiver in receivers { #expect(receiver.stream(ssrc: 0x1111_1111)?.epoch == 2) }
    }

    @Test func keysAreWipedWhenTheConferenceEnds() throws {
        let clock = Fixture.ManualClock()
        let alice = try Endpoint()
        let bob = try Endpoint()
        let sender = try alice.sender(clock: clock)
        let receiver = try bob.receiver(clock: clock)
        try Fixture.expectDecodes(receiver, try Fixture.send(sender, 0), sequence: 0)
        let short = try Fixture.send(sender, 5)
        bob.store.endConference(Fixture.scope)
        #expect(bob.store.liveKeyCount == 0)
        var copy = short
        #expect(throws: EKTSessionError.srtp(.keyRevoked)) { try receiver.unprotectRTP(&copy) }
        alice.store.endConference(Fixture.scope)
        #expect(alice.store.liveKeyCount == 0)
        #expect(throws: EKTSessionError.ekt(.keyStore(.keyRevoked))) {
            _ = try Fixture.send(sender, 6)
        }
    }

    @Test func releasingSenderAndReceiverWipesTheirKeys() throws {
        let clock = Fixture.ManualClock()
        let alice = try Endpoint()
        let bob = try Endpoint()
        do {
            let sender = try alice.sender(clock: clock)
            let receiver = try bob.receiver(clock: clock)
            try Fixture.expectDecodes(receiver, try Fixture.send(sender, 0), sequence: 0)
            #expect(alice.store.liveKeyCount == 2 && bob.store.liveKeyCount == 2)
        }
        #expect(alice.store.liveKeyCount == 1 && bob.store.liveKeyCount == 1)
    }

    @Test func concurrentStreamsThroughOneSenderAndOneReceiver() async throws {
        let clock = Fixture.ManualClock()
        let sender = try Endpoint().sender(clock: clock)
        let receiver = try Endpoint().receiver(clock: clock)
        try await withThrowingTaskGroup(of: Void.self) { group in
            for ssrc in UInt32(1)...6 {
                group.addTask {
                    for sequence in UInt16(0)..<300 {
                        var packet = Fixture.rtp(sequence, ssrc: ssrc)
                        try sender.protectRTP(&packet)
                        try receiver.unprotectRTP(&packet)
                        #expect(packet == Fixture.rtp(sequence, ssrc: ssrc))
                    }
                }
            }
            group.addTask {
                for _ in 0..<5 {
                    try sender.rotateMasterKey()
                    await Task.yield()
                }
            }
            try await group.waitForAll()
        }
        #expect(sender.epoch == 5)
        #expect(Set(receiver.ssrcs) == Set(1...6))
    }

    // MARK: Rekey with overlap

    @Test func rekeyOverlapAcceptsBothSPIsThenRetiresTheOld() throws {
        let clock = Fixture.ManualClock()
        let alice = try Endpoint()
        let bob = try Endpoint()
        let carol = try Endpoint()
        let fast = try alice.sender(clock: clock)
        let slow = try bob.sender(clock: clock)
        let fastSSRC: UInt32 = 0xA11C_E000
        let slowSSRC: UInt32 = 0xB0B0_0000
        let receivers = [
            (carol, try carol.receiver(overlap: .seconds(2), clock: clock)),
            (alice, try alice.receiver(overlap: .seconds(2), clock: clock)),
        ]
        var sequence: UInt16 = 0
        func exchange(_ count: Int = 4) throws {
            for _ in 0..<count {
                let a = try Fixture.send(fast, sequence, ssrc: fastSSRC)
                let b = try Fixture.send(slow, sequence, ssrc: slowSSRC)
                for (_, receiver) in receivers {
                    try Fixture.expectDecodes(receiver, a, sequence: sequence, ssrc: fastSSRC)
                    try Fixture.expectDecodes(receiver, b, sequence: sequence, ssrc: slowSSRC)
                }
                sequence += 1
                clock.advance(.milliseconds(20))
            }
        }
        try exchange()
        // The Key Distributor hands out SPI 2. Alice moves at once, Bob is slow.
        for endpoint in [alice, bob, carol] { try endpoint.addEKTKey(spi: 2) }
        try fast.rekey(ektKey: alice.ektKeys[2]!)
        #expect(fast.spi == 2 && fast.epoch == 0)
        try exchange()  // both SPIs decode during the overlap
        for (_, receiver) in receivers {
            #expect(receiver.stream(ssrc: fastSSRC)?.spi == 2)
            #expect(receiver.stream(ssrc: slowSSRC)?.spi == 1)
        }
        // A fresh Full field under SPI 1 still installs during the overlap.
        try slow.rotateMasterKey()
        try exchange()
        clock.advance(.seconds(2))
        let old = try Fixture.send(slow, sequence, ssrc: slowSSRC)
        #expect(Fixture.isFull(old))  // periodic
        let new = try Fixture.send(fast, sequence, ssrc: fastSSRC)
        for (endpoint, receiver) in receivers {
            // Retired: the SSRC keyed under SPI 1 is wiped and SPI 1 is gone from the store.
            Fixture.expectRefused(receiver, in: endpoint, old, .ekt(.unknownSPI(1)))
            #expect(receiver.stream(ssrc: slowSSRC) == nil)
            #expect(endpoint.store.ektKey(spi: 1, scope: Fixture.scope) == nil)
            try Fixture.expectDecodes(receiver, new, sequence: sequence, ssrc: fastSSRC)
        }
        sequence += 1
        // Bob catches up: his new key under SPI 2 is learned again.
        try slow.rekey(ektKey: bob.ektKeys[2]!)
        try exchange()
    }

    @Test func announcedEKTKeyStartsTheOverlap() throws {
        let clock = Fixture.ManualClock()
        let alice = try Endpoint()
        let bob = try Endpoint()
        let sender = try alice.sender(clock: clock)
        let receiver = try bob.receiver(overlap: .milliseconds(500), clock: clock)
        try Fixture.expectDecodes(receiver, try Fixture.send(sender, 0), sequence: 0)
        let spi2 = try bob.addEKTKey(spi: 2)
        try receiver.ektKeyAdded(spi2)
        clock.advance(.milliseconds(499))
        try Fixture.expectDecodes(receiver, try Fixture.send(sender, 1), sequence: 1)
        clock.advance(.milliseconds(1))
        let packet = try Fixture.send(sender, 2)
        Fixture.expectRefused(receiver, in: bob, packet, .ekt(.unknownSPI(1)))
        // A key of another scope is refused.
        let other = try bob.store.importEKTKey(
            Fixture.ektKeyBytes(spi: 9),
            parameters: EKTParameters(cipher: .aeskw128, spi: 9, masterSalt: Fixture.salt))
        #expect(throws: EKTSessionError.self) { try receiver.ektKeyAdded(other) }
    }

    @Test func senderRefusesARekeyToTheSameSPI() throws {
        let clock = Fixture.ManualClock()
        let alice = try Endpoint()
        let sender = try alice.sender(clock: clock)
        #expect(throws: EKTSessionError.ekt(.duplicateSPI(1))) {
            try sender.rekey(ektKey: alice.ektKeys[1]!)
        }
        #expect(sender.spi == 1 && sender.epoch == 0)
    }

    // MARK: Keys announced before use (RFC 8870 §4.6, 250 ms)

    @Test func keyAnnouncedBeforeUseIsHeldUntilAPacketAuthenticates() throws {
        // Simulate a sender following the 250 ms recommendation: Full fields with the next key
        // on packets still protected with the current one.
        let store = KeyStore()
        let ekt = try store.importEKTKey(
            Fixture.ektKeyBytes(spi: 1),
            parameters: EKTParameters(cipher: .aeskw128, spi: 1, masterSalt: Fixture.salt),
            scope: Fixture.scope)
        let ssrc: UInt32 = 0x1111_1111
        let keys = try (0..<2).map { _ in
            try store.makeEKTSenderMasterKey(ektKey: ekt, copying: nil, for: Fixture.profile)
        }
        let sessions = try keys.map {
            try SRTPSession(key: $0, in: store, configuration: .init(profile: Fixture.profile))
        }
        func packet(_ sequence: UInt16, session: Int, fieldKey: Int?, epoch: UInt16) throws
            -> [UInt8]
        {
            var packet = Fixture.rtp(sequence, ssrc: ssrc)
            if sequence > 0 {
                // Keep both sessions' ROC/SEQ in step, as one stream.
                try sessions[session].setRolloverCounter(0, ssrc: ssrc, direction: .outbound)
            }
            try sessions[session].protectRTP(&packet)
            if let fieldKey {
                packet += try store.makeFullEKTField(
                    ektKey: ekt, srtpMasterKey: keys[fieldKey], ssrc: ssrc, roc: 0, epoch: epoch
                ).bytes
            } else {
                packet.append(0)
            }
            return packet
        }
        let clock = Fixture.ManualClock()
        let bob = try Endpoint()
        let receiver = try bob.receiver(clock: clock)
        try Fixture.expectDecodes(
            receiver, try packet(0, session: 0, fieldKey: 0, epoch: 0), sequence: 0)
        try Fixture.expectDecodes(
            receiver, try packet(1, session: 0, fieldKey: nil, epoch: 0), sequence: 1)
        // Announce key 1 (epoch 1) on packets still under key 0: accepted, key 1 held.
        for sequence in UInt16(2)..<5 {
            try Fixture.expectDecodes(
                receiver, try packet(sequence, session: 0, fieldKey: 1, epoch: 1),
                sequence: sequence)
        }
        #expect(receiver.stream(ssrc: ssrc)?.hasAnnouncedKey == true)
        #expect(receiver.stream(ssrc: ssrc)?.epoch == 0)
        try Fixture.expectDecodes(
            receiver, try packet(5, session: 0, fieldKey: nil, epoch: 0), sequence: 5)
        // The switch, with Short fields only: the held key takes over.
        try Fixture.expectDecodes(
            receiver, try packet(6, session: 1, fieldKey: nil, epoch: 0), sequence: 6)
        #expect(
            receiver.stream(ssrc: ssrc)
                == EKTReceivedStream(
                    ssrc: ssrc, spi: 1, epoch: 1, rolloverCounter: 0, hasAnnouncedKey: false))
        try Fixture.expectDecodes(
            receiver, try packet(7, session: 1, fieldKey: nil, epoch: 0), sequence: 7)
        // The old key is retired for good: a late packet under it fails, state unchanged.
        Fixture.expectRefused(
            receiver, in: bob, try packet(8, session: 0, fieldKey: nil, epoch: 0),
            .srtp(.authenticationFailed))
    }

    // MARK: Sender configuration and lifetime

    @Test func senderRefusesAnMKI() throws {
        let alice = try Endpoint()
        var srtp = SRTPSession.Configuration(profile: Fixture.profile)
        srtp.mki = [1, 2]
        #expect(
            throws: EKTSessionError.ekt(.invalidArgument("EKT cannot be combined with an SRTP MKI"))
        ) {
            _ = try EKTSender(
                store: alice.store, ektKey: alice.ektKeys[1]!,
                configuration: .init(srtp: srtp))
        }
        #expect(
            throws: EKTSessionError.ekt(.invalidArgument("EKT cannot be combined with an SRTP MKI"))
        ) {
            _ = try EKTReceiver(
                store: alice.store, scope: Fixture.scope, configuration: .init(srtp: srtp))
        }
        var libsrtp = SRTPSession.Configuration(profile: Fixture.profile)
        libsrtp.engine = .libsrtp2
        #expect(
            throws: EKTSessionError.srtp(.unsupported("EKT receivers run on the OpenSSL engine"))
        ) {
            _ = try EKTReceiver(
                store: alice.store, scope: Fixture.scope, configuration: .init(srtp: libsrtp))
        }
    }

    @Test func senderUsesTheEKTSaltNotTheGivenKeysSalt() throws {
        // A supplied master key contributes its key only; receivers use the EKT key's salt.
        let clock = Fixture.ManualClock()
        let alice = try Endpoint()
        let bob = try Endpoint()
        let given = try alice.store.importSRTPMasterKey(
            Array(repeating: 0x42, count: 16), salt: Array(repeating: 0x99, count: 12),
            for: Fixture.profile, scope: Fixture.scope)
        let sender = try EKTSender(
            store: alice.store, ektKey: alice.ektKeys[1]!, masterKey: given,
            configuration: .init(profile: Fixture.profile), clock: clock.clock)
        let receiver = try bob.receiver(clock: clock)
        try Fixture.expectDecodes(receiver, try Fixture.send(sender, 3), sequence: 3)
        // The supplied handle stays the caller's, untouched.
        try sender.rotateMasterKey()
        _ = try SRTPSession(
            key: given, in: alice.store, configuration: .init(profile: Fixture.profile))
    }

    @Test func expiredEKTKeyStopsSenderAndReceiver() async throws {
        let clock = Fixture.ManualClock()
        let alice = try Endpoint(ttl: .milliseconds(60))
        let bob = try Endpoint(ttl: .milliseconds(60))
        let sender = try alice.sender(clock: clock)
        let receiver = try bob.receiver(clock: clock)
        let first = try Fixture.send(sender, 0)
        try await Task.sleep(for: .milliseconds(120))
        // RFC 8870 §5.2.2: not used after ekt_ttl. The receiver's store no longer lists the key.
        Fixture.expectRefused(receiver, in: bob, first, .ekt(.unknownSPI(1)))
        #expect(throws: EKTSessionError.ekt(.keyStore(.keyExpired))) {
            _ = try Fixture.send(sender, 1)
        }
        #expect(throws: EKTSessionError.ekt(.keyStore(.keyExpired))) {
            _ = try alice.sender(clock: clock)
        }
    }
}
