import PERC
import Testing

@testable import PERCDemo

/// The media plane end to end over UDP on 127.0.0.1: three endpoints and the distributor.
/// Serialized: each test runs its own conference, and the machine is shared.
@Suite(.serialized) struct MediaPlaneTests {
    static let everyone = ["alice", "bob", "carol"]

    @Test func sendLoopsDeliverVerifiedFramesWithRewrittenPayloadTypes() async throws {
        let fixture = try await MediaPlaneFixture()
        for name in Self.everyone { try fixture.endpoint(name).startSending(ratePerSecond: 50) }
        let flowing = await fixture.eventuallyEveryPair(Self.everyone) { $0.verified >= 20 }
        #expect(flowing)
        for name in Self.everyone { fixture.endpoint(name).stopSending() }

        for receiver in Self.everyone {
            let counters = fixture.endpoint(receiver).counters
            #expect(counters.refusedTotal == 0, "\(receiver): \(counters)")
            for sender in Self.everyone where sender != receiver {
                let fromSender = fixture.counters(at: receiver, from: sender)
                // The outer PT is the distributor's (96 → 98, 111 → 109); the payload check
                // passed with the sender's PT, which the OHB restored end to end.
                #expect(Set(fromSender.outerPayloadTypes.keys) == [98, 109])
                #expect(fromSender.verifiedBySPI.keys.sorted() == [1])
                #expect(fromSender.outerSequenceBreaks == 0)
            }
        }
        #expect(fixture.distributor.hopKeysHeld == 6)
        try await fixture.finish()
        #expect(fixture.distributor.hopKeysHeld == 0)
    }

