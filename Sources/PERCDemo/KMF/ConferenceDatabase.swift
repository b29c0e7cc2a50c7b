import PERC

/// The KMF's conference database on SQLite: the enterprise directory (users, password hashes,
/// per-account token lifetime), conferences (state, roster version, current EKT SPI), invitations
/// and participants (one SSRC per identity, unique within a conference).
///
/// One connection, serialised behind a `Locked`; every change that touches more than one row runs
/// in a transaction. Values are only ever bound parameters.
public final class ConferenceDatabase: Sendable {
    /// An account of the enterprise directory.
    public struct User: Sendable, Equatable, CustomStringConvertible {
        public let identity: String
        /// `PasswordHash` encoding (PBKDF2-HMAC-SHA-256, RFC 8018).
        public let passwordHash: String
        /// How long access tokens issued to this account live: an enterprise policy per account
        /// (a temporary account may get 1-second tokens).
        public let tokenLifetime: Duration

        public var description: String {
            "User(\(identity), token lifetime \(tokenLifetime), password hash redacted)"
        }
    }

    /// A conference's keying state.
    public struct Conference: Sendable, Equatable {
        /// Whether a conference still runs.
        public enum State: String, Sendable {
            case active, ended
        }

        public let id: String
        public let state: State
        /// +1 on every roster change (join, leave, removal, end).
        public let rosterVersion: Int
        /// The SPI of the current EKT key (RFC 8870 §4.1).
        public let spi: UInt16
        /// Unix time in milliseconds from which senders use `spi`.
        public let activeFrom: Int
    }

    /// An identity that joined a conference and was assigned an SSRC.
    public struct Participant: Sendable, Equatable {
        public let identity: String
        public let ssrc: UInt32
        /// Unix milliseconds of the (latest) join.
        public let joinedAt: Int
        /// Unix milliseconds of leaving; nil while in the conference.
        public let leftAt: Int?
    }

    private let connection: Locked<SQLiteConnection?>

    /// Opens the database at `path` (a file, or ":memory:") and creates the schema if needed.
    public init(path: String) throws(ConferenceDatabaseError) {
        let connection = try SQLiteConnection(path: path)
        do {
            try connection.execute("PRAGMA foreign_keys = ON")
            try connection.execute(Self.schema)
        } catch {
            if case .sqlite(let code, let message) = error {
                throw .open(code: code, message: message)
            }
            throw error
        }
        self.connection = Locked(connection)
    }

    /// Closes the connection; later calls throw `.closed`.
    public func close() {
        connection.withLock { $0 = nil }
    }

    private static let schema: StaticString = """
        CREATE TABLE IF NOT EXISTS users (
            identity TEXT PRIMARY KEY NOT NULL,
            password_hash TEXT NOT NULL,
            token_lifetime_seconds INTEGER NOT NULL CHECK (token_lifetime_seconds > 0));
        CREATE TABLE IF NOT EXISTS conferences (
            id TEXT PRIMARY KEY NOT NULL,
            state TEXT NOT NULL CHECK (state IN ('active', 'ended')),
            roster_version INTEGER NOT NULL,
            spi INTEGER NOT NULL CHECK (spi BETWEEN 0 AND 65535),
            active_from INTEGER NOT NULL);
        CREATE TABLE IF NOT EXISTS invitations (
            conference TEXT NOT NULL REFERENCES conferences(id),
            identity TEXT NOT NULL,
            PRIMARY KEY (conference, identity));
        CREATE TABLE IF NOT EXISTS participants (
            conference TEXT NOT NULL REFERENCES conferences(id),
            identity TEXT NOT NULL,
            ssrc INTEGER NOT NULL CHECK (ssrc BETWEEN 0 AND 4294967295),
            joined_at INTEGER NOT NULL,
            left_at INTEGER,
            PRIMARY KEY (conference, identity),
            UNIQUE (conference, ssrc));
        """

    // MARK: Users

