/// Runs the vectors of one family of kinds. An executor reads every field it needs first
/// (throwing `VectorFieldError` for a missing or malformed one), then performs the checks the
/// schema lists and records each one that does not hold as a failure. Any error it throws fails
/// that vector only.
public protocol VectorExecutor: Sendable {
    /// The `kind` values this executor runs.
    var kinds: Set<String> { get }

    func execute(_ vector: Vector) throws -> VectorOutcome
}

/// Which executor runs which kind, and the kinds deliberately not executed.
///
/// To support a new kind, add a file with its `VectorExecutor` and one line to `standard`.
public struct VectorRegistry: Sendable {
    private let executors: [String: any VectorExecutor]
    /// Kinds recognised but not executed, with the reason reported for them.
    private let skippedKinds: [String: String]

    public init(_ executors: [any VectorExecutor], skipping skippedKinds: [String: String] = [:]) {
        var table: [String: any VectorExecutor] = [:]
        for executor in executors {
            for kind in executor.kinds {
                precondition(table[kind] == nil, "two executors registered for kind \(kind)")
                table[kind] = executor
            }
        }
        self.executors = table
        self.skippedKinds = skippedKinds
    }

    /// The executors of swift-perc's conformance run.
    public static let standard = VectorRegistry(
        [
            SRTPPacketVectors(),
            KDFVectors(),
            AESCounterKeystreamVectors(),
            AEADIVVectors(),
            AESKeyWrapVectors(),
            EKTFieldVectors(),
            DoubleSRTPPacketVectors(), DoubleRelayVectors(),
        ],
        skipping: [
            "aes_f8":
                "AES-f8 known answer: swift-perc has no f8 transform (SCHEMA.md allows skipping)",
            "aes_gcm": "AES-GCM primitive known answer (SCHEMA.md allows skipping)",
            "hmac_sha1": "HMAC-SHA1 primitive known answer (SCHEMA.md allows skipping)",
        ])

    /// Every kind that has an executor.
    public var executedKinds: Set<String> { Set(executors.keys) }

    public func executor(for kind: String) -> (any VectorExecutor)? { executors[kind] }

    /// Why `kind` is deliberately not executed, if it is one of those.
    public func skipReason(for kind: String) -> String? { skippedKinds[kind] }
}
