/// What one executor found for one vector.
public struct VectorOutcome: Sendable, Equatable {
    /// Checks that did not hold; any failure fails the vector.
    public var failures: [String] = []
    /// Informative findings that do not fail it, such as "n/a on libsrtp2: <reason>".
    public var notes: [String] = []

    public init(failures: [String] = [], notes: [String] = []) {
        self.failures = failures
        self.notes = notes
    }
}

/// The verdict on one vector.
public struct VectorResult: Sendable, Equatable {
    public enum Status: Sendable, Equatable {
        case passed
        case failed
        /// Not executed: a kind the runner does not run. Never counted as passed.
        case skipped
    }

    public let id: String
    public let kind: String
    public let status: Status
    /// Why it failed, or why it was skipped.
    public let reasons: [String]
    /// Notes, such as an engine that cannot express the vector.
    public let notes: [String]

    static func passed(_ vector: Vector, notes: [String]) -> VectorResult {
        VectorResult(id: vector.id, kind: vector.kind, status: .passed, reasons: [], notes: notes)
    }

    static func failed(id: String, kind: String, _ reasons: [String], notes: [String] = [])
        -> VectorResult
    {
        VectorResult(id: id, kind: kind, status: .failed, reasons: reasons, notes: notes)
    }

    static func skipped(_ vector: Vector, _ reason: String) -> VectorResult {
        VectorResult(
            id: vector.id, kind: vector.kind, status: .skipped, reasons: [reason], notes: [])
    }
}

/// Describes how `actual` differs from `expected`, or returns nil when they are equal. For
/// secret values (keys, keystream) only lengths and the offset are given, never the octets.
func mismatch(_ what: String, expected: [UInt8], actual: [UInt8], secret: Bool = false)
    -> String?
{
    guard expected != actual else { return nil }
    let common = min(expected.count, actual.count)
    let first = (0..<common).first { expected[$0] != actual[$0] } ?? common
    var text =
        "\(what): got \(actual.count) octets, expected \(expected.count);"
        + " first difference at octet \(first)"
    if !secret {
        let window = 8
        let got = Hex.encode(actual.dropFirst(first).prefix(window))
        let want = Hex.encode(expected.dropFirst(first).prefix(window))
        text += " (got \(got.isEmpty ? "end" : got)…, expected \(want.isEmpty ? "end" : want)…)"
    }
    return text
}
