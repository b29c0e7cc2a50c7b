import Foundation
import Logging
import NIOCore
import NIOPosix
import PERC

/// Runs `perc demo`: a KMF, a Media Distributor and the participants on 127.0.0.1, the joins and
/// leaves of the configuration, the bad-input phase, the end of the conference, and the checks.
public struct DemoRunner: Sendable {
    public let configuration: DemoConfiguration
    private let logger: Logger

    /// The KMF's rekey lead (roster `activeFrom` − now) and the receivers' rekey overlap.
    static let rekeyLead = Duration.milliseconds(500)
    static let rosterPollInterval = Duration.milliseconds(100)

    /// A runner for `configuration`; the KMF's and distributor's log lines go to `logger` (they
    /// never carry key material, tokens or passwords).
    public init(configuration: DemoConfiguration, logger: Logger) {
        self.configuration = configuration
        self.logger = logger
    }

    /// Runs the demo; `progress` receives a status line about twice a second.
    public func run(progress: @Sendable (String) -> Void) async throws(DemoError) -> DemoReport {
        try configuration.validate()
        let group = MultiThreadedEventLoopGroup.singleton
        let world = try await DemoWorld.start(
            configuration: configuration, group: group, logger: logger)
        do {
            let report = try await world.run(progress: progress)
            await world.shutDown()
            return report
        } catch {
            await world.shutDown()
            throw error
        }
    }
}

/// The running system of one demo: the KMF, the distributor, the participants, the clock.
final class DemoWorld: Sendable {
    let configuration: DemoConfiguration
    let group: any EventLoopGroup
    let kmf: KMF
    let distributor: UDPMediaDistributor
    let conference: String
    let start = ContinuousClock.now
    private let state = Locked(State())

    private struct State {
        var participants: [String: DemoParticipant] = [:]
        var joinedAt: [String: Duration] = [:]
        var leftAt: [String: Duration] = [:]
        var passwords: [String: String] = [:]
        var leaverChecks: [String: LeaverCheck] = [:]
        var overlapFrames = 0
        var kmfRekeys = 0
        var badInputs: [DemoReport.BadInput] = []
    }

    /// What a leaver could do with the media a colluding distributor kept sending it.
    struct LeaverCheck: Sendable {
        /// Refusals counted before the leave: later ones are media it could not decrypt.
        var refusedBefore: Int
        /// Frames it verified under an SPI it never got (must stay 0).
        var oldSPIs: Set<UInt16>
    }

    private init(
        configuration: DemoConfiguration, group: any EventLoopGroup, kmf: KMF,
        distributor: UDPMediaDistributor, conference: String
    ) {
        self.configuration = configuration
        self.group = group
        self.kmf = kmf
        self.distributor = distributor
        self.conference = conference
    }

    static func start(
        configuration: DemoConfiguration, group: any EventLoopGroup, logger: Logger
    ) async throws(DemoError) -> DemoWorld {
        let kmf: KMF
        do {
            kmf = try await KMF.start(
                configuration: .init(rekeyLead: DemoRunner.rekeyLead), group: group,
                logger: logger)
        } catch {
            throw .stepFailed("starting the KMF", reason: "\(error)")
        }
        let distributor: UDPMediaDistributor
        do {
            distributor = try await UDPMediaDistributor.start(
                group: group, profile: configuration.profile)
        } catch {
            await kmf.stop()
            throw .stepFailed("starting the Media Distributor", reason: "\(error)")
        }
        let conference = "conf-\(UInt32.random(in: .min ... .max))"
        let world = DemoWorld(
            configuration: configuration, group: group, kmf: kmf, distributor: distributor,
            conference: conference)
        do {
            try world.setUpDirectory()
        } catch {
            await world.shutDown()
            throw error
        }
        return world
    }

    /// The enterprise directory (every participant plus the accounts the bad inputs use), the
    /// conference and its invitations.
    private func setUpDirectory() throws(DemoError) {
        do {
            try kmf.createConference(conference)
            for name in configuration.allNames {
                let password = Self.randomPassword()
                try kmf.addUser(identity: "\(name)@example.com", password: password)
                try kmf.invite(identity: "\(name)@example.com", to: conference)
                state.withLock { $0.passwords[name] = password }
            }
        } catch {
            throw .stepFailed("setting up the KMF directory", reason: "\(error)")
        }
    }

