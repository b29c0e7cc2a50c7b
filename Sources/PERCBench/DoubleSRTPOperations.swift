import PERC

/// The library's double SRTP (RFC 8723) through its public in-place API, as an application or a
/// Media Distributor calls it: header parsing, the locks, both layers, the stream state.
///
/// Keyed from fixed master keys (`BenchKeys`, one seed per key) through a key store: the sender's
/// end-to-end key and hop key, and the distributor → receiver hop key. The end-to-end key is given
/// explicitly (no EKT), so the rows measure double SRTP alone.
struct DoubleSRTPSetup {
    static let profile = DoubleSRTPProfile.doubleAEADAES128GCM
    /// Key seeds of the end-to-end key and the two hops (those of the raw EVP floor's session
    /// keys, `BaselineSessionKeys`).
    static let endToEndSeed: UInt8 = 0
    static let ingressSeed: UInt8 = 0x40
    static let egressSeed: UInt8 = 0x80

    let store: KeyStore
    let sender: DoubleSRTPSender
    let receiver: DoubleSRTPReceiver
    let distributor: MediaDistributor
    let ingress: MediaDistributor.Ingress
    let egress: MediaDistributor.Egress

    /// `ssrc`'s sender, the distributor relaying it, and the receiver behind the distributor.
    init(ssrc: UInt32) throws(BenchError) {
        let profile = Self.profile
        let half = profile.halfProfile
        let store = KeyStore()
        self.store = store
        do {
            let endToEndKeys = BenchKeys(profile: half, seed: Self.endToEndSeed)
            let endToEnd = try store.importSRTPMasterKey(
                endToEndKeys.masterKey, salt: endToEndKeys.masterSalt, for: half)
            func hop(_ seed: UInt8) throws -> HopKeyHandle {
                let keys = BenchKeys(profile: half, seed: seed)
                return try store.importHopKey(keys.masterKey, salt: keys.masterSalt, for: profile)
            }
            let (senderHop, receiverHop) = (try hop(Self.ingressSeed), try hop(Self.egressSeed))
            sender = try DoubleSRTPSender(
                profile: profile, endToEndKey: endToEnd, hopKey: senderHop, in: store)
            // The receiver of the `unprotect` cases hears the sender directly: it opens with the
            // sender's hop key, as the floor does.
            receiver = try DoubleSRTPReceiver(profile: profile, hopKey: senderHop, in: store)
            try receiver.setEndToEndKey(endToEnd, in: store, ssrc: ssrc)
            // The bench packets carry no EKT field, like the floor's.
            distributor = try MediaDistributor(profile: profile, ektInUse: false)
            ingress = try distributor.addIngress(hopKey: senderHop, in: store)
            egress = try distributor.addEgress(hopKey: receiverHop, in: store)
        } catch {
            throw BenchError("double SRTP setup: \(error)")
        }
    }
}

/// `DoubleSRTPSender.protect(_:length:)`.
struct DoubleSRTPProtect: PacketOperation {
    let sender: DoubleSRTPSender

    @inline(__always)
    func apply(_ packet: UnsafeMutableRawBufferPointer, length: Int, index: UInt64)
        throws(BenchError) -> Int
    {
        do {
            return try sender.protect(packet, length: length)
        } catch {
            throw BenchError("double protect failed: \(error)")
        }
    }
}

/// `DoubleSRTPReceiver.receive(_:length:)`.
struct DoubleSRTPReceive: PacketOperation {
    let receiver: DoubleSRTPReceiver

    @inline(__always)
    func apply(_ packet: UnsafeMutableRawBufferPointer, length: Int, index: UInt64)
        throws(BenchError) -> Int
    {
        do {
            return try receiver.receive(packet, length: length).length
        } catch {
            throw BenchError("double receive failed: \(error)")
        }
    }
}

/// `MediaDistributor.relay(_:length:from:to:rewrite:)`, renumbering SEQ as the floor does
/// (`EVPRelay`: egress SEQ = the low 16 bits of index + `indexOffset`; PT and M stay), so the
/// OHB records the original SEQ.
struct DistributorRelay: PacketOperation {
    let distributor: MediaDistributor
    let ingress: MediaDistributor.Ingress
    let egress: MediaDistributor.Egress
    var indexOffset: UInt64 = 0x1000

    @inline(__always)
    func apply(_ packet: UnsafeMutableRawBufferPointer, length: Int, index: UInt64)
        throws(BenchError) -> Int
    {
        do {
            return try distributor.relay(
                packet, length: length, from: ingress, to: egress,
                rewrite: .init(sequenceNumber: UInt16(truncatingIfNeeded: index &+ indexOffset)))
        } catch {
            throw BenchError("relay failed: \(error)")
        }
    }
}
