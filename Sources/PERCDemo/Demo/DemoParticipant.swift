import Foundation
import NIOCore
import PERC

/// One simulated conference participant: an endpoint with its own key store and DPoP key, a
/// client of the KMF that trusts only the KMF's pinned certificate, and a media endpoint behind
/// the Media Distributor.
///
/// It joins (logs in, fetches the EKT key and its SSRC, verifies the signed roster, starts
/// media), follows the roster (a new SPI: fetch the new EKT key, hand it to the receiver at once,
/// move the sender to it at the roster's `activeFrom`), and wipes its conference keys when a
/// signed roster says the conference ended.
final class DemoParticipant: Sendable {
    let name: String
    let identity: String
    let password: String
    let conference: String
    let store = KeyStore()
    let client: KMFClient
    private let rosterKey: ES256PublicKey
    private let state = Locked(State())

    private struct State {
        var media: MediaEndpoint?
        var ssrc: UInt32?
        var roster: Roster?
        /// The signed roster that came with this participant's first key (kept for the demo's
        /// rollback attack: a genuine but superseded roster).
        var firstRosterJWS: String?
        /// Every SSRC → identity, and every SPI, of every roster this participant verified.
        var speakers: [UInt32: String] = [:]
        var rosterSPIs: Set<UInt16> = []
        var ektKeys: [UInt16: KeyHandle] = [:]
        /// The SPI the sender uses; the sender moves when a roster names another.
        var sendingSPI: UInt16?
        var rekeys = 0
        var rostersVerified = 0
        var ended = false
        var keysLeftAtEnd: Int?
        var poller: Task<Void, Never>?
    }

    init(
        name: String, password: String, conference: String, kmf: KMF,
        group: any EventLoopGroup
    ) throws(DemoError) {
        self.name = name
        identity = "\(name)@example.com"
        self.password = password
        self.conference = conference
        rosterKey = kmf.rosterPublicKey
        do {
            client = try KMFClient(
                port: kmf.port, pinnedCertificateDER: kmf.certificateDER,
                dpopKey: ES256PrivateKey(),
                keyStore: store, group: group)
        } catch {
            throw .stepFailed("\(name): KMF client", reason: "\(error)")
        }
    }

    var scope: KeyScope { KeyScope(conference) }
    var firstRosterJWS: String? { state.withLock { $0.firstRosterJWS } }
    var ssrc: UInt32? { state.withLock { $0.ssrc } }
    var media: MediaEndpoint? { state.withLock { $0.media } }

    // MARK: Joining

    /// Logs in, fetches the conference's EKT key, verifies the roster that lists it, and starts
    /// media toward `distributor`, registering with it under fresh hop keys.
    func join(
        distributor: UDPMediaDistributor, group: any EventLoopGroup, packetRate: Int
    ) async throws(DemoError) {
        let delivery: KMFClient.KeyDelivery
        do {
            try await client.login(username: identity, password: password)
            delivery = try await client.fetchKey(conference: conference)
        } catch {
            throw .stepFailed("\(name): join", reason: "\(error)")
        }
        let roster = try accept(rosterJWS: delivery.roster)
        guard roster.identity(of: delivery.ssrc) == identity, roster.spi == delivery.key.spi else {
            throw .stepFailed(
                "\(name): join", reason: "the signed roster does not list this endpoint's SSRC/SPI")
        }
        // Hop keys: the demo's stand-in for DTLS-SRTP with the Key Distributor.
        var up = HopKeyBytes.random(for: distributor.profile)
        var down = HopKeyBytes.random(for: distributor.profile)
        defer {
            up.wipe()
            down.wipe()
        }
        do {
            let media = try await MediaEndpoint.start(
                group: group, distributor: distributor.address, ssrc: delivery.ssrc, store: store,
                ektKey: delivery.key.handle, up: up, down: down, profile: distributor.profile,
                receiverConfiguration: .init(rekeyOverlap: DemoRunner.receiverOverlap))
            try distributor.addParticipant(id: name, address: media.address, up: up, down: down)
            state.withLock { state in
                state.firstRosterJWS = delivery.roster
                state.media = media
                state.ssrc = delivery.ssrc
                state.ektKeys[delivery.key.spi] = delivery.key.handle
                state.sendingSPI = delivery.key.spi
            }
            try media.startSending(ratePerSecond: packetRate)
        } catch {
            throw .stepFailed("\(name): media", reason: "\(error)")
        }
    }

    /// Polls the KMF for the roster every `interval` until the conference ends or `stopPolling`.
    func startPolling(every interval: Duration) {
        let task = Task { [weak self] in
            while !Task.isCancelled {
                try? await Task.sleep(for: interval)
                guard let self, !self.hasEnded else { return }
                await self.refreshRoster()
            }
        }
        state.withLock { $0.poller = task }
    }

    func stopPolling() {
        state.withLock { $0.poller?.cancel() }
    }

    /// Fetches the roster now and follows it. A 403 conference_ended from the KMF ends the
    /// conference here too.
    func refreshRoster() async {
        do {
            let jws = try await client.fetchRoster(conference: conference)
            _ = try? accept(rosterJWS: jws)
            await followRoster()
        } catch KMFClientError.forbidden("conference_ended") {
            endConference()
        } catch {
            // A transient failure; the next poll retries.
        }
    }