    @Test func selectiveForwardingKeepsEachReceiversSEQContiguous() async throws {
        let fixture = try await MediaPlaneFixture()
        let bobSaw = Locked<[MediaEndpoint.VerifiedFrame]>([])
        fixture.endpoint("bob").onVerifiedFrame = { frame in
            if frame.ssrc == MediaPlaneFixture.ssrcs["alice"] {
                bobSaw.withLock { $0.append(frame) }
            }
        }
        #expect(await fixture.establishStreams())

        try fixture.distributor.drop(sender: "alice")
        fixture.send(5, from: ["alice"])
        #expect(await eventually { fixture.distributor.counters.dropped == 5 })
        try fixture.distributor.resume(sender: "alice")
        fixture.send(5, from: ["alice"])
        #expect(await eventually { fixture.counters(at: "bob", from: "alice").verified == 9 })
        #expect(await eventually { fixture.counters(at: "carol", from: "alice").verified == 9 })

        let frames = bobSaw.withLock { $0 }
        try #require(frames.count == 9)
        // The sender's numbering skips the 5 dropped frames; the distributor's does not.
        #expect(frames.map(\.frameNumber) == [0, 1, 2, 3, 9, 10, 11, 12, 13])
        let first = frames[0].outerSequenceNumber
        #expect(frames.map(\.outerSequenceNumber) == (0..<9).map { first &+ UInt16($0) })
        let original = frames[0].originalSequenceNumber
        #expect(frames[4].originalSequenceNumber == original &+ 9)
        #expect(frames.allSatisfy { $0.originalPayloadType == $0.kind.payloadType })
        #expect(frames.allSatisfy { $0.outerPayloadType == ($0.kind == .audio ? 109 : 98) })
        #expect(fixture.counters(at: "carol", from: "alice").outerSequenceBreaks == 0)
        for name in Self.everyone { #expect(fixture.endpoint(name).counters.refusedTotal == 0) }
        try await fixture.finish()
    }

    @Test func aJoinerReceivesEachStreamFromItsNextFullEKTField() async throws {
        let fixture = try await MediaPlaneFixture(names: ["alice", "bob"])
        #expect(await fixture.establishStreams())
        try await fixture.join("carol")
        // Right after the first packets: ShortEKTFields, which carol could not use, are not
        // forwarded to her (on a slow machine a FullEKTField may come sooner: then she receives
        // from there on).
        fixture.send(5, from: ["alice"])
        #expect(await eventually { fixture.counters(at: "bob", from: "alice").verified == 9 })
        let withheld = fixture.distributor.counters.awaitingFullEKTField
        #expect(
            await eventually {
                withheld + fixture.counters(at: "carol", from: "alice").verified == 5
            })
        // The sender's next FullEKTField (every 100 ms, RFC 8870 §4.6) starts the stream.
        try await Task.sleep(for: .milliseconds(150))
        fixture.send(1, from: ["alice"])
        #expect(
            await eventually {
                fixture.counters(at: "carol", from: "alice").verified == 6 - withheld
            })
        #expect(fixture.endpoint("carol").counters.refusedTotal == 0)
        #expect(fixture.distributor.counters.forwardedTo["carol"] == 6 - withheld)
        try await fixture.finish()
    }

    @Test func tamperedPacketsAreRefusedByReceiversOnly() async throws {
        let fixture = try await MediaPlaneFixture()
        #expect(await fixture.establishStreams())

        try fixture.distributor.tamperNext(count: 3, toward: "bob")
        fixture.send(4, from: ["alice"])
        fixture.send(4, from: ["carol"])
        #expect(await eventually { fixture.distributor.counters.tampered == 3 })
        #expect(await eventually { fixture.endpoint("bob").counters.refusedTotal == 3 })
        #expect(await fixture.eventuallyEveryPair(["alice", "carol"]) { $0.verified == 8 })
        #expect(
            await eventually {
                fixture.counters(at: "bob", from: "alice").received
                    + fixture.counters(at: "bob", from: "carol").received == 16
            })

        let bob = fixture.endpoint("bob").counters
        #expect(bob.refused(.authentication) == 3, "\(bob)")
        #expect(bob.verified == 16 - 3)
        // Tampering only with the copies to Bob: Carol and Alice verify everything.
        #expect(fixture.endpoint("alice").counters.refusedTotal == 0)
        #expect(fixture.endpoint("carol").counters.refusedTotal == 0)

        // Nothing else broke: Bob keeps verifying.
        fixture.send(2, from: Self.everyone)
        #expect(await eventually { fixture.endpoint("bob").counters.verified == 13 + 4 })
        #expect(fixture.endpoint("bob").counters.refusedTotal == 3)
        try await fixture.finish()
    }

    @Test func packetsHeldAcrossARekeyDecryptWithinTheOverlap() async throws {
        let fixture = try await MediaPlaneFixture()
        #expect(await fixture.establishStreams())

        fixture.distributor.holdBack()
        fixture.send(3, from: Self.everyone)  // under SPI 1, before the rekey
        #expect(await eventually { fixture.distributor.counters.held == 9 })
        try fixture.rekey(Self.everyone, spi: 2)
        fixture.send(3, from: Self.everyone)  // under SPI 2, queued behind the others
        #expect(await eventually { fixture.distributor.counters.held == 18 })
        await fixture.distributor.releaseHeld()

        #expect(await fixture.eventuallyEveryPair(Self.everyone) { $0.verified == 10 })
        for receiver in Self.everyone {
            #expect(fixture.endpoint(receiver).counters.refusedTotal == 0)
            for sender in Self.everyone where sender != receiver {
                let counters = fixture.counters(at: receiver, from: sender)
                #expect(counters.verifiedBySPI == [1: 7, 2: 3], "\(receiver) from \(sender)")
                #expect(counters.outerSequenceBreaks == 0)
            }
        }
        #expect(fixture.distributor.counters.held == 0)
        try await fixture.finish()
    }

    @Test func aLeaverCannotDecryptAfterTheRekeyEvenWithAColludingDistributor() async throws {
        let fixture = try await MediaPlaneFixture()
        for name in Self.everyone { try fixture.endpoint(name).startSending(ratePerSecond: 50) }
        #expect(await fixture.eventuallyEveryPair(Self.everyone) { $0.verified >= 10 })

        // Carol leaves; the distributor keeps sending her the conference's media.
        fixture.endpoint("carol").stopSending()
        // Her last packet may still be on its way; let it arrive while she is a participant.
        try await Task.sleep(for: .milliseconds(100))
        try fixture.distributor.removeParticipant(id: "carol", keepSendingAsColludingMD: true)
        #expect(fixture.distributor.hopKeysHeld == 5)
        try fixture.rekey(["alice", "bob"], spi: 2)

        let remaining = ["alice", "bob"]
        #expect(
            await fixture.eventuallyEveryPair(remaining) { $0.verifiedBySPI[2, default: 0] >= 20 })
        #expect(
            await eventually {
                remaining.allSatisfy { fixture.counters(at: "carol", from: $0).refusedTotal >= 10 }
            })
        for name in remaining { fixture.endpoint(name).stopSending() }

        for sender in remaining {
            let atCarol = fixture.counters(at: "carol", from: sender)
            #expect(atCarol.verifiedBySPI[2] == nil, "\(sender): \(atCarol)")
            #expect(atCarol.refusedTotal >= 10)
            // Full fields under SPI 2 name a key Carol never got; Short ones fail her old key.
            #expect(atCarol.refused[.unknownKey, default: 0] > 0, "\(sender): \(atCarol)")
            #expect(atCarol.refused[.authentication, default: 0] > 0, "\(sender): \(atCarol)")
            #expect(atCarol.refused[.frameMismatch] == nil)
            #expect(fixture.endpoint(sender).counters.refusedTotal == 0)
        }
        try fixture.distributor.removeParticipant(id: "carol")
        #expect(fixture.distributor.hopKeysHeld == 4)
        #expect(fixture.distributor.participants == remaining)
        try await fixture.finish()
    }
}
