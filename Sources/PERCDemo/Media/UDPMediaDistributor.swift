import NIOCore
import PERC

/// The demo's Media Distributor (RFC 8871 §3.1.1): a selective forwarding relay on a UDP socket
/// on 127.0.0.1 around `PERC.MediaDistributor`.
///
/// Its `KeyStore` holds hop keys only (`.srtpHopByHop`): for each participant one ingress key
/// (participant → distributor) and one egress key (distributor → participant). It opens each
/// datagram once with the sender's ingress key and seals a copy per receiver with that
/// receiver's egress key (RFC 8723 §5.2), with:
/// - a contiguous SEQ per (receiver, sender SSRC): a receiver sees SEQ + 1 per packet forwarded
///   to it, whatever was dropped before (RFC 8723 §4, the distributor's own numbering);
/// - the payload type rewritten by `payloadTypeMap` (the OHB records the sender's; receivers get
///   it back end to end);
/// - the EKT field (RFC 8870) carried through unchanged.
///
/// It cannot read media or forge it: `counters.plaintextSeen` counts opened packets in which the
/// synthetic frames' plaintext marker appears (0), `counters.endToEndKeysHeld` the
/// `.srtpMaster` and `.ekt` keys in its store (0). Tamper, drop and hold-back knobs let the demo
/// show what an untrusted distributor can and cannot do.
public final class UDPMediaDistributor: Sendable {
    public let profile: DoubleSRTPProfile
    private let store: KeyStore
    private let state: Locked<DistributorState>
    private let socket: LoopbackUDPSocket

    /// The PT rewrite of `start`'s default: video 96 → 98, audio 111 → 109.
    public static let defaultPayloadTypeMap: [UInt8: UInt8] = [96: 98, 111: 109]

    private init(
        profile: DoubleSRTPProfile, store: KeyStore, state: Locked<DistributorState>,
        socket: LoopbackUDPSocket
    ) {
        self.profile = profile
        self.store = store
        self.state = state
        self.socket = socket
    }

    /// Creates a distributor with an empty hop-key store and binds its socket to 127.0.0.1:0 on
    /// `group`. `payloadTypeMap` rewrites PTs toward receivers (PTs not in it pass unchanged).
    public static func start(
        group: any EventLoopGroup, profile: DoubleSRTPProfile = .doubleAEADAES128GCM,
        payloadTypeMap: [UInt8: UInt8] = defaultPayloadTypeMap
    ) async throws(MediaPlaneError) -> UDPMediaDistributor {
        if let bad = payloadTypeMap.first(where: { $0.key > 0x7F || $0.value > 0x7F }) {
            throw .invalidArgument("payload type map \(bad.key) → \(bad.value): PTs are 7 bits")
        }
        let distributor: MediaDistributor
        do {
            distributor = try MediaDistributor(profile: profile, ektInUse: true)
        } catch {
            throw .doubleSRTP(error)
        }
        let store = KeyStore()
        let state = Locked(
            DistributorState(
                distributor: distributor, store: store, payloadTypeMap: payloadTypeMap))
        let socket = try await LoopbackUDPSocket.bind(group: group) { address, datagram in
            state.withLock { $0.receive(datagram, from: address) }
        }
        return UDPMediaDistributor(profile: profile, store: store, state: state, socket: socket)
    }

    /// Where endpoints send their media.
    public var address: SocketAddress { socket.address }

    /// Closes the socket and wipes every hop key (the store is closed).
    public func stop() async {
        await socket.close()
        state.withLock { $0.reset() }
        store.close()
    }

    // MARK: Participants

    /// Adds a participant at `address`: imports `up` as its ingress key (its packets to the
    /// distributor) and `down` as its egress key (the distributor's packets to it). The caller
    /// wipes both afterwards. From now on its media is forwarded to everyone else, and everyone
    /// else's to it.
    public func addParticipant(
        id: String, address: SocketAddress, up: HopKeyBytes, down: HopKeyBytes
    ) throws(MediaPlaneError) {
        try state.withLock { state throws(MediaPlaneError) in
            try state.add(id: id, address: address, up: up, down: down, profile: profile)
        }
    }

