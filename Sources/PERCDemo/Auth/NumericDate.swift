import Foundation

/// NumericDate arithmetic (RFC 7519 §2: whole seconds since the epoch) for claims.
enum NumericDate {
    /// `date` in whole seconds since the epoch, rounded down.
    static func seconds(_ date: Date) -> Int {
        Int(date.timeIntervalSince1970.rounded(.down))
    }

    /// `duration` in whole seconds, rounded down.
    static func seconds(_ duration: Duration) -> Int {
        Int(duration.components.seconds)
    }
}