    /// Adds an account. `passwordHash` is a `PasswordHash` encoding, never a password.
    public func addUser(identity: String, passwordHash: String, tokenLifetime: Duration)
        throws(ConferenceDatabaseError)
    {
        let seconds = max(1, tokenLifetime.components.seconds)
        try withConnection { db throws(ConferenceDatabaseError) in
            do throws(ConferenceDatabaseError) {
                try db.run(
                    """
                    INSERT INTO users (identity, password_hash, token_lifetime_seconds)
                    VALUES (?, ?, ?)
                    """, [.text(identity), .text(passwordHash), .integer(seconds)])
            } catch  where SQLiteConnection.isConstraintViolation(error) {
                throw .duplicate("user \(identity)")
            }
        }
    }

    /// The account `identity`, or nil.
    public func user(_ identity: String) throws(ConferenceDatabaseError) -> User? {
        try withConnection { db throws(ConferenceDatabaseError) in
            try db.query(
                """
                SELECT identity, password_hash, token_lifetime_seconds FROM users
                WHERE identity = ?
                """, [.text(identity)]
            ) { row throws(ConferenceDatabaseError) in
                User(
                    identity: row.text(0), passwordHash: row.text(1),
                    tokenLifetime: .seconds(row.integer(2)))
            }.first
        }
    }

    // MARK: Conferences

    /// Creates an active conference with an empty roster at version 1.
    public func createConference(_ id: String, spi: UInt16, activeFrom: Int)
        throws(ConferenceDatabaseError)
    {
        try withConnection { db throws(ConferenceDatabaseError) in
            do throws(ConferenceDatabaseError) {
                try db.run(
                    """
                    INSERT INTO conferences (id, state, roster_version, spi, active_from)
                    VALUES (?, 'active', 1, ?, ?)
                    """,
                    [.text(id), .integer(Int64(spi)), .integer(Int64(activeFrom))])
            } catch  where SQLiteConnection.isConstraintViolation(error) {
                throw .duplicate("conference \(id)")
            }
        }
    }

    /// The conference `id`, or nil.
    public func conference(_ id: String) throws(ConferenceDatabaseError) -> Conference? {
        try withConnection { db throws(ConferenceDatabaseError) in try Self.conference(id, in: db) }
    }

    /// The IDs of every conference still active.
    public func activeConferenceIDs() throws(ConferenceDatabaseError) -> [String] {
        try withConnection { db throws(ConferenceDatabaseError) in
            try db.query("SELECT id FROM conferences WHERE state = 'active' ORDER BY id", []) {
                row throws(ConferenceDatabaseError) in row.text(0)
            }
        }
    }

    /// Ends the conference: state ended, roster version + 1. Throws if it already ended.
    @discardableResult
    public func endConference(_ id: String) throws(ConferenceDatabaseError) -> Conference {
        try withTransaction { db throws(ConferenceDatabaseError) in
            _ = try Self.activeConference(id, in: db)
            try db.run(
                """
                UPDATE conferences SET state = 'ended', roster_version = roster_version + 1
                WHERE id = ?
                """, [.text(id)])
            return try Self.activeOrEnded(id, in: db)
        }
    }

    // MARK: Invitations

    /// Invites `identity` to the active conference `id` (idempotent).
    public func invite(_ identity: String, to id: String) throws(ConferenceDatabaseError) {
        try withTransaction { db throws(ConferenceDatabaseError) in
            _ = try Self.activeConference(id, in: db)
            try db.run(
                "INSERT OR IGNORE INTO invitations (conference, identity) VALUES (?, ?)",
                [.text(id), .text(identity)])
        }
    }

    /// Withdraws the invitation; returns whether there was one.
    @discardableResult
    public func uninvite(_ identity: String, from id: String) throws(ConferenceDatabaseError)
        -> Bool
    {
        try withConnection { db throws(ConferenceDatabaseError) in
            try db.run(
                "DELETE FROM invitations WHERE conference = ? AND identity = ?",
                [.text(id), .text(identity)]) > 0
        }
    }

