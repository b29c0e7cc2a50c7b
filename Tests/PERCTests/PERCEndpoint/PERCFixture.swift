import Testing

@testable import PERC

/// A PERC conference in one process, laid out as RFC 8871 §6.5 has it: every endpoint and every
/// Media Distributor has its own key store. Endpoints get the conference's EKT keys from the Key
/// Distributor and one hop key per direction toward their distributor; distributors get hop keys
/// only. No receiver is ever given a sender's end-to-end key: it learns it from EKT fields.
final class PERCConference {
    static let scope = KeyScope("perc-conference")
    /// The endpoints' own scope for their hop keys: ending the conference leaves them.
    static let hopScope = KeyScope("perc-hops")
    /// 14 octets: the double transforms use the first 12 (RFC 8870 §4.3.2 step 4).
    static let salt = (0..<14).map { UInt8(0xA0 + $0) }

    let profile: DoubleSRTPProfile
    let clock = EKTSessionFixture.ManualClock()
    private var rng = SeededGenerator(seed: 0x5EC0_4E)

    init(_ profile: DoubleSRTPProfile) {
        self.profile = profile
    }

    /// One hop's key and salt, as the Key Distributor hands them to both ends (RFC 8871 §6.2).
    struct Hop {
        let key: [UInt8]
        let salt: [UInt8]
    }

    func hop() -> Hop {
        Hop(key: rng.bytes(profile.halfProfile.masterKeyLength), salt: rng.bytes(12))
    }

    /// EKT key material per SPI (and per conference, for keys of another conference).
    static func ektKeyBytes(spi: UInt16, conference: UInt8 = 0) -> [UInt8] {
        (0..<16).map { UInt8(truncatingIfNeeded: Int(spi) &* 31 &+ $0 &* 7 &+ Int(conference)) }
    }

    /// An endpoint: its store, the EKT keys it was given, its hop keys.
    final class Endpoint {
        let conference: PERCConference
        let store = KeyStore()
        private(set) var ektKeys: [UInt16: KeyHandle] = [:]

        init(_ conference: PERCConference, spis: [UInt16]) throws {
            self.conference = conference
            for spi in spis { try addEKTKey(spi: spi) }
        }

        /// The Key Distributor delivers the EKT key of `spi` (RFC 8871 §4.5.2).
        @discardableResult
        func addEKTKey(
            spi: UInt16, scope: KeyScope = PERCConference.scope, conferenceByte: UInt8 = 0
        ) throws -> KeyHandle {
            let handle = try store.importEKTKey(
                PERCConference.ektKeyBytes(spi: spi, conference: conferenceByte),
                parameters: EKTParameters(
                    cipher: .aeskw128, spi: spi, masterSalt: PERCConference.salt),
                scope: scope)
            if scope == PERCConference.scope { ektKeys[spi] = handle }
            return handle
        }

        func hopKey(_ hop: Hop) throws -> HopKeyHandle {
            try store.importHopKey(
                hop.key, salt: hop.salt, for: conference.profile, scope: PERCConference.hopScope)
        }

        func sender(
            _ hop: Hop, spi: UInt16 = 1, schedule: EKTSenderSchedule = .init()
        ) throws -> PERCSender {
            try PERCSender(
                profile: conference.profile, ektKey: ektKeys[spi]!, hopKey: hopKey(hop),
                store: store, configuration: .init(schedule: schedule),
                clock: conference.clock.clock)
        }

        func receiver(_ hop: Hop, overlap: Duration = .seconds(2)) throws -> PERCReceiver {
            try PERCReceiver(
                profile: conference.profile, hopKey: hopKey(hop), store: store,
                scope: PERCConference.scope, configuration: .init(rekeyOverlap: overlap),
                clock: conference.clock.clock)
        }
    }

    /// A Media Distributor with its own store: hop keys only.
    final class Distributor {
        let store = KeyStore()
        let md: MediaDistributor
        private(set) var hopKeys: [HopKeyHandle] = []
        private let profile: DoubleSRTPProfile

        init(_ profile: DoubleSRTPProfile, ektInUse: Bool = true) throws {
            self.profile = profile
            md = try MediaDistributor(profile: profile, ektInUse: ektInUse)
        }

        private func hopKey(_ hop: Hop) throws -> HopKeyHandle {
            let handle = try store.importHopKey(hop.key, salt: hop.salt, for: profile)
            hopKeys.append(handle)
            return handle
        }

        func ingress(_ hop: Hop) throws -> MediaDistributor.Ingress {
            try md.addIngress(hopKey: hopKey(hop), in: store)
        }

