import NIOPosix
import PERC
import Testing

@testable import PERCDemo

/// The distributor's refusals and argument checks, on loopback.
@Suite(.serialized) struct UDPMediaDistributorTests {
    @Test func refusesDuplicateAndUnknownParticipantsAndBadPayloadTypes() async throws {
        let fixture = try await MediaPlaneFixture(names: ["alice"])
        let distributor = fixture.distributor
        let key = HopKeyBytes.random(for: distributor.profile)
        #expect(throws: MediaPlaneError.duplicateParticipant("alice")) {
            try distributor.addParticipant(
                id: "alice", address: distributor.address, up: key,
                down: .random(for: distributor.profile))
        }
        #expect(throws: MediaPlaneError.addressInUse("\(fixture.endpoint("alice").address)")) {
            try distributor.addParticipant(
                id: "mallory", address: fixture.endpoint("alice").address, up: key,
                down: .random(for: distributor.profile))
        }
        // Two hops never share a key (RFC 8723 §5.2); nothing stays imported.
        #expect(
            throws: MediaPlaneError.invalidArgument("the up and down hop keys are the same key")
        ) {
            try distributor.addParticipant(
                id: "mallory", address: distributor.address, up: key, down: key)
        }
        #expect(distributor.hopKeysHeld == 2)
        #expect(throws: MediaPlaneError.unknownParticipant("bob")) {
            try distributor.drop(sender: "bob")
        }
        #expect(throws: MediaPlaneError.unknownParticipant("bob")) {
            try distributor.tamperNext(count: 1, toward: "bob")
        }
        await #expect(throws: MediaPlaneError.self) {
            _ = try await UDPMediaDistributor.start(group: fixture.group, payloadTypeMap: [96: 200])
        }
        try await fixture.finish()
    }

    @Test func refusesStrangersAndPacketsFailingTheHopKey() async throws {
        // Alice and Bob are registered; Carol is not, and Mallory's up key is not the one the
        // distributor holds for her.
        let fixture = try await MediaPlaneFixture(names: ["alice", "bob"])
        let distributor = fixture.distributor
        let carol = try await stranger(fixture, ssrc: 0xCA70_1002)
        let mallory = try await stranger(fixture, ssrc: 0x0BAD_0BAD)
        try distributor.addParticipant(
            id: "mallory", address: mallory.address, up: .random(for: distributor.profile),
            down: .random(for: distributor.profile))
        carol.sendFrame()
        mallory.sendFrame()
        #expect(await eventually { distributor.counters.datagramsIn == 2 })
        let counters = distributor.counters
        #expect(counters.unknownSource == 1)
        #expect(counters.refusedByOuterAuth == 1)
        #expect(counters.forwarded == 0)
        await carol.stop()
        await mallory.stop()
        try await fixture.stop()
    }

    /// An endpoint with keys of its own, not registered with the distributor.
    private func stranger(_ fixture: MediaPlaneFixture, ssrc: UInt32) async throws -> MediaEndpoint
    {
        let store = KeyStore()
        let ektKey = try store.generateEKTKey(
            cipher: .aeskw128, spi: 1, masterSaltLength: 12, scope: MediaPlaneFixture.conference)
        return try await MediaEndpoint.start(
            group: fixture.group, distributor: fixture.distributor.address, ssrc: ssrc,
            store: store, ektKey: ektKey, up: .random(for: .doubleAEADAES128GCM),
            down: .random(for: .doubleAEADAES128GCM))
    }
}
