import Synchronization
import Testing

@testable import PERC

/// Fixtures for the EKT sender/receiver tests: a conference whose endpoints each have their own
/// store holding the same EKT keys, a clock the tests move by hand, and packet helpers.
enum EKTSessionFixture {
    static let scope = KeyScope("ekt-session-conference")
    static let profile = SRTPProfile.aeadAES128GCM
    /// 14 octets: AES-CM profiles use all of it, GCM the first 12 (RFC 8870 §4.3.2 step 4).
    static let salt = (0..<14).map { UInt8(0xA0 + $0) }

    /// EKT key material per SPI, as a Key Distributor would hand it out.
    static func ektKeyBytes(spi: UInt16, cipher: EKTCipher = .aeskw128) -> [UInt8] {
        (0..<cipher.keyLength).map { UInt8(truncatingIfNeeded: Int(spi) &* 31 &+ $0 &* 7) }
    }

    /// A monotonic clock the test advances.
    final class ManualClock: Sendable {
        private let nanoseconds = Atomic<UInt64>(1_000_000_000)

        var clock: EKTClock { EKTClock { self.nanoseconds.load(ordering: .relaxed) } }

        func advance(_ duration: Duration) {
            nanoseconds.add(EKTClock.nanoseconds(duration), ordering: .relaxed)
        }
    }

    /// One endpoint: a store with the conference's EKT keys, and its sender and receiver.
    final class Endpoint {
        let store = KeyStore()
        private(set) var ektKeys: [UInt16: KeyHandle] = [:]

        init(spis: [UInt16] = [1], ttl: Duration? = nil) throws {
            for spi in spis { try addEKTKey(spi: spi, ttl: ttl) }
        }

        @discardableResult
        func addEKTKey(
            spi: UInt16, bytes: [UInt8]? = nil, salt: [UInt8] = EKTSessionFixture.salt,
            ttl: Duration? = nil
        ) throws -> KeyHandle {
            let handle = try store.importEKTKey(
                bytes ?? EKTSessionFixture.ektKeyBytes(spi: spi),
                parameters: EKTParameters(cipher: .aeskw128, spi: spi, masterSalt: salt, ttl: ttl),
                scope: EKTSessionFixture.scope)
            ektKeys[spi] = handle
            return handle
        }

        func sender(
            spi: UInt16 = 1, profile: SRTPProfile = EKTSessionFixture.profile,
            schedule: EKTSenderSchedule = .init(), clock: ManualClock
        ) throws -> EKTSender {
            try EKTSender(
                store: store, ektKey: ektKeys[spi]!, masterKey: nil,
                configuration: .init(profile: profile, schedule: schedule), clock: clock.clock)
        }

        func receiver(
            profile: SRTPProfile = EKTSessionFixture.profile, overlap: Duration = .seconds(2),
            history: Int = 32, clock: ManualClock
        ) throws -> EKTReceiver {
            try EKTReceiver(
                store: store, scope: EKTSessionFixture.scope,
                configuration: .init(
                    profile: profile, rekeyOverlap: overlap, retiredKeyHistory: history),
                clock: clock.clock)
        }
    }

    static func rtp(_ sequence: UInt16, ssrc: UInt32 = 0x1111_1111) -> [UInt8] {
        RTPPacketBuilder.rtp(
            sequence: sequence, ssrc: ssrc,
            payload: Array("EKT payload \(sequence)".utf8))
    }

    /// Protects an RTP packet with `sender` and returns the wire packet.
    static func send(_ sender: EKTSender, _ sequence: UInt16, ssrc: UInt32 = 0x1111_1111)
        throws -> [UInt8]
    {
        var packet = rtp(sequence, ssrc: ssrc)
        try sender.protectRTP(&packet)
        return packet
    }

    /// Whether a protected packet ends in a FullEKTField.
    static func isFull(_ packet: [UInt8]) -> Bool { packet.last == 0x02 }

    /// Unprotects `packet` with `receiver` and checks it gives back the plaintext.
    static func expectDecodes(
        _ receiver: EKTReceiver, _ packet: [UInt8], sequence: UInt16, ssrc: UInt32 = 0x1111_1111,
        sourceLocation: SourceLocation = #_sourceLocation
    ) throws {
        var copy = packet
        try receiver.unprotectRTP(&copy)
        #expect(copy == rtp(sequence, ssrc: ssrc), sourceLocation: sourceLocation)
    }

    /// The Full field at the end of `packet`.
    static func fullField(of packet: [UInt8]) throws -> FullEKTField {
        guard case .full(let field) = try EKTField.parse(packet).field else {
            throw EKTError.invalidArgument("test: no Full field")
        }
        return field
    }

    /// `packet` with its EKT tag replaced by `tag`.
    static func replacingTag(of packet: [UInt8], with tag: [UInt8]) throws -> [UInt8] {
        let length = try EKTField.parse(packet).length
        return Array(packet.dropLast(length)) + tag
    }

    /// What must not change when a receiver refuses a packet.
    struct Snapshot: Equatable {
        let streams: [EKTReceivedStream]
        let liveKeys: Int

        init(_ receiver: EKTReceiver, _ store: KeyStore) {
            streams = receiver.ssrcs.sorted().compactMap { receiver.stream(ssrc: $0) }
            liveKeys = store.liveKeyCount
        }
    }

    /// Expects `packet` to be refused with `error`, the buffer and the receiver unchanged.
    static func expectRefused(
        _ receiver: EKTReceiver, in endpoint: Endpoint, _ packet: [UInt8],
        _ error: EKTSessionError, sourceLocation: SourceLocation = #_sourceLocation
    ) {
        let before = Snapshot(receiver, endpoint.store)
        var copy = packet
        #expect(throws: error, sourceLocation: sourceLocation) { try receiver.unprotectRTP(&copy) }
        #expect(copy == packet, "buffer changed", sourceLocation: sourceLocation)
        #expect(
            Snapshot(receiver, endpoint.store) == before, "state changed",
            sourceLocation: sourceLocation)
    }
}