        func egress(_ hop: Hop) throws -> MediaDistributor.Egress {
            try md.addEgress(hopKey: hopKey(hop), in: store)
        }
    }
}

/// Senders → MD1 → MD2 → receivers. MD1 renumbers each stream contiguously (by default starting
/// just below the SEQ wrap, so its egress ROC rolls over) and may set PT and M; MD2 fans each
/// packet out to every receiver unchanged (`open` once, `forward` per egress).
final class PERCChain {
    let conference: PERCConference
    let md1: PERCConference.Distributor
    let md2: PERCConference.Distributor
    let md1ToMD2: MediaDistributor.Egress
    let md1ToMD2Ingress: MediaDistributor.Ingress
    private(set) var senders: [UInt32: (endpoint: PERCConference.Endpoint, sender: PERCSender)] =
        [:]
    private(set) var ingresses: [UInt32: MediaDistributor.Ingress] = [:]
    private(set) var receivers: [PERCReceiver] = []
    private(set) var receiverEndpoints: [PERCConference.Endpoint] = []
    private(set) var egresses: [MediaDistributor.Egress] = []
    /// The MD2 → receiver hop of each receiver.
    private(set) var receiverHops: [PERCConference.Hop] = []
    /// MD1's next egress SEQ per SSRC.
    private var md1Sequence: [UInt32: UInt16] = [:]
    private let md1FirstSequence: UInt16

    init(_ profile: DoubleSRTPProfile, md1FirstSequence: UInt16 = 0xFFF0) throws {
        self.md1FirstSequence = md1FirstSequence
        conference = PERCConference(profile)
        md1 = try PERCConference.Distributor(profile)
        md2 = try PERCConference.Distributor(profile)
        let between = conference.hop()
        md1ToMD2 = try md1.egress(between)
        md1ToMD2Ingress = try md2.ingress(between)
    }

    @discardableResult
    func addSender(
        ssrc: UInt32, spis: [UInt16] = [1], schedule: EKTSenderSchedule = .init()
    ) throws -> PERCSender {
        let endpoint = try PERCConference.Endpoint(conference, spis: spis)
        let hop = conference.hop()
        ingresses[ssrc] = try md1.ingress(hop)
        let sender = try endpoint.sender(hop, spi: spis[0], schedule: schedule)
        senders[ssrc] = (endpoint, sender)
        return sender
    }

    /// A receiver behind MD2 with the EKT keys `spis`; returns its index.
    @discardableResult
    func addReceiver(spis: [UInt16] = [1], overlap: Duration = .seconds(2)) throws -> Int {
        let endpoint = try PERCConference.Endpoint(conference, spis: spis)
        let hop = conference.hop()
        egresses.append(try md2.egress(hop))
        receiverHops.append(hop)
        receivers.append(try endpoint.receiver(hop, overlap: overlap))
        receiverEndpoints.append(endpoint)
        return receivers.count - 1
    }

    /// The sender of `ssrc` protects `plain`.
    func send(_ plain: [UInt8]) throws -> [UInt8] {
        let ssrc = PERCPackets.ssrc(plain)
        var packet = plain
        try senders[ssrc]!.sender.protect(&packet)
        return packet
    }

    /// MD1 relays `wire` (next contiguous SEQ, PT and M as given) to MD2, which opens it once.
    func toMD2(_ wire: [UInt8], payloadType: UInt8? = nil, marker: Bool? = nil) throws
        -> [UInt8]
    {
        let ssrc = PERCPackets.ssrc(wire)
        let sequence = nextMD1Sequence(ssrc)
        var packet = wire
        try md1.md.relay(
            &packet, from: ingresses[ssrc]!, to: md1ToMD2,
            rewrite: .init(payloadType: payloadType, sequenceNumber: sequence, marker: marker))
        md1Sequence[ssrc] = sequence &+ 1
        _ = try md2.md.open(&packet, from: md1ToMD2Ingress)
        return packet
    }

    /// The SEQ MD1 gives the next packet of `ssrc`.
    func nextMD1Sequence(_ ssrc: UInt32) -> UInt16 { md1Sequence[ssrc] ?? md1FirstSequence }

    /// MD2 forwards an opened packet to receiver `index`.
    func forward(_ opened: [UInt8], to index: Int, rewrite: MediaDistributor.HeaderRewrite = .none)
        throws -> [UInt8]
    {
        var packet = opened
        try md2.md.forward(&packet, to: egresses[index], rewrite: rewrite)
        return packet
    }