    static func randomPassword() -> String {
        var generator = SystemRandomNumberGenerator()
        return Base64URL.encode((0..<18).map { _ in UInt8.random(in: 0...255, using: &generator) })
    }

    var elapsed: Duration { ContinuousClock.now - start }

    var participants: [DemoParticipant] {
        state.withLock { state in
            configuration.allNames.compactMap { state.participants[$0] }
        }
    }

    // MARK: The run

    func run(progress: @Sendable (String) -> Void) async throws(DemoError) -> DemoReport {
        for name in configuration.allNames.prefix(configuration.participants) {
            try await join(name)
        }
        let badInputs: Task<[DemoReport.BadInput], Never>? =
            configuration.badInputs
            ? Task { await DemoBadInputs(world: self).run() } : nil
        var events = configuration.events.sorted { $0.at < $1.at }[...]
        var nextProgress = Duration.zero
        while elapsed < configuration.duration {
            if let event = events.first, elapsed >= event.at {
                events.removeFirst()
                try await apply(event)
                continue
            }
            if elapsed >= nextProgress {
                progress(progressLine())
                nextProgress = elapsed + .milliseconds(500)
            }
            try? await Task.sleep(for: .milliseconds(20))
        }
        let refused = await badInputs?.value ?? []
        state.withLock { $0.badInputs = refused }
        for participant in participants { participant.media?.stopSending() }
        await drain()
        progress(progressLine())
        return await finish()
    }

    /// Joins `name`: login, key, roster, hop keys, media; then the others learn the roster.
    private func join(_ name: String) async throws(DemoError) {
        guard let password = state.withLock({ $0.passwords[name] }) else {
            throw .invalidConfiguration("unknown participant \(name)")
        }
        let participant = try DemoParticipant(
            name: name, password: password, conference: conference, kmf: kmf, group: group)
        try await participant.join(
            distributor: distributor, group: group, packetRate: configuration.packetRate)
        participant.startPolling(every: DemoRunner.rosterPollInterval)
        state.withLock { state in
            state.participants[name] = participant
            state.joinedAt[name] = elapsed
        }
        await refreshRosters()
    }

    private func apply(_ event: DemoEvent) async throws(DemoError) {
        switch event.kind {
        case .join: try await join(event.name)
        case .leave: try await leave(event.name)
        }
    }

    /// `name` leaves: the KMF rekeys; a colluding distributor keeps sending it media; the
    /// distributor holds everyone's packets across the switch to the new key and releases them
    /// after it, so frames sent under the old key arrive after the rekey (the overlap).
    private func leave(_ name: String) async throws(DemoError) {
        guard let leaver = state.withLock({ $0.participants[name] }) else {
            throw .invalidConfiguration("\(name) is not in the conference")
        }
        let before = leaver.snapshot
        distributor.holdBack()
        try await leaver.leave()
        do {
            try distributor.removeParticipant(id: name, keepSendingAsColludingMD: true)
        } catch {
            throw .stepFailed("\(name): leaving the distributor", reason: "\(error)")
        }
        state.withLock { state in
            state.leftAt[name] = elapsed
            state.kmfRekeys += 1
            state.leaverChecks[name] = LeaverCheck(
                refusedBefore: before.counters?.refusedTotal ?? 0,
                oldSPIs: Set(before.ektKeys.keys))
        }
        let stayers = participants.filter { $0 !== leaver && !$0.hasEnded }
        await refreshRosters(stayers)
        let oldSPIs = Set(before.ektKeys.keys)
        // Wait until every sender that stays moved to the new key, then release the held
        // packets: the ones sent under the old key must still decrypt (rekey overlap).
        let deadline = ContinuousClock.now + .seconds(5)
        while ContinuousClock.now < deadline,
            stayers.contains(where: { $0.sendingSPI.map(oldSPIs.contains) ?? false })
        {
            try? await Task.sleep(for: .milliseconds(20))
        }
        try? await Task.sleep(for: .milliseconds(100))
        let verifiedOld = { (participants: [DemoParticipant]) in
            participants.reduce(0) { sum, participant in
                sum + (participant.snapshot.counters?.verified(underAnyOf: oldSPIs) ?? 0)
            }
        }
        let oldBefore = verifiedOld(stayers)
        await distributor.releaseHeld()
        try? await Task.sleep(for: .milliseconds(100))
        let oldAfter = verifiedOld(stayers)
        state.withLock { $0.overlapFrames += oldAfter - oldBefore }
    }

