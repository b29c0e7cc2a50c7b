import PERC

/// What `perc demo` runs: how many participants join at the start, for how long they send, how
/// fast, and who joins or leaves when.
public struct DemoConfiguration: Sendable, Equatable {
    /// The participants present from the start (2...8), named from `DemoConfiguration.names`.
    public var participants: Int
    /// How long media flows.
    public var duration: Duration
    /// RTP packets per second each participant sends (audio- and video-sized frames alternate).
    public var packetRate: Int
    /// Joins and leaves during the run.
    public var events: [DemoEvent]
    /// Whether the bad-input phase (forged tokens, uninvited identity, forged roster, malformed
    /// header, tampering distributor, …) runs.
    public var badInputs: Bool
    public var profile: DoubleSRTPProfile

    /// The participants' names, in joining order; identity = name@example.com.
    public static let names = [
        "alice", "bob", "carol", "dave", "erin", "frank", "grace", "heidi", "ivan", "judy",
    ]

    public init(
        participants: Int = 3, duration: Duration = .seconds(10), packetRate: Int = 50,
        events: [DemoEvent]? = nil, badInputs: Bool = true,
        profile: DoubleSRTPProfile = .doubleAEADAES128GCM
    ) {
        self.participants = participants
        self.duration = duration
        self.packetRate = packetRate
        self.events = events ?? Self.defaultEvents(participants: participants, duration: duration)
        self.badInputs = badInputs
        self.profile = profile
    }

    /// The default story: one more participant joins at 30 % of the run, the distributor stops
    /// forwarding the first one at 45 % for `DemoEvent.pauseLength` (selective forwarding), and
    /// the last initial participant leaves at 60 % (so the run shows a join, selective
    /// forwarding, a leave, a rekey and the leaver check).
    public static func defaultEvents(participants: Int, duration: Duration) -> [DemoEvent] {
        guard (2...Self.names.count - 1).contains(participants) else { return [] }
        return [
            DemoEvent(kind: .join, name: names[participants], at: duration * 0.3),
            DemoEvent(kind: .pause, name: names[0], at: duration * 0.45),
            DemoEvent(kind: .leave, name: names[participants - 1], at: duration * 0.6),
        ]
    }

    /// Every name that takes part: the initial participants, then the joiners in event order.
    public var allNames: [String] {
        var all = Array(Self.names.prefix(participants))
        for event in events where event.kind == .join && !all.contains(event.name) {
            all.append(event.name)
        }
        return all
    }

    /// Checks the limits and that every event names a participant it can apply to.
    public func validate() throws(DemoError) {
        guard (2...8).contains(participants) else {
            throw .invalidConfiguration("participants must be 2...8")
        }
        guard duration >= .seconds(2), duration <= .seconds(600) else {
            throw .invalidConfiguration("duration must be 2...600 seconds")
        }
        guard (1...500).contains(packetRate) else {
            throw .invalidConfiguration("packet rate must be 1...500 per second")
        }
        var present = Set(Self.names.prefix(participants))
        var everPresent = present
        for event in events.sorted(by: { $0.at < $1.at }) {
            guard event.at > .zero, event.at < duration else {
                throw .invalidConfiguration("\(event) is outside the run")
            }
            switch event.kind {
            case .join:
                guard Self.names.contains(event.name), !everPresent.contains(event.name) else {
                    throw .invalidConfiguration(
                        "\(event): joiners are new names from \(Self.names.joined(separator: ", "))"
                    )
                }
                present.insert(event.name)
                everPresent.insert(event.name)
            case .pause:
                guard present.contains(event.name) else {
                    throw .invalidConfiguration("\(event): not in the conference then")
                }
            case .leave:
                guard present.remove(event.name) != nil else {
                    throw .invalidConfiguration("\(event): not in the conference then")
                }
                guard present.count >= 2 else {
                    throw .invalidConfiguration("\(event): at least two must stay")
                }
            }
        }
    }
}

/// A participant joining or leaving at a moment of the run, or the distributor pausing the
/// forwarding of its media (selective forwarding, e.g. it is not among the active speakers).
public struct DemoEvent: Sendable, Equatable, CustomStringConvertible {
    public enum Kind: String, Sendable { case join, pause, leave }

    /// How long a pause lasts.
    public static let pauseLength = Duration.milliseconds(500)

    public var kind: Kind
    public var name: String
    /// Time since media started.
    public var at: Duration

    public init(kind: Kind, name: String, at: Duration) {
        self.kind = kind
        self.name = name
        self.at = at
    }

    /// Parses `NAME@SECONDS` (e.g. `carol@6` or `dave@2.5`), the CLI's `--join`/`--leave` form.
    public init(kind: Kind, parsing text: String) throws(DemoError) {
        let parts = text.split(separator: "@", omittingEmptySubsequences: false)
        guard parts.count == 2, !parts[0].isEmpty, let seconds = Double(parts[1]), seconds > 0
        else {
            throw .invalidConfiguration("expected NAME@SECONDS, got \"\(text)\"")
        }
        self.init(
            kind: kind, name: parts[0].lowercased(),
            at: .milliseconds(Int64((seconds * 1000).rounded())))
    }

    public var description: String {
        let ms = at.components.seconds * 1000 + at.components.attoseconds / 1_000_000_000_000_000
        return "\(kind.rawValue) \(name)@\(Double(ms) / 1000)s"
    }
}
