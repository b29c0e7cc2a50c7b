import NIOCore
import NIOPosix
import PERC
import Testing

@testable import PERCDemo

/// A conference on loopback for the media tests: a `UDPMediaDistributor`, a stand-in KMF store
/// that generates the EKT keys and delivers them only through `Encryption-Key` header values, and
/// one `MediaEndpoint` per participant, each with its own store.
final class MediaPlaneFixture {
    static let conference = KeyScope("media-test")
    static let ssrcs: [String: UInt32] = [
        "alice": 0xA11C_E000, "bob": 0x0B0B_0001, "carol": 0xCA70_1002,
    ]

    let group = MultiThreadedEventLoopGroup(numberOfThreads: 2)
    let kmf = KeyStore()
    let distributor: UDPMediaDistributor
    private(set) var endpoints: [String: MediaEndpoint] = [:]
    private(set) var stores: [String: KeyStore] = [:]

    /// Starts the distributor and `names` endpoints on EKT key SPI 1, registered with the
    /// distributor but not sending yet.
    init(
        names: [String] = ["alice", "bob", "carol"],
        receiverConfiguration: PERCReceiver.Configuration = .init(rekeyOverlap: .seconds(60))
    ) async throws {
        distributor = try await UDPMediaDistributor.start(group: group)
        self.receiverConfiguration = receiverConfiguration
        ektKey = try newEKTKey(spi: 1)
        for name in names { try await join(name) }
    }

    private let receiverConfiguration: PERCReceiver.Configuration
    /// The EKT key the conference started with (SPI 1), in the KMF's store.
    private var ektKey: KeyHandle!

    /// Starts `name`'s endpoint on the first EKT key and registers it with the distributor.
    func join(_ name: String) async throws {
        let store = KeyStore()
        let handle = try deliver(ektKey, spi: 1, to: store)
        var up = HopKeyBytes.random(for: distributor.profile)
        var down = HopKeyBytes.random(for: distributor.profile)
        defer {
            up.wipe()
            down.wipe()
        }
        let endpoint = try await MediaEndpoint.start(
            group: group, distributor: distributor.address, ssrc: Self.ssrcs[name]!,
            store: store, ektKey: handle, up: up, down: down,
            receiverConfiguration: receiverConfiguration)
        try distributor.addParticipant(id: name, address: endpoint.address, up: up, down: down)
        endpoints[name] = endpoint
        stores[name] = store
    }

    /// A new EKT key of the conference in the KMF's store.
    func newEKTKey(spi: UInt16) throws -> KeyHandle {
        try kmf.generateEKTKey(
            cipher: .aeskw128, spi: spi, masterSaltLength: 12, scope: Self.conference)
    }

    /// Delivers `ektKey` to `store` the way the KMF does: an `Encryption-Key` header value.
    func deliver(_ ektKey: KeyHandle, spi: UInt16, to store: KeyStore) throws -> KeyHandle {
        let header = try EncryptionKeyHeader.exportForDelivery(
            ektKey: ektKey, keyID: "media-test/\(spi)", from: kmf)
        return try store.importEKTKey(fromEncryptionKeyHeader: header, scope: Self.conference)
            .handle
    }

    /// Rekeys `names`: the new key reaches every receiver first, then the senders switch.
    func rekey(_ names: [String], spi: UInt16) throws {
        let ektKey = try newEKTKey(spi: spi)
        var delivered: [String: KeyHandle] = [:]
        for name in names {
            delivered[name] = try deliver(ektKey, spi: spi, to: stores[name]!)
            try endpoints[name]!.addEKTKey(delivered[name]!)
        }
        for name in names { try endpoints[name]!.rekey(to: delivered[name]!) }
    }

    func endpoint(_ name: String) -> MediaEndpoint { endpoints[name]! }

    /// What `receiver` counted for `sender`'s SSRC.
    func counters(at receiver: String, from sender: String) -> MediaEndpoint.SenderCounters {
        endpoint(receiver).counters.senders[Self.ssrcs[sender]!] ?? .init()
    }

    /// Each named endpoint sends `count` frames now.
    func send(_ count: Int, from names: [String]) {
        for _ in 0..<count { for name in names { endpoint(name).sendFrame() } }
    }

    /// Whether every pair of distinct endpoints among `names` satisfies `condition` within the
    /// deadline.
    func eventuallyEveryPair(
        _ names: [String], _ condition: @escaping (MediaEndpoint.SenderCounters) -> Bool
    ) async -> Bool {
        await eventually {
            names.allSatisfy { receiver in
                names.allSatisfy { sender in
                    sender == receiver || condition(self.counters(at: receiver, from: sender))
                }
            }
        }
    }

    /// Sends 4 frames from every endpoint, past the senders' three FullEKTFields, and waits
    /// until every receiver verified them: every receiver knows every sender's key.
    func establishStreams() async -> Bool {
        let names = endpoints.keys.sorted()
        send(4, from: names)
        return await eventuallyEveryPair(names) { $0.verified == 4 }
    }

    /// Checks what must hold at the end of every test (the distributor never saw media, held an
    /// end-to-end key, nor refused or failed anything) and stops everything.
    func finish() async throws {
        let counters = distributor.counters
        #expect(counters.plaintextSeen == 0)
        #expect(counters.endToEndKeysHeld == 0)
        #expect(counters.unknownSource == 0)
        #expect(counters.refusedByOuterAuth == 0)
        #expect(counters.forwardFailures == 0)
        try await stop()
    }

    func stop() async throws {
        for endpoint in endpoints.values { await endpoint.stop() }
        await distributor.stop()
        try await group.shutdownGracefully()
    }
}

/// Polls `condition` every 10 ms until it holds or `timeout` passes (generous: the tests run on
/// a loaded two-core machine); returns whether it held.
func eventually(timeout: Duration = .seconds(30), _ condition: () -> Bool) async -> Bool {
    let deadline = ContinuousClock.now + timeout
    while !condition() {
        guard ContinuousClock.now < deadline else { return false }
        try? await Task.sleep(for: .milliseconds(10))
    }
    return true
}