    /// Every participant fetches the roster now (the conference app's "roster changed" push).
    private func refreshRosters(_ who: [DemoParticipant]? = nil) async {
        await withTaskGroup(of: Void.self) { group in
            for participant in who ?? participants where !participant.hasEnded {
                group.addTask { await participant.refreshRoster() }
            }
        }
    }

    /// Waits until the distributor has forwarded everything and every copy reached its
    /// receiver (or 3 s pass).
    private func drain() async {
        let deadline = ContinuousClock.now + .seconds(3)
        var last = -1
        while ContinuousClock.now < deadline {
            try? await Task.sleep(for: .milliseconds(100))
            let forwarded = distributor.counters.forwarded
            let handled = participants.reduce(0) { sum, participant in
                let counters = participant.snapshot.counters
                return sum + (counters.map { $0.verified + $0.refusedTotal } ?? 0)
            }
            if forwarded == handled, forwarded == last { return }
            last = forwarded
        }
    }

    func progressLine() -> String {
        let counters = distributor.counters
        let snapshots = participants.map(\.snapshot)
        let sent = snapshots.reduce(0) { $0 + ($1.counters?.framesSent ?? 0) }
        let verified = snapshots.reduce(0) { $0 + ($1.counters?.verified ?? 0) }
        let refused = snapshots.reduce(0) { $0 + ($1.counters?.refusedTotal ?? 0) }
        let rekeys = snapshots.reduce(0) { $0 + $1.rekeys }
        let present = state.withLock { $0.participants.count - $0.leftAt.count }
        return "t=\(seconds(elapsed))  participants \(present)  sent \(sent)  "
            + "MD forwarded \(counters.forwarded)  verified \(verified)  refused \(refused)  "
            + "rekeys \(rekeys)  MD saw plaintext \(counters.plaintextSeen)"
    }

    // MARK: The end

    /// Ends the conference at the KMF, hands the signed final roster to every participant
    /// (they wipe their keys), checks the KMF refuses further requests, and builds the report.
    private func finish() async -> DemoReport {
        var report = DemoReport()
        var finalRoster: String?
        do {
            finalRoster = try kmf.endConference(conference)
        } catch {
            report.checks.append(.init("the KMF ends the conference (\(error))", false))
        }
        for participant in participants {
            if let finalRoster { _ = try? participant.accept(rosterJWS: finalRoster) }
            participant.endConference()
        }
        var refusedAfterEnd = "no participant"
        if let first = participants.first {
            do {
                _ = try await first.client.fetchKey(conference: conference)
                refusedAfterEnd = "key delivered"
            } catch {
                refusedAfterEnd = "\(error)"
            }
        }
        build(&report, refusedAfterEnd: refusedAfterEnd)
        return report
    }

    /// Stops everything and wipes every key still held.
    func shutDown() async {
        for participant in participants { await participant.shutDown() }
        await distributor.stop()
        await kmf.stop()
    }