    /// `wire` through both distributors to every receiver.
    func relay(_ wire: [UInt8], payloadType: UInt8? = nil, marker: Bool? = nil) throws
        -> [[UInt8]]
    {
        let opened = try toMD2(wire, payloadType: payloadType, marker: marker)
        return try receivers.indices.map { try forward(opened, to: $0) }
    }

    /// A repair packet of the sender of `stream` through both distributors (outer layer only)
    /// to receiver `index`.
    func relayRepair(_ wire: [UInt8], of stream: UInt32, to index: Int) throws -> [UInt8] {
        var packet = wire
        try packet.withUnsafeMutableBytes { buffer in
            _ = try md1.md.relayRepair(
                buffer, length: buffer.count, from: ingresses[stream]!, to: md1ToMD2)
            _ = try md2.md.relayRepair(
                buffer, length: buffer.count, from: md1ToMD2Ingress, to: egresses[index])
        }
        return packet
    }

    /// Protects `plain` and relays it to every receiver.
    func deliver(_ plain: [UInt8]) throws -> [[UInt8]] {
        try relay(send(plain))
    }
}

/// Packet helpers for the PERC endpoint tests.
enum PERCPackets {
    /// A packet with CSRCs, a header extension and RTP padding.
    static func rich(_ sequence: UInt16, ssrc: UInt32, marker: Bool = false, padding: Int = 4)
        -> [UInt8]
    {
        DoublePackets.rtp(
            sequence: sequence, ssrc: ssrc, payloadType: 111, marker: marker,
            csrcs: [0xC5C5_0001, 0xC5C5_0002], extensionWords: [0x1022_3344, 0x5566_7788],
            payload: Array("PERC media \(sequence)".utf8), padding: padding)
    }

    static func ssrc(_ packet: [UInt8]) -> UInt32 {
        packet[8..<12].reduce(0) { $0 << 8 | UInt32($1) }
    }

    /// The length of the EKT field at the end of `packet`.
    static func ektLength(_ packet: [UInt8]) throws -> Int { try EKTField.parse(packet).length }

    /// Whether `packet` ends in a FullEKTField.
    static func isFull(_ packet: [UInt8]) -> Bool { packet.last == EKTField.MessageType.full }
}

extension PERCReceiver {
    /// What must not change when a receiver refuses a packet.
    struct Snapshot: Equatable {
        let streams: [EKTReceivedStream]
        let liveKeys: Int
    }

    func snapshot(_ store: KeyStore) -> Snapshot {
        Snapshot(
            streams: ssrcs.sorted().compactMap { stream(ssrc: $0) }, liveKeys: store.liveKeyCount)
    }

    /// Expects `packet` to be refused with `error`, the buffer and the receiver unchanged.
    func expectRefused(
        _ packet: [UInt8], _ error: PERCError, store: KeyStore,
        sourceLocation: SourceLocation = #_sourceLocation
    ) {
        let before = snapshot(store)
        var copy = packet
        #expect(throws: error, sourceLocation: sourceLocation) { try self.receive(&copy) }
        #expect(copy == packet, "buffer changed", sourceLocation: sourceLocation)
        #expect(snapshot(store) == before, "state changed", sourceLocation: sourceLocation)
    }

    /// Receives `packet` and expects the sender's `plain` packet back (its extension block as
    /// sent, the distributor's PT and SEQ, the sender's marker).
    @discardableResult
    func expectDelivers(
        _ packet: [UInt8], _ plain: [UInt8], sourceLocation: SourceLocation = #_sourceLocation
    ) throws -> PERCReceived {
        var copy = packet
        let received = try receive(&copy)
        let media = received.media
        #expect(
            received.media.originalSequenceNumber == DoublePackets.sequence(plain),
            sourceLocation: sourceLocation)
        #expect(
            media.originalPayloadType == DoublePackets.payloadType(plain),
            sourceLocation: sourceLocation)
        #expect(media.originalMarker == DoublePackets.marker(plain), sourceLocation: sourceLocation)
        // The header as RFC 8723 §5.3 hands it over: outer PT and SEQ, everything else the sender's.
        var expected = plain
        expected[1] = (plain[1] & 0x80) | media.outerPayloadType
        expected[2] = UInt8(media.outerSequenceNumber >> 8)
        expected[3] = UInt8(truncatingIfNeeded: media.outerSequenceNumber)
        #expect(copy == expected, sourceLocation: sourceLocation)
        return received
    }
}
