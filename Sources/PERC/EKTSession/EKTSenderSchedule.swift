/// When an EKT sender appends a FullEKTField instead of a ShortEKTField (RFC 8870 §4.6):
///
/// - a new SSRC: Full in its first `burst` packets;
/// - a new SRTP master key (after `EKTSender.rotateMasterKey()`) or a new EKT key (after
///   `EKTSender.rekey(ektKey:)`): Full in the next `burst` packets of every SSRC;
/// - otherwise Full whenever `interval` has passed since the SSRC's last Full field, so receivers
///   that join later learn the key; Short in every other packet.
///
/// The defaults are RFC 8870 §4.6's recommendations: 3 consecutive packets, and every 100 ms,
/// the audio-only period. For video, the RFC recommends the intra-frame rate instead: set
/// `interval` to it (e.g. 1 s for one key frame per second). `nil` turns the periodic Full
/// fields off, which leaves receivers that join later without a key until the next rekey.
public struct EKTSenderSchedule: Sendable, Equatable {
    /// Consecutive Full fields after a new SSRC or a new key, at least 1.
    public var burst: Int
    /// The longest time between two Full fields of an SSRC; nil for none after the burst.
    public var interval: Duration?

    public init(burst: Int = 3, interval: Duration? = .milliseconds(100)) {
        self.burst = burst
        self.interval = interval
    }

    func validate() throws(EKTError) {
        guard burst >= 1 else { throw .invalidArgument("EKT Full field burst must be at least 1") }
        if let interval, interval <= .zero {
            throw .invalidArgument("EKT Full field interval must be positive")
        }
    }

    /// `interval` in clock nanoseconds.
    var intervalNanoseconds: UInt64? { interval.map(EKTClock.nanoseconds) }

    /// The schedule's state for one SSRC.
    struct Stream {
        /// Full fields still owed after a new SSRC or key.
        var fullRemaining: Int
        /// When the last Full field went out; nil before the first.
        var lastFull: UInt64?

        init(schedule: EKTSenderSchedule) {
            fullRemaining = schedule.burst
        }
    }

    /// Whether the next packet of `stream` carries a FullEKTField at time `now`.
    func wantsFull(_ stream: Stream, now: UInt64) -> Bool {
        if stream.fullRemaining > 0 { return true }  // RFC 8870 §4.6: new sender, rekey
        guard let interval = intervalNanoseconds, let last = stream.lastFull else { return false }
        return now &- last >= interval  // RFC 8870 §4.6: new receivers
    }

    /// Records that a packet of `stream` went out, with a Full field or not.
    func record(_ stream: inout Stream, full: Bool, now: UInt64) {
        guard full else { return }
        stream.fullRemaining = max(0, stream.fullRemaining - 1)
        stream.lastFull = now
    }

    /// A new SRTP master key or EKT key: the next `burst` packets carry Full fields.
    func keyChanged(_ stream: inout Stream) {
        stream.fullRemaining = burst
    }
}
