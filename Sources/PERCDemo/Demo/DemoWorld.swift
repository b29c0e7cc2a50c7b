import Foundation
import Logging
import NIOCore
import NIOPosix
import PERC

/// The running system of one demo: the KMF, the distributor, the participants, the clock.
final class DemoWorld: Sendable {
    let configuration: DemoConfiguration
    let group: any EventLoopGroup
    let kmf: KMF
    let distributor: UDPMediaDistributor
    let conference: String
    let logger: Logger
    /// When media started (the initial participants joined): time zero of the run's events.
    private let origin = Locked<ContinuousClock.Instant?>(nil)
    let state = Locked(State())

    struct State {
        var participants: [String: DemoParticipant] = [:]
        var joinedAt: [String: Duration] = [:]
        var leftAt: [String: Duration] = [:]
        var passwords: [String: String] = [:]
        var leaverChecks: [String: LeaverCheck] = [:]
        var overlapFrames = 0
        var pauses = 0
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
        distributor: UDPMediaDistributor, conference: String, logger: Logger
    ) {
        self.logger = logger
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
            conference: conference, logger: logger)
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

    /// Time since media started; zero before.
    var elapsed: Duration {
        origin.withLock { $0.map { ContinuousClock.now - $0 } } ?? .zero
    }

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
        origin.withLock { $0 = ContinuousClock.now }
        let badInputs: Task<[DemoReport.BadInput], Never>? =
            configuration.badInputs
            ? Task { await DemoBadInputs(world: self).run() } : nil
        defer { badInputs?.cancel() }  // a no-op once it finished; stops it if a step failed
        var events = configuration.events.sorted { $0.at < $1.at }[...]
        var nextProgress = Duration.zero
        // Every event happens, even if a slow machine makes an earlier one overrun.
        while elapsed < configuration.duration || !events.isEmpty {
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
        case .pause: await pause(event.name)
        case .leave: try await leave(event.name)
        }
    }

    /// Selective forwarding: the distributor stops forwarding `name`'s media for
    /// `DemoEvent.pauseLength`; receivers must still see contiguous SEQs. Later events wait for
    /// the pause to end (a leave's hold-back would otherwise absorb the paused packets).
    private func pause(_ name: String) async {
        guard (try? distributor.drop(sender: name)) != nil else { return }
        state.withLock { $0.pauses += 1 }
        try? await Task.sleep(for: DemoEvent.pauseLength)
        try? distributor.resume(sender: name)
    }

    /// Every participant fetches the roster now (the conference app's "roster changed" push).
    func refreshRosters(_ who: [DemoParticipant]? = nil) async {
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

    /// Stops everything and wipes every key still held.
    func shutDown() async {
        for participant in participants { await participant.shutDown() }
        await distributor.stop()
        await kmf.stop()
    }
}
