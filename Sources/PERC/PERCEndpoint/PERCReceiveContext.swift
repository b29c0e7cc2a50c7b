/// How a `PERCReceiver` keys what EKT delivers (RFC 8870 §4.3.2 step 6, RFC 8723 §5.1): a
/// FullEKTField carries only the sender's end-to-end (inner) key, and the receiver's own hop key
/// stays the outer half. Each learned key becomes one inner stream, run through the receiver's
/// hop.
struct PERCReceiveKeying: EKTReceiveKeying {
    /// The receiver's hop: its outer layer opens every packet. Nothing else keys it.
    let hop: DoubleSRTPReceiver

    var masterKeyLength: Int { hop.profile.halfProfile.masterKeyLength }

    /// The unwrapped key with the first 12 octets of its EKT key's salt (RFC 8871 §4.5.1: every
    /// endpoint shares the end-to-end salt of the EKT key) goes into the store in `scope`; the
    /// inner stream starts at the field's ROC, the sender's inner ROC.
    func makeContext(from key: UnwrappedSRTPKey, store: KeyStore, scope: KeyScope)
        throws(EKTReceiveFailure<DoubleSRTPError>) -> PERCReceiveContext
    {
        let handle: KeyHandle
        do {
            handle = try store.importSRTPMasterKey(key, for: hop.profile.halfProfile, scope: scope)
        } catch {
            throw .ekt(error)
        }
        do {
            let inner = try hop.innerStream(
                key: handle, in: store, ssrc: key.ssrc, rolloverCounter: key.roc)
            // Revoking the key (ending the conference, a retired EKT key) wipes the context.
            store.register(inner.keyWatch, for: handle)
            return PERCReceiveContext(
                hop: hop, inner: inner, key: handle, store: store, spi: key.spi,
                epoch: key.epoch)
        } catch {
            store.revoke(handle)
            switch error {
            case let error as DoubleSRTPError: throw .transform(error)
            case let error as KeyStoreError: throw .ekt(.keyStore(error))
            default: throw .transform(.invalidArgument("unexpected error \(type(of: error))"))
            }
        }
    }
}

/// One sender's end-to-end key learned through EKT at a `PERCReceiver`: packets of its SSRC go
/// through the receiver's hop (outer layer, OHB) and then this key's inner stream.
final class PERCReceiveContext: EKTReceiveContext, Sendable {
    typealias Failure = DoubleSRTPError

    let hop: DoubleSRTPReceiver
    let inner: InnerReceiveStream
    private let key: KeyHandle
    private let store: KeyStore
    /// The EKT facts of the key, reported with every packet it authenticates.
    private let spi: UInt16
    private let epoch: UInt16

    init(
        hop: DoubleSRTPReceiver, inner: InnerReceiveStream, key: KeyHandle, store: KeyStore,
        spi: UInt16, epoch: UInt16
    ) {
        self.hop = hop
        self.inner = inner
        self.key = key
        self.store = store
        self.spi = spi
        self.epoch = epoch
    }

    static func ssrc(ofRTP packet: UnsafeRawBufferPointer, length: Int) throws(DoubleSRTPError)
        -> UInt32
    {
        do {
            return try RTPHeader(parsing: packet, length: length).ssrc
        } catch {
            throw DoubleSRTPError(error, layer: .outer)
        }
    }

    /// Only the inner layer tells keys apart: a packet failing the hop fails with every key.
    static func trialFailure(_ failure: DoubleSRTPError) -> EKTTrialFailure? {
        switch failure {
        case .authenticationFailed(.inner): .authentication
        case .replayed(.inner): .replay
        default: nil
        }
    }

    func unprotectRTP(_ packet: UnsafeMutableRawBufferPointer, length: Int)
        throws(DoubleSRTPError) -> PERCReceived
    {
        PERCReceived(
            media: try hop.receive(packet, length: length, sender: inner), spi: spi,
            epoch: epoch)
    }

    /// The inner index continues `current`'s; the check that the packet is ahead of it happens
    /// once the OHB gives the packet's original SEQ, inside `unprotectRTP` (the SEQ in the header
    /// may be a distributor's).
    func continueStream(
        _ ssrc: UInt32, from current: PERCReceiveContext?, roc: UInt32?,
        packet: UnsafeRawBufferPointer, length: Int
    ) {
        inner.continueStream(from: current?.inner, roc: roc)
    }

    func rolloverCounter(ssrc: UInt32) -> UInt32? {
        inner.stream.rtpIndex.roc
    }

    func discard() {
        store.revoke(key)
    }
}

extension InnerReceiveStream {
    /// Makes this stream continue `previous`, the stream of the key it would replace (see
    /// `EKTReceiveContext.continueStream`): it takes `previous`'s inner index and replay list,
    /// restarts the index at `roc` if given (RFC 3711 §3.3.1), and refuses every index up to the
    /// highest `previous` has seen (`continuesAfter`).
    func continueStream(from previous: InnerReceiveStream?, roc: UInt32?) {
        var index = previous?.stream.rtpIndex ?? RolloverEstimator()
        if let roc { index.reset(roc: roc) }
        stream.rtpIndex = index
        guard let previous else {
            continuesAfter = nil
            return
        }
        stream.receivedRTP = previous.stream.receivedRTP
        let seen = previous.stream.rtpIndex
        continuesAfter = seen.highestSequence.map { UInt64(seen.roc) << 16 | UInt64($0) }
    }
}
