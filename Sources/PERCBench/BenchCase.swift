/// Who does the work in a case.
public enum BenchImplementation: String, Sendable, CaseIterable, CustomStringConvertible {
    /// Raw OpenSSL EVP in C: the practical floor every ratio is taken against.
    case rawEVP = "raw EVP"
    /// `SRTPSession` on the OpenSSL engine (the library's hot path).
    case openSSLEngine = "OpenSSL engine"
    /// Raw `srtp_protect` / `srtp_unprotect` from C.
    case rawLibSRTP = "raw libsrtp2"
    /// `SRTPSession` on the libsrtp2 reference engine.
    case libsrtp2Engine = "libsrtp2 engine"
    /// Library code that has no baseline (EKT).
    case library = "swift-perc"

    public var description: String { rawValue }
}

/// What is done to a packet: an endpoint protects (sends) or unprotects (receives); a Media
/// Distributor relays a double SRTP packet (outer open, header rewrite, outer seal).
public enum BenchDirection: String, Sendable, CaseIterable, CustomStringConvertible {
    case protect
    case unprotect
    case relay

    /// What endpoints do.
    public static let endpoint: [BenchDirection] = [.protect, .unprotect]

    public var description: String { rawValue }
}

/// One benchmark: a group of equal work (`"AEAD_AES_128_GCM protect 1200 B"`) done by one
/// implementation. Cases of a group are compared with the group's `.rawEVP` case.
public struct BenchCase: Sendable {
    public let group: String
    public let implementation: BenchImplementation
    /// Payload octets per operation, for Gbit/s; nil where a payload rate means nothing (EKT).
    public let payloadLength: Int?
    private let make: @Sendable (_ batchSize: Int) throws(BenchError) -> any BenchWorkload

    init(
        group: String, implementation: BenchImplementation, payloadLength: Int?,
        make: @escaping @Sendable (_ batchSize: Int) throws(BenchError) -> any BenchWorkload
    ) {
        self.group = group
        self.implementation = implementation
        self.payloadLength = payloadLength
        self.make = make
    }

    /// Unique; also the package-benchmark name.
    public var name: String { "\(group) [\(implementation)]" }

    /// A new workload (fresh sessions, keys and buffers) doing `batchSize` operations per batch.
    public func makeWorkload(batchSize: Int) throws(BenchError) -> any BenchWorkload {
        try make(batchSize)
    }
}
