import NIOCore
import NIOPosix

/// A datagram to send: its bytes and where to.
struct OutboundDatagram: Sendable {
    let address: SocketAddress
    let bytes: [UInt8]
}

/// A UDP socket on 127.0.0.1 with an ephemeral port, on one event loop of a shared group. Every
/// datagram received goes to `onDatagram` on that event loop, in arrival order; the datagrams it
/// returns are sent at once (a relay's answers).
final class LoopbackUDPSocket: Sendable {
    typealias DatagramHandler = @Sendable (SocketAddress, [UInt8]) -> [OutboundDatagram]

    private let channel: any Channel
    let address: SocketAddress

    /// Large enough for any demo packet: 12 + 1000 + the double SRTP and EKT overhead.
    private static let maxDatagram = 2048
    /// Room for bursts while the event loop is busy on a loaded machine.
    private static let receiveBuffer = 4 << 20

    private init(channel: any Channel, address: SocketAddress) {
        self.channel = channel
        self.address = address
    }

    static func bind(group: any EventLoopGroup, onDatagram: @escaping DatagramHandler)
        async throws(MediaPlaneError) -> LoopbackUDPSocket
    {
        let bootstrap = DatagramBootstrap(group: group)
            .channelOption(.socketOption(.so_rcvbuf), value: receiveBuffer)
            .channelOption(
                .recvAllocator, value: FixedSizeRecvByteBufferAllocator(capacity: maxDatagram)
            )
            .channelOption(.maxMessagesPerRead, value: 16)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(
                        InboundDatagrams(onDatagram: onDatagram))
                }
            }
        do {
            let channel = try await bootstrap.bind(host: "127.0.0.1", port: 0).get()
            guard let address = channel.localAddress else {
                try? await channel.close()
                throw MediaPlaneError.socket("bound socket has no local address")
            }
            return LoopbackUDPSocket(channel: channel, address: address)
        } catch let error as MediaPlaneError {
            throw error
        } catch {
            throw .socket("bind 127.0.0.1:0: \(error)")
        }
    }

    /// The event loop that runs `onDatagram`.
    var eventLoop: any EventLoop { channel.eventLoop }

    func send(_ datagram: OutboundDatagram) {
        let buffer = channel.allocator.buffer(bytes: datagram.bytes)
        channel.writeAndFlush(
            AddressedEnvelope(remoteAddress: datagram.address, data: buffer), promise: nil)
    }

    func close() async {
        try? await channel.close()
    }
}

/// Hands each received datagram to the socket's handler and writes what it returns.
private final class InboundDatagrams: ChannelInboundHandler {
    typealias InboundIn = AddressedEnvelope<ByteBuffer>
    typealias OutboundOut = AddressedEnvelope<ByteBuffer>

    private let onDatagram: LoopbackUDPSocket.DatagramHandler

    init(onDatagram: @escaping LoopbackUDPSocket.DatagramHandler) {
        self.onDatagram = onDatagram
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let envelope = unwrapInboundIn(data)
        let replies = onDatagram(envelope.remoteAddress, Array(envelope.data.readableBytesView))
        for reply in replies {
            let buffer = context.channel.allocator.buffer(bytes: reply.bytes)
            context.write(
                wrapOutboundOut(AddressedEnvelope(remoteAddress: reply.address, data: buffer)),
                promise: nil)
        }
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        context.flush()
    }

    /// A datagram error (an ICMP port unreachable of a peer that left) concerns one datagram:
    /// the socket stays open.
    func errorCaught(context: ChannelHandlerContext, error: any Error) {}
}