    /// Removes a participant: stops forwarding its media, drops its held packets, removes its
    /// ingress leg and revokes its ingress key. Without `keepSendingAsColludingMD` also its
    /// egress leg and key: nothing more goes to it.
    ///
    /// `keepSendingAsColludingMD: true` models a distributor colluding with a participant that
    /// left: it keeps forwarding the conference's media to it under its old egress key. The
    /// demo uses it to show that the leaver still cannot decrypt media sent after the rekey
    /// (RFC 8871 §4.5.2): it lacks the new EKT key, which never reaches a distributor.
    public func removeParticipant(id: String, keepSendingAsColludingMD: Bool = false)
        throws(MediaPlaneError)
    {
        try state.withLock { state throws(MediaPlaneError) in
            try state.remove(id: id, keepEgress: keepSendingAsColludingMD)
        }
    }

    /// The participants' ids, including any kept for a colluding distributor.
    public var participants: [String] {
        state.withLock { $0.participants.keys.sorted() }
    }

    // MARK: Selective forwarding

    /// Stops forwarding `sender`'s media to everyone (selective forwarding: its packets are still
    /// received, opened and counted as dropped). Receivers see no SEQ gap when it resumes.
    public func drop(sender id: String) throws(MediaPlaneError) {
        try state.withLock { state throws(MediaPlaneError) in
            try state.requireParticipant(id)
            state.droppedSenders.insert(id)
        }
    }

    /// Forwards `sender`'s media again.
    public func resume(sender id: String) throws(MediaPlaneError) {
        try state.withLock { state throws(MediaPlaneError) in
            try state.requireParticipant(id)
            state.droppedSenders.remove(id)
        }
    }

    // MARK: Misbehaviour (demo)

    /// Flips one bit of the inner ciphertext (after the hop layer is removed, before it is
    /// sealed again) in each of the next `count` packets forwarded, to everyone or only toward
    /// `receiver`. Receivers refuse them: the inner tag fails (RFC 8723 §5.3 step 5), while the
    /// outer one verifies.
    public func tamperNext(count: Int, toward receiver: String? = nil) throws(MediaPlaneError) {
        guard count >= 0 else { throw .invalidArgument("tamper count \(count) is negative") }
        try state.withLock { state throws(MediaPlaneError) in
            if let receiver { try state.requireParticipant(receiver) }
            state.tamper =
                count > 0 ? DistributorState.Tamper(remaining: count, toward: receiver) : nil
        }
    }

    /// Holds back every packet from now on instead of forwarding it (already opened, in arrival
    /// order per sender, up to 4096 in all; beyond that they are dropped).
    /// Nothing overtakes a held packet. The demo holds the packets sent just before a rekey and
    /// releases them after it, to show that they still decrypt within the rekey overlap.
    public func holdBack() {
        state.withLock { $0.holding = true }
    }

    /// Forwards the held packets in order and returns to forwarding at once. Runs on the socket's
    /// event loop, so that no packet received meanwhile overtakes them.
    public func releaseHeld() async {
        let socket = socket
        let state = state
        let future = socket.eventLoop.submit {
            for datagram in state.withLock({ $0.release() }) { socket.send(datagram) }
        }
        try? await future.get()
    }

    // MARK: Observation

    /// A snapshot of the counters, with the store's live end-to-end key count.
    public var counters: Counters {
        var counters = state.withLock { $0.counters }
        counters.endToEndKeysHeld =
            store.liveKeyCount(usage: .srtpMaster) + store.liveKeyCount(usage: .ekt)
        return counters
    }

    /// The number of live hop keys in the distributor's store (two per participant, one for a
    /// participant kept for a colluding distributor).
    public var hopKeysHeld: Int { store.liveKeyCount(usage: .srtpHopByHop) }
}

extension UDPMediaDistributor: CustomStringConvertible {
    public var description: String {
        "UDPMediaDistributor(\(profile), \(address), \(participants.count) participants, "
            + "keys redacted)"
    }
}
