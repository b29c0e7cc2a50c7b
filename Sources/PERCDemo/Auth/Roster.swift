/// A conference's participant list as the KMF signs it: who is in, which SSRC each sends with,
/// and which EKT key (SPI) is current (RFC 8871 §5.4: the KMF tells endpoints who is in the
/// conference). JSON members are snake_case (`active_from`).
public struct Roster: Codable, Sendable, Equatable {
    /// One participant: an authenticated identity and the SSRC the KMF assigned it.
    public struct Participant: Codable, Sendable, Equatable {
        /// The identity (token subject) of the participant.
        public let identity: String
        /// The SSRC the participant sends with.
        public let ssrc: UInt32

        /// A participant `identity` sending with `ssrc`.
        public init(identity: String, ssrc: UInt32) {
            self.identity = identity
            self.ssrc = ssrc
        }
    }

    /// The conference identifier.
    public let conference: String
    /// +1 on every change.
    public let version: Int
    /// The EKT key's SPI for this version.
    public let spi: UInt16
    /// Unix ms: senders switch to `spi` at this time (receivers add the key at once);
    /// `switchNotScheduled` while the KMF waits for every participant to hold the key.
    public let activeFrom: Int

    /// The `activeFrom` of a roster that names a new key whose switch is not scheduled yet.
    public static let switchNotScheduled = 0
    /// The conference ended: wipe keys.
    public let ended: Bool
    /// The participants, each with its SSRC.
    public let participants: [Participant]

    /// A roster of `participants` in `conference` at `version`.
    public init(
        conference: String, version: Int, spi: UInt16, activeFrom: Int, ended: Bool,
        participants: [Participant]
    ) {
        self.conference = conference
        self.version = version
        self.spi = spi
        self.activeFrom = activeFrom
        self.ended = ended
        self.participants = participants
    }

    private enum CodingKeys: String, CodingKey {
        case conference, version, spi, ended, participants
        case activeFrom = "active_from"
    }

    /// The identity sending with `ssrc`, or nil if no participant does.
    public func identity(of ssrc: UInt32) -> String? {
        participants.first { $0.ssrc == ssrc }?.identity
    }
}
