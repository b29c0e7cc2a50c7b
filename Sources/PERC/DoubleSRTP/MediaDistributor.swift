/// A PERC Media Distributor (RFC 8871 §3.1.1; RFC 8723 §5.2): forwards double SRTP packets from
/// the hop they arrive on (an ingress) to the hops they leave on (egresses), optionally changing
/// PT, SEQ and the marker bit, and records the original values in the Original Header Block.
///
/// It holds hop-by-hop keys only: every leg is keyed from a `HopKeyHandle`, and no method takes a
/// `KeyHandle`, so handing it an end-to-end key does not compile; the key store also refuses any
/// key whose usage is not `.srtpHopByHop`. It never has an inner key type, so it cannot read the
/// inner payload: what it decrypts is inner ciphertext ‖ inner tag ‖ OHB.
///
/// ```
///  ingress (hop key A)                                  egress (hop key B)
///  | hdr | inner ct | inner tag | OHB | tag_A | EKT |  →  | hdr' | inner ct | inner tag | OHB' | tag_B | EKT |
///        '------------- outer A -------------'                  '--------------- outer B ---------------'
///  hdr' = hdr with PT/SEQ/M rewritten (extensions may change too); OHB' records the originals;
///  the EKT field (RFC 8870) is carried through unchanged.
/// ```
/// Each leg has its own key and per-SSRC outer state (ROC, replay list: RFC 8871 §4.4 requires
/// replay protection on every hop). A hop key keys at most one leg: ingress and egress must use
/// different, independent keys (RFC 8723 §5.2, §9).
///
/// Every failing call throws a `DoubleSRTPError` with the buffer and all state unchanged (the one
/// exception is `.underlying`, an OpenSSL-internal failure, after which the payload is
/// unspecified). Calls on different legs run in parallel; each leg serialises its own calls.
public final class MediaDistributor: Sendable {
    /// One hop packets arrive on (an endpoint → distributor, or distributor → distributor, hop).
    /// It refers to its leg directly, so relaying looks nothing up.
    public struct Ingress: Hashable, Sendable, CustomStringConvertible {
        let leg: Leg
        var id: UInt64 { leg.id }
        public var description: String { "Ingress(#\(id))" }
        public static func == (a: Self, b: Self) -> Bool { a.leg === b.leg }
        public func hash(into hasher: inout Hasher) { hasher.combine(ObjectIdentifier(leg)) }
    }

    /// One hop packets leave on (distributor → endpoint, or distributor → distributor).
    public struct Egress: Hashable, Sendable, CustomStringConvertible {
        let leg: Leg
        var id: UInt64 { leg.id }
        public var description: String { "Egress(#\(id))" }
        public static func == (a: Self, b: Self) -> Bool { a.leg === b.leg }
        public func hash(into hasher: inout Hasher) { hasher.combine(ObjectIdentifier(leg)) }
    }

    /// The most `relay` and `forward` can grow a packet beyond its size on the ingress: an OHB
    /// going from 1 to 4 octets (RFC 8723 §4).
    public static let maxGrowth = OriginalHeaderBlock.maxLength - 1

    public let profile: DoubleSRTPProfile
    /// Whether every SRTP packet carries an EKT field after the outer tag (RFC 8870 §4; always so
    /// in PERC, RFC 8871 §4.5). The distributor strips it before the outer layer and appends it
    /// unchanged after.
    public let ektInUse: Bool
    public let replayWindow: Int

    private let legs = Locked(Legs())

    private struct Legs {
        var nextID: UInt64 = 1
        var ingresses: [UInt64: Leg] = [:]
        var egresses: [UInt64: Leg] = [:]
        /// The hop key of every leg, so none keys two.
        var keys: [KeyHandle: UInt64] = [:]
    }

    /// One leg: its keyed outer layer, and the distributor it belongs to. `Ingress` and `Egress`
    /// hold it; `legs` lists the live ones. Removing a leg, or the distributor going away, wipes
    /// its layer and makes every later call on it `.unknownLeg`.
    final class Leg: Sendable {
        let id: UInt64
        let layers: KeyedLayers<OpenSSLEngine>
        let key: KeyHandle
        let distributor: ObjectIdentifier

        init(
            id: UInt64, layers: KeyedLayers<OpenSSLEngine>, key: KeyHandle,
            of distributor: ObjectIdentifier
        ) {
            self.id = id
            self.layers = layers
            self.key = key
            self.distributor = distributor
        }
    }

    /// Creates a distributor with no legs. Throws `DoubleSRTPError.invalidArgument` for a replay
    /// window outside 64...32768.
    public init(profile: DoubleSRTPProfile, ektInUse: Bool = true, replayWindow: Int = 1024)
        throws(DoubleSRTPError)
    {
        guard ReplayWindow.sizes.contains(replayWindow) else {
            throw .invalidArgument("replay window \(replayWindow) outside \(ReplayWindow.sizes)")
        }
        self.profile = profile
        self.ektInUse = ektInUse
        self.replayWindow = replayWindow
    }

    /// Handles may outlive the distributor: their legs are wiped with it.
    deinit {
        legs.withLock { legs in
            for leg in legs.ingresses.values { leg.layers.retire(.unknownLeg) }
            for leg in legs.egresses.values { leg.layers.retire(.unknownLeg) }
        }
    }

    // MARK: Legs

    /// Adds a hop packets arrive on, keyed with the hop key its sender protects with (for an
    /// endpoint, the outer half of its double key, RFC 8871 §6.2).
    ///
    /// Throws `KeyStoreError` for a key that is unknown, revoked, expired, of another usage or
    /// size, and `DoubleSRTPError.invalidArgument` if the key already keys a leg.
    public func addIngress(hopKey: HopKeyHandle, in store: KeyStore) throws -> Ingress {
        Ingress(leg: try add(hopKey, in: store, egress: false))
    }

