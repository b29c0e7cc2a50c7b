import NIOCore
import PERC

/// One participant's media (RFC 8871): a UDP socket on 127.0.0.1 pointed at the Media
/// Distributor, a `PERCSender` for its synthetic frames and a `PERCReceiver` for everyone else's.
///
/// Keys: the endpoint's own `KeyStore` holds the conference's EKT keys (imported by the caller
/// from the KMF's `Encryption-Key` header) and the two hop keys given to `start` (imported, the
/// caller wipes its bytes). Every received frame is verified end to end (`SyntheticFrame.verify`)
/// and counted per sender SSRC; refusals are counted by `RefusalKind`.
public final class MediaEndpoint: Sendable {
    public let ssrc: UInt32
    public let profile: DoubleSRTPProfile
    /// The conference: the scope of the EKT keys.
    public let scope: KeyScope
    private let distributor: SocketAddress
    private let store: KeyStore
    private let hopKeys: [HopKeyHandle]
    private let sender: PERCSender
    private let receiver: PERCReceiver
    private let socket: LoopbackUDPSocket
    private let sending: Locked<SendState>
    private let receiving: Locked<ReceiveState>

    private struct SendState {
        var nextFrame: UInt64 = 0
        /// RFC 3550 §5.1: SEQ and timestamp start at random values.
        var sequenceNumber = UInt16.random(in: .min ... .max)
        var timestamp = UInt32.random(in: .min ... .max)
        var framesSent = 0
        var sendFailures = 0
        var loop: RepeatedTask?
    }

    private init(
        ssrc: UInt32, profile: DoubleSRTPProfile, scope: KeyScope, distributor: SocketAddress,
        store: KeyStore, hopKeys: [HopKeyHandle], sender: PERCSender, receiver: PERCReceiver,
        socket: LoopbackUDPSocket, receiving: Locked<ReceiveState>
    ) {
        self.ssrc = ssrc
        self.profile = profile
        self.scope = scope
        self.distributor = distributor
        self.store = store
        self.hopKeys = hopKeys
        self.sender = sender
        self.receiver = receiver
        self.socket = socket
        self.sending = Locked(SendState())
        self.receiving = receiving
    }

    /// Binds the endpoint's socket to 127.0.0.1:0 on `group` and creates its sender (SSRC `ssrc`,
    /// first EKT key `ektKey`, hop key `up` toward the distributor) and receiver (hop key `down`
    /// from the distributor, EKT keys of `ektKey`'s scope in `store`). The caller wipes `up` and
    /// `down` afterwards and registers the endpoint's `address` with the distributor.
    public static func start(
        group: any EventLoopGroup, distributor: SocketAddress, ssrc: UInt32, store: KeyStore,
        ektKey: KeyHandle, up: HopKeyBytes, down: HopKeyBytes,
        profile: DoubleSRTPProfile = .doubleAEADAES128GCM,
        receiverConfiguration: PERCReceiver.Configuration = .init()
    ) async throws(MediaPlaneError) -> MediaEndpoint {
        let (upKey, downKey) = try HopKeyBytes.importKeys(
            up: up, down: down, into: store, for: profile)
        do {
            let sender = try PERCSender(
                profile: profile, ektKey: ektKey, hopKey: upKey, store: store)
            let receiver = try PERCReceiver(
                profile: profile, hopKey: downKey, store: store, scope: sender.scope,
                configuration: receiverConfiguration)
            let receiving = Locked(ReceiveState())
            let socket = try await LoopbackUDPSocket.bind(group: group) { address, datagram in
                if address == distributor {
                    ReceiveState.receive(datagram, with: receiver, into: receiving)
                } else {
                    receiving.withLock { $0.counters.foreignDatagrams += 1 }
                }
                return []
            }
            return MediaEndpoint(
                ssrc: ssrc, profile: profile, scope: sender.scope, distributor: distributor,
                store: store, hopKeys: [upKey, downKey], sender: sender, receiver: receiver,
                socket: socket, receiving: receiving)
        } catch {
            store.revoke(upKey)
            store.revoke(downKey)
            switch error {
            case let error as PERCError: throw .perc(error)
            case let error as MediaPlaneError: throw error
            default: throw .invalidArgument("unexpected error \(type(of: error))")
            }
        }
    }

