/// Why `perc demo` could not run (bad flags) or a step of it failed.
public enum DemoError: Error, Sendable, Equatable, CustomStringConvertible {
    case invalidConfiguration(String)
    /// A step of the run failed: what it was and why.
    case stepFailed(String, reason: String)

    public var description: String {
        switch self {
        case .invalidConfiguration(let reason): "invalid demo configuration: \(reason)"
        case .stepFailed(let step, let reason): "\(step) failed: \(reason)"
        }
    }
}
