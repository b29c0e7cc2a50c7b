import Foundation
import Logging
import PERC

/// The KMF's conferences and their EKT keys: admission, SSRC assignment, key delivery, signed
/// rosters, rekeying on departure and the end of a conference.
///
/// EKT keys (RFC 8870) live in the KMF's own `KeyStore`, scoped by conference; they leave it only
/// through `EncryptionKeyHeader.exportForDelivery`. Every change of a conference (database rows
/// and keys together) happens under one lock, so concurrent joins and leaves cannot interleave.
final class ConferenceKeying: Sendable {
    /// What the key route answers with.
    struct Delivery: Sendable {
        /// The `Encryption-Key` header value. Write it into the response and drop it.
        let encryptionKey: String
        let ssrc: UInt32
        let roster: String
    }

    let database: ConferenceDatabase
    let store = KeyStore()
    private let rosterKey: ES256PrivateKey
    private let rekeyLead: Duration
    private let keyOverlap: Duration
    private let logger: Logger
    private let state = Locked(State())

    private struct State {
        /// The EKT key each active conference delivers now.
        var currentKeys: [String: KeyHandle] = [:]
        /// Timers that revoke superseded EKT keys once the overlap has passed.
        var retirements: [Int: Task<Void, Never>] = [:]
        var nextRetirement = 0
        /// Per conference with a rekey not yet scheduled: the participants that have not yet
        /// fetched the new key, and the timer that schedules the switch anyway.
        var pendingSwitches: [String: PendingSwitch] = [:]
    }

    struct PendingSwitch {
        var waitingFor: Set<String>
        let deadline: Task<Void, Never>
    }