    /// The endpoint's UDP address, for the distributor.
    public var address: SocketAddress { socket.address }

    /// Stops sending, closes the socket and revokes the endpoint's hop keys (which wipes its
    /// sender and receiver). The EKT keys stay in the caller's store.
    public func stop() async {
        stopSending()
        await socket.close()
        for key in hopKeys { store.revoke(key) }
    }

    // MARK: Sending

    /// Sends a frame every 1/`ratePerSecond` s on the socket's event loop, alternating audio and
    /// video frames (`SyntheticFrame.Kind`), until `stopSending`. Replaces a running loop.
    public func startSending(ratePerSecond: Int) throws(MediaPlaneError) {
        guard (1...1000).contains(ratePerSecond) else {
            throw .invalidArgument("rate \(ratePerSecond) frames/s outside 1...1000")
        }
        let interval = TimeAmount.nanoseconds(1_000_000_000 / Int64(ratePerSecond))
        let loop = socket.eventLoop.scheduleRepeatedTask(initialDelay: .zero, delay: interval) {
            [weak self] _ in self?.sendFrame()
        }
        sending.withLock { state in
            state.loop?.cancel()
            state.loop = loop
        }
    }

    /// Stops the send loop.
    public func stopSending() {
        sending.withLock { state in
            state.loop?.cancel()
            state.loop = nil
        }
    }

    /// Protects and sends the next frame now (the send loop calls this).
    public func sendFrame() {
        let datagram: OutboundDatagram? = sending.withLock { state in
            let frame = SyntheticFrame(ssrc: ssrc, frameNumber: state.nextFrame)
            var packet = frame.rtpPacket(
                sequenceNumber: state.sequenceNumber, timestamp: state.timestamp,
                extraCapacity: sender.overhead)
            do {
                try sender.protect(&packet)
            } catch {
                state.sendFailures += 1
                return nil
            }
            state.nextFrame += 1
            state.sequenceNumber &+= 1
            state.timestamp &+= SyntheticFrame.timestampStep
            state.framesSent += 1
            return OutboundDatagram(address: distributor, bytes: packet)
        }
        if let datagram { socket.send(datagram) }
    }

    // MARK: Keys

    /// A new EKT key of the conference is in the store (from the KMF): the receiver accepts it at
    /// once and keeps the older ones for its rekey overlap (`PERCReceiver.ektKeyAdded`).
    public func addEKTKey(_ ektKey: KeyHandle) throws(MediaPlaneError) {
        do {
            try receiver.ektKeyAdded(ektKey)
        } catch {
            throw .perc(error)
        }
    }

    /// Moves the sender to a new EKT key, with a new end-to-end key (RFC 8871 §4.5.2).
    public func rekey(to ektKey: KeyHandle) throws(MediaPlaneError) {
        do {
            try sender.rekey(ektKey: ektKey)
        } catch {
            throw .perc(error)
        }
    }

    /// The SPI the sender announces its key under.
    public var spi: UInt16 { sender.spi }

    // MARK: Observation

    /// Called on the socket's event loop for every frame verified end to end.
    public var onVerifiedFrame: (@Sendable (VerifiedFrame) -> Void)? {
        get { receiving.withLock { $0.onVerifiedFrame } }
        set { receiving.withLock { $0.onVerifiedFrame = newValue } }
    }

    /// A snapshot of the counters.
    public var counters: Counters {
        var counters = receiving.withLock { $0.counters }
        sending.withLock { state in
            counters.framesSent = state.framesSent
            counters.sendFailures = state.sendFailures
        }
        return counters
    }
}

extension MediaEndpoint: CustomStringConvertible {
    public var description: String {
        "MediaEndpoint(SSRC \(ssrc), \(scope), \(address), keys redacted)"
    }
}