    // MARK: The roster

    /// Verifies a signed roster with the KMF's roster key and takes it if it is for this
    /// conference and not older than the current one.
    @discardableResult
    func accept(rosterJWS: String) throws(DemoError) -> Roster {
        let roster: Roster
        do {
            roster = try SignedRoster.verify(rosterJWS, key: rosterKey)
        } catch {
            throw .stepFailed("\(name): roster", reason: "\(error)")
        }
        let refusal: String? = state.withLock { state in
            guard roster.conference == conference else { return "roster of another conference" }
            if let current = state.roster, roster.version < current.version {
                return "roster version \(roster.version) older than \(current.version)"
            }
            state.roster = roster
            state.rostersVerified += 1
            state.rosterSPIs.insert(roster.spi)
            for participant in roster.participants {
                state.speakers[participant.ssrc] = participant.identity
            }
            return nil
        }
        if let refusal {
            throw .stepFailed("\(name): roster", reason: refusal)
        }
        if roster.ended { endConference() }
        return roster
    }

    /// Acts on the current roster (RFC 8871 §4.5.2: a rekey brings a new end-to-end key): a new
    /// SPI → fetch the key into the store, where the receiver finds it by SPI as soon as a sender
    /// uses it (the fetch is what the KMF waits for before it schedules the switch); once the
    /// switch is scheduled (`activeFrom`), at that time, move the sender and start the
    /// receiver's rekey overlap (`addEKTKey`: older keys retire `receiverOverlap` later).
    private func followRoster() async {
        let (roster, media, hasKey): (Roster?, MediaEndpoint?, Bool) = state.withLock { state in
            guard let roster = state.roster, !state.ended,
                roster.identity(of: state.ssrc ?? 0) == identity
            else { return (nil, nil, false) }
            return (roster, state.media, state.ektKeys[roster.spi] != nil)
        }
        guard let roster, let media else { return }
        if !hasKey {
            do {
                let delivery = try await client.fetchKey(conference: conference)
                state.withLock { $0.ektKeys[delivery.key.spi] = delivery.key.handle }
            } catch {
                return  // the next poll retries
            }
        }
        guard roster.activeFrom != Roster.switchNotScheduled else { return }
        let wait = Double(roster.activeFrom) / 1000 - Date().timeIntervalSince1970
        if wait > 0 { try? await Task.sleep(for: .milliseconds(Int64(wait * 1000))) }
        state.withLock { state in
            guard !state.ended, state.sendingSPI != roster.spi,
                let handle = state.ektKeys[roster.spi], (try? media.addEKTKey(handle)) != nil,
                (try? media.rekey(to: handle)) != nil
            else { return }
            state.sendingSPI = roster.spi
            state.rekeys += 1
        }
    }

    /// The SPI this participant's sender uses now.
    var sendingSPI: UInt16? { state.withLock { $0.sendingSPI } }

    // MARK: Leaving and the end

    /// Leaves: tells the KMF (which rekeys the conference for the others) and stops sending.
    /// The participant keeps its old keys on purpose, to show they no longer help it.
    func leave() async throws(DemoError) {
        stopPolling()
        media?.stopSending()
        do {
            try await client.leave(conference: conference)
        } catch {
            throw .stepFailed("\(name): leave", reason: "\(error)")
        }
    }

    var hasEnded: Bool { state.withLock { $0.ended } }

    /// The conference ended: stops media and wipes every key of the conference (EKT keys and
    /// the end-to-end keys learned under them); records what is left (must be 0).
    func endConference() {
        let media: MediaEndpoint? = state.withLock { state in
            guard !state.ended else { return nil }
            state.ended = true
            state.poller?.cancel()
            return state.media
        }
        media?.stopSending()
        store.endConference(scope)
        let left =
            store.liveKeyCount(usage: .ekt, scope: scope)
            + store.liveKeyCount(usage: .srtpMaster, scope: scope)
        state.withLock { $0.keysLeftAtEnd = left }
    }

    /// Closes the media socket and the key store.
    func shutDown() async {
        stopPolling()
        await media?.stop()
        store.close()
    }

    // MARK: Observation

    struct Snapshot: Sendable {
        var counters: MediaEndpoint.Counters?
        var rekeys: Int
        var rostersVerified: Int
        var speakers: [UInt32: String]
        var rosterSPIs: Set<UInt16>
        var keysLeftAtEnd: Int?
        var ektKeys: [UInt16: KeyHandle]
    }

    var snapshot: Snapshot {
        let (media, snapshot) = state.withLock { state in
            (
                state.media,
                Snapshot(
                    counters: nil, rekeys: state.rekeys, rostersVerified: state.rostersVerified,
                    speakers: state.speakers,
                    rosterSPIs: state.rosterSPIs,
                    keysLeftAtEnd: state.keysLeftAtEnd, ektKeys: state.ektKeys)
            )
        }
        var result = snapshot
        result.counters = media?.counters
        return result
    }
}