    /// How far ahead the KMF schedules a switch once every participant fetched the new key: the
    /// last one to fetch needs a moment between the KMF's answer and its receiver holding the key.
    static let switchMargin = Duration.milliseconds(250)
    /// The first SPI of a conference's EKT keys; each rekey adds one (mod 2^16).
    private static let firstSPI: UInt16 = 1
    /// A conference ID as it may appear in a URL path and an `Encryption-Key` keyid.
    private static let conferenceIDCharacters = Set(
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._-")

    /// Conferences a previous run left active in `database` lost their keys with that run's key
    /// store: they are ended here.
    init(
        database: ConferenceDatabase, rosterKey: ES256PrivateKey, rekeyLead: Duration,
        keyOverlap: Duration, logger: Logger
    ) throws(KMFError) {
        self.database = database
        self.rosterKey = rosterKey
        self.rekeyLead = rekeyLead
        self.keyOverlap = keyOverlap
        self.logger = logger
        let leftActive = try withDatabaseErrors { () throws(ConferenceDatabaseError) in
            try database.activeConferenceIDs()
        }
        for id in leftActive {
            _ = try withDatabaseErrors { () throws(ConferenceDatabaseError) in
                try database.endConference(id)
            }
            logger.notice(
                "KMF ended a conference left active by an earlier run",
                metadata: ["conference": "\(id)"])
        }
    }

    // MARK: Admin

    /// Creates a conference with its first EKT key (SPI 1) and an empty roster.
    func createConference(_ id: String) throws(KMFError) {
        guard (1...64).contains(id.count), id.allSatisfy(Self.conferenceIDCharacters.contains)
        else { throw .invalidConferenceID(id) }
        try state.withLock { state throws(KMFError) in
            guard try lookUp(id) == nil else { throw .database(.duplicate("conference \(id)")) }
            let key = try generateKey(spi: Self.firstSPI, conference: id)
            do throws(ConferenceDatabaseError) {
                try database.createConference(id, spi: Self.firstSPI, activeFrom: Self.now())
            } catch {
                store.revoke(key)
                throw KMFError(error)
            }
            state.currentKeys[id] = key
        }
        logger.info(
            "KMF conference created", metadata: ["conference": "\(id)", "spi": "\(Self.firstSPI)"])
    }

    func invite(_ identity: String, to id: String) throws(KMFError) {
        try withDatabaseErrors { () throws(ConferenceDatabaseError) in
            try self.database.invite(identity, to: id)
        }
        logger.info("KMF invitation", metadata: ["conference": "\(id)", "identity": "\(identity)"])
    }

    /// Withdraws the invitation and, if `identity` is in the conference, removes it and rekeys.
    func remove(_ identity: String, from id: String) throws(KMFError) {
        try state.withLock { state throws(KMFError) in
            let conference = try activeConference(id)
            _ = try withDatabaseErrors { () throws(ConferenceDatabaseError) in
                try self.database.uninvite(identity, from: id)
            }
            try rekey(removing: identity, from: conference, state: &state)
        }
    }

    /// Ends the conference: revokes and wipes every EKT key of it and returns the final signed
    /// roster (`ended: true`, nobody left in it).
    func endConference(_ id: String) throws(KMFError) -> String {
        try state.withLock { state throws(KMFError) in
            let conference = try withDatabaseErrors { () throws(ConferenceDatabaseError) in
                try self.database.endConference(id)
            }
            store.endConference(KeyScope(id))
            state.currentKeys[id] = nil
            logger.info(
                "KMF conference ended",
                metadata: ["conference": "\(id)", "version": "\(conference.rosterVersion)"])
            return try signedRoster(of: conference, participants: [])
        }
    }

    /// Live EKT keys of the conference in the KMF's store.
    func liveKeyCount(conference id: String) -> Int {
        store.liveKeyCount(usage: .ekt, scope: KeyScope(id))
    }

    // MARK: Endpoint requests

    /// Admits `identity` (invited, conference active), assigns its SSRC on its first request and
    /// returns the current EKT key as an `Encryption-Key` value (keyid "<conference>/<spi>") with
    /// the signed roster. `malformed` (a test fault, asked once the identity is admitted) answers
    /// at once with a broken value that carries no key, and the identity does not join.
    func deliverKey(to identity: String, in id: String, malformed: () -> Bool) throws(KMFError)
        -> Delivery
    {
        try state.withLock { state throws(KMFError) in
            let before = try admit(identity, to: id)
            // The fault answers before anything is recorded: the identity does not join.
            if malformed() {
                return Delivery(
                    encryptionKey: KMF.Faults.malformedEncryptionKey(
                        keyID: "\(id)/\(before.spi)", spi: before.spi),
                    ssrc: 0, roster: try signedRoster(of: before))
            }
            let (participant, conference) = try withDatabaseErrors {
                () throws(ConferenceDatabaseError) in
                try self.database.join(identity, to: id, at: Self.now())
            }
            if conference.rosterVersion != before.rosterVersion {
                logger.info(
                    "KMF participant joined",
                    metadata: [
                        "conference": "\(id)", "identity": "\(identity)",
                        "ssrc": "\(participant.ssrc)", "version": "\(conference.rosterVersion)",
                    ])
            }
            guard let key = state.currentKeys[id] else { throw .keys(.keyStore(.unknownKey)) }
            let value: String
            do throws(EncryptionKeyHeaderError) {
                value = try EncryptionKeyHeader.exportForDelivery(
                    ektKey: key, keyID: "\(id)/\(conference.spi)", from: store)
            } catch {
                throw .keyHeader(error)
            }
            var current = conference
            // The key reached `identity`: once every participant holds it, senders may switch.
            if state.pendingSwitches[id] != nil {
                state.pendingSwitches[id]?.waitingFor.remove(identity)
                if state.pendingSwitches[id]?.waitingFor.isEmpty == true {
                    current = try scheduleSwitch(of: id, state: &state)
                }
            }
            return Delivery(
                encryptionKey: value, ssrc: participant.ssrc,
                roster: try signedRoster(of: current))
        }
    }

    /// The current signed roster, for an invited identity.
    func roster(for identity: String, of id: String) throws(KMFError) -> String {
        try state.withLock { _ throws(KMFError) in
            try signedRoster(of: try admit(identity, to: id))
        }
    }

    /// `identity` leaves: if it was in the conference, the others move to a new EKT key.
    func leave(_ identity: String, from id: String) throws(KMFError) {
        try state.withLock { state throws(KMFError) in
            try rekey(removing: identity, from: try admit(identity, to: id), state: &state)
        }
    }

    /// Stops the key timers, wipes every key (the store is closed) and closes the database.
    func close() {
        let timers = state.withLock { state in
            defer {
                state.retirements = [:]
                state.currentKeys = [:]
                state.pendingSwitches = [:]
            }
            return Array(state.retirements.values) + state.pendingSwitches.values.map(\.deadline)
        }
        timers.forEach { $0.cancel() }
        store.close()
        database.close()
    }

    // MARK: Helpers

    /// The conference if it exists (else 404), is active (else conference_ended) and `identity`
    /// is invited (else not_invited).
    private func admit(_ identity: String, to id: String) throws(KMFError)
        -> ConferenceDatabase.Conference
    {
        let conference = try activeConference(id)
        guard
            try withDatabaseErrors({ () throws(ConferenceDatabaseError) in
                try self.database.isInvited(identity, to: id)
            })
        else { throw .notInvited(identity: identity, conference: id) }
        return conference
    }

    /// The conference `id`, or nil.
    private func lookUp(_ id: String) throws(KMFError) -> ConferenceDatabase.Conference? {
        try withDatabaseErrors { () throws(ConferenceDatabaseError) in
            try self.database.conference(id)
        }
    }

    /// The conference `id` if it exists (else unknownConference) and is active (else
    /// conferenceEnded).
    private func activeConference(_ id: String) throws(KMFError) -> ConferenceDatabase.Conference {
        guard let conference = try lookUp(id) else { throw .unknownConference(id) }
        guard conference.state == .active else { throw .conferenceEnded(id) }
        return conference
    }

    /// Removes `identity` from the roster and rekeys (RFC 8870 §4.6 via a new EKT key): a new key
    /// with SPI + 1, roster version + 1 with the switch not yet scheduled; the switch follows
    /// once every participant fetched the key (or after `rekeyLead`). The superseded key is
    /// revoked `rekeyLead` + `keyOverlap` after the rekey. Nothing happens if `identity` is not
    /// in the conference.
    private func rekey(
        removing identity: String, from conference: ConferenceDatabase.Conference,
        state: inout State
    ) throws(KMFError) {
        let id = conference.id
        guard
            try withDatabaseErrors({ () throws(ConferenceDatabaseError) in
                try self.database.participant(identity, in: id)
            })?.leftAt == nil
        else { return }
        let spi = conference.spi &+ 1
        let key = try generateKey(spi: spi, conference: id)
        let updated: ConferenceDatabase.Conference?
        do {
            updated = try database.leave(
                identity, from: id, at: Self.now(), newSPI: spi,
                activeFrom: Roster.switchNotScheduled)
        } catch {
            store.revoke(key)
            throw KMFError(error)
        }
        guard let updated else {
            store.revoke(key)
            return
        }
        if let previous = state.currentKeys.updateValue(key, forKey: id) {
            retire(previous, after: rekeyLead + keyOverlap, state: &state)
        }
        state.pendingSwitches[id]?.deadline.cancel()
        let stayers = try withDatabaseErrors { () throws(ConferenceDatabaseError) in
            try self.database.currentParticipants(of: id)
        }
        if stayers.isEmpty {
            state.pendingSwitches[id] = nil
            _ = try scheduleSwitch(of: id, state: &state)
        } else {
            // Two phases, so that no receiver meets the new SPI before it holds the key: the
            // roster names the new key at once (receivers fetch it and add it), and the KMF
            // schedules the senders' switch when every participant fetched it, or after
            // `rekeyLead` at the latest.
            let deadline = Task { [weak self, rekeyLead] in
                try? await Task.sleep(for: rekeyLead)
                guard !Task.isCancelled, let self else { return }
                self.state.withLock { state in
                    guard state.pendingSwitches[id] != nil else { return }
                    _ = try? self.scheduleSwitch(of: id, state: &state)
                }
            }
            state.pendingSwitches[id] = PendingSwitch(
                waitingFor: Set(stayers.map(\.identity)), deadline: deadline)
        }
        logger.info(
            "KMF rekey",
            metadata: [
                "conference": "\(id)", "left": "\(identity)", "spi": "\(spi)",
                "version": "\(updated.rosterVersion)",
            ])
    }

    /// Schedules the senders' switch to the conference's current SPI `switchMargin` from now (a
    /// new roster version) and forgets the pending switch.
    private func scheduleSwitch(of id: String, state: inout State) throws(KMFError)
        -> ConferenceDatabase.Conference
    {
        state.pendingSwitches.removeValue(forKey: id)?.deadline.cancel()
        let conference = try withDatabaseErrors { () throws(ConferenceDatabaseError) in
            try self.database.schedule(
                id, activeFrom: Self.now() + Int(Self.switchMargin / .milliseconds(1)))
        }
        logger.info(
            "KMF rekey switch scheduled",
            metadata: [
                "conference": "\(id)", "spi": "\(conference.spi)",
                "version": "\(conference.rosterVersion)",
            ])
        return conference
    }

    private func retire(_ key: KeyHandle, after delay: Duration, state: inout State) {
        let number = state.nextRetirement
        state.nextRetirement += 1
        state.retirements[number] = Task { [store] in
            try? await Task.sleep(for: delay)
            store.revoke(key)
            self.state.withLock { _ = $0.retirements.removeValue(forKey: number) }
        }
    }

    private func generateKey(spi: UInt16, conference id: String) throws(KMFError) -> KeyHandle {
        do {
            return try store.generateEKTKey(
                cipher: .aeskw128, spi: spi, masterSaltLength: 12, scope: KeyScope(id))
        } catch {
            throw .keys(error)
        }
    }

    /// The roster of `conference` signed with the KMF's roster key; by default with the
    /// participants currently in it.
    private func signedRoster(
        of conference: ConferenceDatabase.Conference, participants: [Roster.Participant]? = nil
    ) throws(KMFError) -> String {
        var listed = participants
        if listed == nil {
            listed = try withDatabaseErrors { () throws(ConferenceDatabaseError) in
                try self.database.currentParticipants(of: conference.id)
            }.map { Roster.Participant(identity: $0.identity, ssrc: $0.ssrc) }
        }
        let roster = Roster(
            conference: conference.id, version: conference.rosterVersion, spi: conference.spi,
            activeFrom: conference.activeFrom, ended: conference.state == .ended,
            participants: listed ?? [])
        do {
            return try SignedRoster.sign(roster, key: rosterKey)
        } catch {
            throw .auth(error)
        }
    }

    /// Unix time in milliseconds.
    static func now() -> Int { Int(Date().timeIntervalSince1970 * 1000) }
}

/// Runs database calls, reporting their errors as `KMFError`s.
private func withDatabaseErrors<R>(_ body: () throws(ConferenceDatabaseError) -> R)
    throws(KMFError) -> R
{
    do {
        return try body()
    } catch {
        throw KMFError(error)
    }
}
