/// Errors from the KMF's conference database. No case carries a bound value (a password hash, an
/// identity's secret); SQLite's own messages name tables and columns only.
public enum ConferenceDatabaseError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The database could not be opened or its schema created.
    case open(code: Int32, message: String)
    /// A statement failed to prepare or run (`code` is the SQLite result code).
    case sqlite(code: Int32, message: String)
    /// A row that must be unique already exists (a user, a conference).
    case duplicate(String)
    /// No conference with this ID.
    case unknownConference(String)
    /// The conference has ended; it takes no more changes.
    case conferenceEnded(String)
    /// A stored value is outside its domain (a corrupt or foreign database file).
    case corruptRow(String)
    /// Every SSRC drawn collided with one already assigned in the conference.
    case ssrcSpaceExhausted
    /// The database was closed.
    case closed

    public var description: String {
        switch self {
        case .open(let code, let message): "conference database: cannot open (\(code)): \(message)"
        case .sqlite(let code, let message): "conference database: SQLite error \(code): \(message)"
        case .duplicate(let what): "conference database: \(what) already exists"
        case .unknownConference(let id): "conference database: no conference \(id)"
        case .conferenceEnded(let id): "conference database: conference \(id) has ended"
        case .corruptRow(let what): "conference database: corrupt row: \(what)"
        case .ssrcSpaceExhausted: "conference database: no free SSRC found"
        case .closed: "conference database: closed"
        }
    }
}