    /// Adds a hop packets leave on, keyed with the hop key its receiver opens with. Throws as
    /// `addIngress`.
    public func addEgress(hopKey: HopKeyHandle, in store: KeyStore) throws -> Egress {
        Egress(leg: try add(hopKey, in: store, egress: true))
    }

    /// Removes an ingress and wipes its keys and state.
    public func remove(_ ingress: Ingress) {
        remove(ingress.leg, egress: false)
    }

    /// Removes an egress and wipes its keys and state.
    public func remove(_ egress: Egress) {
        remove(egress.leg, egress: true)
    }

    // MARK: Streams

    /// The hop's rollover counter of an SSRC arriving on `ingress`, or nil before its first packet.
    public func rolloverCounter(ssrc: UInt32, on ingress: Ingress) throws(DoubleSRTPError)
        -> UInt32?
    {
        try withIngress(ingress) { layer in layer.rolloverCounter(ssrc: ssrc, direction: .inbound) }
    }

    /// The rollover counter of an SSRC sent on `egress`, or nil before its first packet. A
    /// receiver joining the hop late must be told it (RFC 3711 §3.3.1).
    public func rolloverCounter(ssrc: UInt32, on egress: Egress) throws(DoubleSRTPError)
        -> UInt32?
    {
        try withEgress(egress) { layer in layer.rolloverCounter(ssrc: ssrc, direction: .outbound) }
    }

    /// Sets the rollover counter of an SSRC arriving on `ingress` (joining a hop late, RFC 3711
    /// §3.3.1). The next packet's SEQ starts the stream again.
    public func setRolloverCounter(_ roc: UInt32, ssrc: UInt32, on ingress: Ingress)
        throws(DoubleSRTPError)
    {
        try withIngress(ingress) { layer throws(DoubleSRTPError) in
            try inLayer(.outer) { () throws(SRTPError) in
                try layer.setRolloverCounter(roc, ssrc: ssrc, direction: .inbound)
            }
        }
    }

    /// Sets the rollover counter of an SSRC sent on `egress`. The next packet's SEQ starts the
    /// stream again; indices already sent stay refused.
    public func setRolloverCounter(_ roc: UInt32, ssrc: UInt32, on egress: Egress)
        throws(DoubleSRTPError)
    {
        try withEgress(egress) { layer throws(DoubleSRTPError) in
            try inLayer(.outer) { () throws(SRTPError) in
                try layer.setRolloverCounter(roc, ssrc: ssrc, direction: .outbound)
            }
        }
    }

    private func add(_ hopKey: HopKeyHandle, in store: KeyStore, egress: Bool) throws -> Leg {
        let (engine, deadline) = try profile.outerLayer(
            hopKey, in: store, replayWindow: replayWindow)
        let layers = KeyedLayers(engine, deadline: deadline)
        let leg: Leg? = legs.withLock { legs in
            // RFC 8723 §5.2, §9: the contexts of two hops never share a key (GCM nonce reuse).
            guard legs.keys[hopKey.key] == nil else { return nil }
            let leg = Leg(
                id: legs.nextID, layers: layers, key: hopKey.key, of: ObjectIdentifier(self))
            legs.nextID += 1
            legs.keys[hopKey.key] = leg.id
            if egress { legs.egresses[leg.id] = leg } else { legs.ingresses[leg.id] = leg }
            return leg
        }
        guard let leg else {
            layers.invalidate(.keyRevoked)
            throw DoubleSRTPError.invalidArgument(
                "the hop key already keys a leg of this distributor")
        }
        store.register(layers, for: hopKey.key)
        return leg
    }

    private func remove(_ leg: Leg, egress: Bool) {
        guard leg.distributor == ObjectIdentifier(self) else { return }
        let removed: Bool = legs.withLock { legs in
            // Only this very leg: a handle of a distributor gone before may share its id.
            guard (egress ? legs.egresses[leg.id] : legs.ingresses[leg.id]) === leg else {
                return false
            }
            if egress { legs.egresses[leg.id] = nil } else { legs.ingresses[leg.id] = nil }
            legs.keys[leg.key] = nil
            return true
        }
        if removed { leg.layers.retire(.unknownLeg) }
    }

    /// Runs `body` with the ingress leg's outer layer, under that leg's lock: the one lock a call
    /// on one leg takes (the leg comes with the handle; `legs` is not consulted).
    @inline(__always)
    func withIngress<R>(
        _ ingress: Ingress, _ body: (OpenSSLEngine) throws(DoubleSRTPError) -> R
    ) throws(DoubleSRTPError) -> R {
        guard ingress.leg.distributor == ObjectIdentifier(self) else { throw .unknownLeg }
        return try ingress.leg.layers.withLayers(body)
    }

    /// Runs `body` with the egress leg's outer layer, under that leg's lock. Lock order: when a
    /// call needs two (a relay), the ingress's is taken first, then the egress's; no call takes
    /// an ingress lock while holding an egress lock, and a leg is never both, so this cannot
    /// deadlock.
    @inline(__always)
    func withEgress<R>(
        _ egress: Egress, _ body: (OpenSSLEngine) throws(DoubleSRTPError) -> R
    ) throws(DoubleSRTPError) -> R {
        guard egress.leg.distributor == ObjectIdentifier(self) else { throw .unknownLeg }
        return try egress.leg.layers.withLayers(body)
    }
}

extension MediaDistributor: CustomStringConvertible {
    public var description: String {
        let (ingresses, egresses) = legs.withLock { ($0.ingresses.count, $0.egresses.count) }
        return
            "MediaDistributor(\(profile), \(ingresses) ingress, \(egresses) egress, keys redacted)"
    }
}
