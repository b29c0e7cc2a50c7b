import Foundation
import NIOCore
import NIOHTTP1
import NIOPosix
import NIOSSL

/// A minimal HTTPS/1.1 client for one server whose certificate is pinned: one TLS 1.3 connection
/// per request (`Connection: close`), NIOPosix `ClientBootstrap` + `NIOSSLClientHandler` +
/// NIOHTTP1.
///
/// Trust: the pinned certificate is the only trust root, and a custom verification callback
/// accepts the server only if the SHA-256 of its leaf certificate's DER equals the pinned one's
/// and the certificate is within its validity period. NIOSSL then checks the certificate's
/// subjectAltName against the server's IP address. Any other certificate, even a valid
/// self-signed one for the same address, fails the handshake.
struct PinnedHTTPSTransport: Sendable {
    let host: String
    let port: Int
    private let context: NIOSSLContext
    private let pinnedFingerprint: [UInt8]
    private let group: any EventLoopGroup
    private let timeout: TimeAmount

    init(
        host: String, port: Int, pinnedCertificateDER: [UInt8], group: any EventLoopGroup,
        timeout: TimeAmount = .seconds(10)
    ) throws(KMFClientError) {
        do {
            let certificate = try NIOSSLCertificate(bytes: pinnedCertificateDER, format: .der)
            var configuration = TLSConfiguration.makeClientConfiguration()
            configuration.minimumTLSVersion = .tlsv13
            configuration.trustRoots = .certificates([certificate])
            configuration.certificateVerification = .fullVerification
            context = try NIOSSLContext(configuration: configuration)
        } catch {
            throw .tls("pinned certificate unusable: \(error)")
        }
        guard let fingerprint = try? DemoCrypto.sha256(pinnedCertificateDER) else {
            throw .tls("cannot hash the pinned certificate")
        }
        self.host = host
        self.port = port
        pinnedFingerprint = fingerprint
        self.group = group
        self.timeout = timeout
    }

    /// Sends one request and collects the whole response.
    func send(method: String, path: String, headers: HTTPHeaders, body: [UInt8])
        async throws(KMFClientError) -> KMFClient.RawResponse
    {
        let promise = group.next().makePromise(of: KMFClient.RawResponse.self)
        let channel: any Channel
        do {
            channel = try await bootstrap(promise: promise).connect(host: host, port: port).get()
        } catch {
            promise.fail(error)
            throw Self.clientError(error)
        }
        let deadline = channel.eventLoop.scheduleTask(in: timeout) {
            promise.fail(ChannelError.connectTimeout(timeout))
            channel.close(promise: nil)
        }
        defer { deadline.cancel() }

        var head = HTTPRequestHead(
            version: .http1_1, method: HTTPMethod(rawValue: method), uri: path)
        head.headers.add(name: "Host", value: "\(host):\(port)")
        head.headers.add(contentsOf: headers)
        head.headers.replaceOrAdd(name: "Content-Length", value: String(body.count))
        head.headers.replaceOrAdd(name: "Connection", value: "close")
        channel.write(HTTPClientRequestPart.head(head), promise: nil)
        if !body.isEmpty {
            channel.write(
                HTTPClientRequestPart.body(.byteBuffer(ByteBuffer(bytes: body))), promise: nil)
        }
        channel.writeAndFlush(HTTPClientRequestPart.end(nil)).cascadeFailure(to: promise)
        do {
            return try await promise.futureResult.get()
        } catch {
            throw Self.clientError(error)
        }
    }

    private func bootstrap(promise: EventLoopPromise<KMFClient.RawResponse>) -> ClientBootstrap {
        let context = context
        let pinned = pinnedFingerprint
        return ClientBootstrap(group: group)
            .connectTimeout(timeout)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    let tls = try NIOSSLClientHandler(
                        context: context, serverHostname: nil,
                        customVerificationCallback: { certificates, verification in
                            verification.succeed(Self.verify(certificates, pinned: pinned))
                        })
                    try channel.pipeline.syncOperations.addHandler(tls)
                    try channel.pipeline.syncOperations.addHTTPClientHandlers()
                    try channel.pipeline.syncOperations.addHandler(ResponseCollector(promise))
                }
            }
    }

    /// The pin check: the leaf certificate's DER hashes to the pinned SHA-256 and the current time
    /// is within its validity period.
    private static func verify(_ certificates: [NIOSSLCertificate], pinned: [UInt8])
        -> NIOSSLVerificationResult
    {
        guard let leaf = certificates.first, let der = try? leaf.toDERBytes(),
            let fingerprint = try? DemoCrypto.sha256(der), fingerprint == pinned
        else { return .failed }
        let now = time_t(Date().timeIntervalSince1970)
        return leaf.notValidBefore <= now && now <= leaf.notValidAfter
            ? .certificateVerified : .failed
    }

    /// TLS errors (including a refused certificate) apart from connection errors.
    private static func clientError(_ error: any Error) -> KMFClientError {
        switch error {
        case let error as KMFClientError: error
        case let error as NIOSSLError: .tls("\(error)")
        case let error as BoringSSLError: .tls("\(error)")
        default: .connection("\(error)")
        }
    }
}

extension KMFClient {
    /// A whole HTTP response as received.
    public struct RawResponse: Sendable {
        /// The status code.
        public let status: Int
        public let headers: HTTPHeaders
        public let body: [UInt8]
    }
}

/// Collects one HTTP response and completes the promise; fails it on an error or an early close.
private final class ResponseCollector: ChannelInboundHandler {
    typealias InboundIn = HTTPClientResponsePart

    /// The largest response body accepted (the KMF's are a few kilobytes).
    private static let maxBodySize = 1 << 20

    private let promise: EventLoopPromise<KMFClient.RawResponse>
    private var head: HTTPResponseHead?
    private var body: [UInt8] = []

    init(_ promise: EventLoopPromise<KMFClient.RawResponse>) {
        self.promise = promise
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let head):
            self.head = head
        case .body(let buffer):
            guard body.count + buffer.readableBytes <= Self.maxBodySize else {
                promise.fail(
                    KMFClientError.malformedResponse("body over \(Self.maxBodySize) octets"))
                context.close(promise: nil)
                return
            }
            body.append(contentsOf: buffer.readableBytesView)
        case .end:
            if let head {
                promise.succeed(
                    KMFClient.RawResponse(
                        status: Int(head.status.code), headers: head.headers, body: body))
            }
            context.close(promise: nil)
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        promise.fail(error)
        context.close(promise: nil)
    }

    func channelInactive(context: ChannelHandlerContext) {
        promise.fail(KMFClientError.connection("closed before a whole response"))
        context.fireChannelInactive()
    }
}