    /// Whether `identity` is invited to conference `id`.
    public func isInvited(_ identity: String, to id: String) throws(ConferenceDatabaseError) -> Bool
    {
        try withConnection { db throws(ConferenceDatabaseError) in
            try !db.query(
                "SELECT 1 FROM invitations WHERE conference = ? AND identity = ?",
                [.text(id), .text(identity)]
            ) { _ throws(ConferenceDatabaseError) in true }.isEmpty
        }
    }

    // MARK: Participants

    /// Joins `identity` to the active conference `id`. A participant already in the conference
    /// keeps its SSRC and nothing changes; otherwise it gets a fresh random SSRC, unique in the
    /// conference (also against those who left), and the roster version goes up by one.
    public func join(_ identity: String, to id: String, at now: Int)
        throws(ConferenceDatabaseError) -> (participant: Participant, conference: Conference)
    {
        try withTransaction { db throws(ConferenceDatabaseError) in
            let conference = try Self.activeConference(id, in: db)
            if let current = try Self.participant(identity, in: id, db: db), current.leftAt == nil {
                return (current, conference)
            }
            try Self.insertParticipant(identity, in: id, at: now, db: db)
            try db.run(
                "UPDATE conferences SET roster_version = roster_version + 1 WHERE id = ?",
                [.text(id)])
            guard let participant = try Self.participant(identity, in: id, db: db) else {
                throw .corruptRow("participant \(identity) vanished")
            }
            return (participant, try Self.activeOrEnded(id, in: db))
        }
    }

    /// Marks `identity` as having left the active conference `id` and moves the conference to a
    /// new key: roster version + 1, `spi`, `activeFrom`. Returns nil (and changes nothing) if
    /// `identity` is not in the conference.
    public func leave(
        _ identity: String, from id: String, at now: Int, newSPI spi: UInt16,
        activeFrom: Int
    ) throws(ConferenceDatabaseError) -> Conference? {
        try withTransaction { db throws(ConferenceDatabaseError) in
            _ = try Self.activeConference(id, in: db)
            let changed = try db.run(
                """
                UPDATE participants SET left_at = ?
                WHERE conference = ? AND identity = ? AND left_at IS NULL
                """, [.integer(Int64(now)), .text(id), .text(identity)])
            guard changed > 0 else { return nil }
            try db.run(
                """
                UPDATE conferences SET roster_version = roster_version + 1, spi = ?, active_from = ?
                WHERE id = ?
                """, [.integer(Int64(spi)), .integer(Int64(activeFrom)), .text(id)])
            return try Self.activeOrEnded(id, in: db)
        }
    }

    /// Schedules the switch to the conference's current SPI at `activeFrom` (Unix ms), as a new
    /// roster version.
    public func schedule(_ id: String, activeFrom: Int) throws(ConferenceDatabaseError)
        -> Conference
    {
        try withTransaction { db throws(ConferenceDatabaseError) in
            _ = try Self.activeConference(id, in: db)
            try db.run(
                """
                UPDATE conferences SET roster_version = roster_version + 1, active_from = ?
                WHERE id = ?
                """, [.integer(Int64(activeFrom)), .text(id)])
            return try Self.activeOrEnded(id, in: db)
        }
    }

    /// The participant `identity` of conference `id` (in it or left), or nil.
    public func participant(_ identity: String, in id: String) throws(ConferenceDatabaseError)
        -> Participant?
    {
        try withConnection { db throws(ConferenceDatabaseError) in
            try Self.participant(identity, in: id, db: db)
        }
    }

    /// The participants currently in conference `id`, in order of joining.
    public func currentParticipants(of id: String) throws(ConferenceDatabaseError) -> [Participant]
    {
        try withConnection { db throws(ConferenceDatabaseError) in
            try db.query(
                """
                SELECT identity, ssrc, joined_at, left_at FROM participants
                WHERE conference = ? AND left_at IS NULL ORDER BY joined_at, identity
                """, [.text(id)], row: Self.participant(from:))
        }
    }