    private func build(_ report: inout DemoReport, refusedAfterEnd: String) {
        let counters = distributor.counters
        let recorded = state.withLock { $0 }
        report.kmfRekeys = recorded.kmfRekeys
        report.badInputs = recorded.badInputs
        report.distributor.datagramsIn = counters.datagramsIn
        report.distributor.forwarded = counters.forwarded
        report.distributor.tampered = counters.tampered
        report.distributor.plaintextSeen = counters.plaintextSeen
        report.distributor.endToEndKeysHeld = counters.endToEndKeysHeld

        var everyFrameVerified = true
        var attributed = true
        var rekeyed = true
        var leaversBlind = true
        for participant in participants {
            let snapshot = participant.snapshot
            let media = snapshot.counters ?? .init()
            var row = DemoReport.Participant(
                name: participant.name,
                joinedAt: recorded.joinedAt[participant.name] ?? .zero)
            row.ssrc = participant.ssrc
            row.leftAt = recorded.leftAt[participant.name]
            row.sent = media.framesSent
            row.forwardedToIt = counters.forwardedTo[participant.name] ?? 0
            row.verified = media.verified
            for kind in RefusalKind.allCases where media.refused(kind) > 0 {
                row.refused[kind.description] = media.refused(kind)
            }
            row.rekeys = snapshot.rekeys
            row.rostersVerified = snapshot.rostersVerified
            row.unattributedSpeakers = media.senders.keys.filter {
                snapshot.speakers[$0] == nil
            }.count
            row.keysLeftAtEnd = snapshot.keysLeftAtEnd
            if let check = recorded.leaverChecks[participant.name] {
                let newKeyFrames = media.verified - media.verified(underAnyOf: check.oldSPIs)
                row.afterLeave = (media.refusedTotal - check.refusedBefore, newKeyFrames)
                leaversBlind = leaversBlind && row.afterLeave!.reached > 0 && newKeyFrames == 0
            } else {
                let tampered = counters.tamperedToward[participant.name] ?? 0
                everyFrameVerified =
                    everyFrameVerified && row.verified == row.forwardedToIt - tampered
                    && media.refusedTotal == tampered && media.refused(.authentication) == tampered
                let expectedRekeys = recorded.leftAt.filter { leaver in
                    leaver.value > (recorded.joinedAt[participant.name] ?? .zero)
                }.count
                rekeyed = rekeyed && row.rekeys == expectedRekeys
            }
            attributed = attributed && row.unattributedSpeakers == 0 && row.rostersVerified > 0
            report.participants.append(row)
        }
        let members = report.participants.filter { $0.leftAt == nil }
        report.checks.append(
            .init(
                "every frame the distributor forwarded to a member was verified end to end "
                    + "(\(members.reduce(0) { $0 + $1.verified }) frames), except the "
                    + "\(counters.tampered) it tampered with, which were refused",
                everyFrameVerified && members.reduce(0) { $0 + $1.verified } > 0))
        report.checks.append(
            .init(
                "the distributor decrypted nothing: frame plaintext seen in "
                    + "\(counters.plaintextSeen) packets, end-to-end keys held "
                    + "\(counters.endToEndKeysHeld)",
                counters.plaintextSeen == 0 && counters.endToEndKeysHeld == 0))
        report.checks.append(
            .init("every speaker was named in a roster signed by the KMF", attributed))
        if !recorded.leftAt.isEmpty {
            report.checks.append(
                .init(
                    "every member moved to the new EKT key after each leave "
                        + "(\(recorded.kmfRekeys) rekeys)", rekeyed))
            report.checks.append(
                .init(
                    "frames sent under the old key before the rekey were delivered after it and "
                        + "decrypted within the overlap (\(recorded.overlapFrames) frames)",
                    recorded.overlapFrames > 0))
            report.checks.append(
                .init(
                    "a participant who left decrypted none of the media sent under the new key, "
                        + "though a colluding distributor kept sending it", leaversBlind))
        }
        report.checks.append(
            .init(
                "keys wiped at the end: every participant's store holds 0 keys of the conference, "
                    + "the KMF \(kmf.liveEKTKeyCount(conference: conference)) EKT keys",
                report.participants.allSatisfy { $0.keysLeftAtEnd == 0 }
                    && kmf.liveEKTKeyCount(conference: conference) == 0))
        report.checks.append(
            .init(
                "after the end the KMF refuses the key: \(refusedAfterEnd)",
                refusedAfterEnd.contains("conference_ended")))
        if configuration.badInputs {
            report.checks.append(
                .init(
                    "every bad input was refused (\(report.badInputs.count(where: \.refused)) of "
                        + "\(report.badInputs.count))",
                    !report.badInputs.isEmpty && report.badInputs.allSatisfy(\.refused)))
        }
    }
}
