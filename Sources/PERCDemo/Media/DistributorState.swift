import NIOCore
import PERC

/// The state of a `UDPMediaDistributor`, behind its lock: the participants and their legs, the
/// forwarding knobs, and the counters. Packets are handled on the socket's event loop, one at a
/// time, so each receiver's SEQs go out in order.
struct DistributorState {
    let distributor: MediaDistributor
    let store: KeyStore
    let payloadTypeMap: [UInt8: UInt8]
    var participants: [String: Participant] = [:]
    /// Who sends from an address: participants with an ingress leg.
    var senders: [SocketAddress: String] = [:]
    var droppedSenders: Set<String> = []
    var tamper: Tamper?
    var holding = false
    var held: [HeldPacket] = []
    var counters = UDPMediaDistributor.Counters()

    /// The most packets held back at once; later ones are dropped.
    static let maxHeld = 4096

    init(distributor: MediaDistributor, store: KeyStore, payloadTypeMap: [UInt8: UInt8]) {
        self.distributor = distributor
        self.store = store
        self.payloadTypeMap = payloadTypeMap
    }

    /// One participant's legs and the SEQs the distributor numbers toward it.
    struct Participant {
        let address: SocketAddress
        /// nil once it left while a colluding distributor keeps sending to it.
        var ingress: (leg: MediaDistributor.Ingress, key: HopKeyHandle)?
        let egress: MediaDistributor.Egress
        let egressKey: HopKeyHandle
        /// The next SEQ toward this participant per sender SSRC.
        var nextSequence: [UInt32: UInt16] = [:]
    }

    struct Tamper {
        var remaining: Int
        let toward: String?
    }

    /// A packet opened on the ingress and not yet forwarded.
    struct HeldPacket {
        let sender: String
        let packet: [UInt8]
        let opened: MediaDistributor.OpenedPacket
    }

    func requireParticipant(_ id: String) throws(MediaPlaneError) {
        guard participants[id] != nil else { throw .unknownParticipant(id) }
    }

    // MARK: Participants

    mutating func add(
        id: String, address: SocketAddress, up: HopKeyBytes, down: HopKeyBytes,
        profile: DoubleSRTPProfile
    ) throws(MediaPlaneError) {
        guard participants[id] == nil else { throw .duplicateParticipant(id) }
        guard !participants.values.contains(where: { $0.address == address }) else {
            throw .addressInUse("\(address)")
        }
        let (ingressKey, egressKey) = try HopKeyBytes.importKeys(
            up: up, down: down, into: store, for: profile)
        var ingress: MediaDistributor.Ingress?
        do {
            let leg = try distributor.addIngress(hopKey: ingressKey, in: store)
            ingress = leg
            let egress = try distributor.addEgress(hopKey: egressKey, in: store)
            participants[id] = Participant(
                address: address, ingress: (leg, ingressKey), egress: egress, egressKey: egressKey)
            senders[address] = id
        } catch {
            if let ingress { distributor.remove(ingress) }
            store.revoke(ingressKey)
            store.revoke(egressKey)
            switch error {
            case let error as DoubleSRTPError: throw .doubleSRTP(error)
            case let error as KeyStoreError: throw .keyStore(error)
            default: throw .invalidArgument("unexpected error \(type(of: error))")
            }
        }
    }

    mutating func remove(id: String, keepEgress: Bool) throws(MediaPlaneError) {
        guard var participant = participants[id] else { throw .unknownParticipant(id) }
        if let ingress = participant.ingress {
            distributor.remove(ingress.leg)
            store.revoke(ingress.key)
            senders[participant.address] = nil
            participant.ingress = nil
        }
        droppedSenders.remove(id)
        held.removeAll { $0.sender == id }
        counters.held = held.count
        if keepEgress {
            participants[id] = participant
        } else {
            distributor.remove(participant.egress)
            store.revoke(participant.egressKey)
            participants[id] = nil
        }
    }

    /// Forgets every participant and held packet (the store is closed next).
    mutating func reset() {
        participants = [:]
        senders = [:]
        held = []
        counters.held = 0
    }
}