    // MARK: Helpers

    private func withConnection<R>(_ body: (SQLiteConnection) throws(ConferenceDatabaseError) -> R)
        throws(ConferenceDatabaseError) -> R
    {
        try connection.withLock { connection throws(ConferenceDatabaseError) in
            guard let connection else { throw .closed }
            return try body(connection)
        }
    }

    private func withTransaction<R>(
        _ body: (SQLiteConnection) throws(ConferenceDatabaseError) -> R
    ) throws(ConferenceDatabaseError) -> R {
        try withConnection { db throws(ConferenceDatabaseError) in
            try db.transaction { () throws(ConferenceDatabaseError) in try body(db) }
        }
    }

    private static func conference(_ id: String, in db: SQLiteConnection)
        throws(ConferenceDatabaseError) -> Conference?
    {
        try db.query(
            "SELECT id, state, roster_version, spi, active_from FROM conferences WHERE id = ?",
            [.text(id)]
        ) { row throws(ConferenceDatabaseError) in
            guard let state = Conference.State(rawValue: row.text(1)),
                let spi = UInt16(exactly: row.integer(3))
            else { throw .corruptRow("conference \(id)") }
            return Conference(
                id: row.text(0), state: state, rosterVersion: Int(row.integer(2)), spi: spi,
                activeFrom: Int(row.integer(4)))
        }.first
    }

    private static func activeOrEnded(_ id: String, in db: SQLiteConnection)
        throws(ConferenceDatabaseError) -> Conference
    {
        guard let conference = try conference(id, in: db) else { throw .unknownConference(id) }
        return conference
    }

    private static func activeConference(_ id: String, in db: SQLiteConnection)
        throws(ConferenceDatabaseError) -> Conference
    {
        let conference = try activeOrEnded(id, in: db)
        guard conference.state == .active else { throw .conferenceEnded(id) }
        return conference
    }

    private static func participant(_ identity: String, in id: String, db: SQLiteConnection)
        throws(ConferenceDatabaseError) -> Participant?
    {
        try db.query(
            """
            SELECT identity, ssrc, joined_at, left_at FROM participants
            WHERE conference = ? AND identity = ?
            """, [.text(id), .text(identity)], row: participant(from:)
        ).first
    }

    private static func participant(from row: borrowing SQLiteRow)
        throws(ConferenceDatabaseError) -> Participant
    {
        guard let ssrc = UInt32(exactly: row.integer(1)) else {
            throw .corruptRow("participant SSRC")
        }
        return Participant(
            identity: row.text(0), ssrc: ssrc, joinedAt: Int(row.integer(2)),
            leftAt: row.optionalInteger(3).map(Int.init))
    }

    /// Inserts (or re-activates) the participant with a random SSRC, drawing again on the rare
    /// collision with the conference's UNIQUE (conference, ssrc).
    private static func insertParticipant(
        _ identity: String, in id: String, at now: Int, db: SQLiteConnection
    ) throws(ConferenceDatabaseError) {
        for _ in 0..<64 {
            let ssrc = UInt32.random(in: 1...UInt32.max)
            do throws(ConferenceDatabaseError) {
                try db.run(
                    """
                    INSERT INTO participants (conference, identity, ssrc, joined_at, left_at)
                    VALUES (?, ?, ?, ?, NULL)
                    ON CONFLICT (conference, identity)
                    DO UPDATE SET
                        ssrc = excluded.ssrc, joined_at = excluded.joined_at, left_at = NULL
                    """,
                    [.text(id), .text(identity), .integer(Int64(ssrc)), .integer(Int64(now))])
                return
            } catch  where SQLiteConnection.isConstraintViolation(error) {
                continue
            }
        }
        throw .ssrcSpaceExhausted
    }
}
