import ArgumentParser
import Foundation
import Logging
import PERCDemo

/// `perc demo`: the whole PERC system on 127.0.0.1 — a KMF, a Media Distributor and endpoints.
struct DemoCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo",
        abstract:
            "Run a PERC conference on 127.0.0.1: KMF (HTTPS), Media Distributor (UDP), endpoints.",
        discussion: """
            Starts an enterprise Key Management Function (HTTPS with a certificate made at start \
            and pinned by the endpoints, OAuth 2.0 + DPoP-bound JWTs, a SQLite conference \
            database, signed rosters), a Media Distributor that relays double SRTP holding hop \
            keys only, and participants that fetch the EKT key and send media end-to-end \
            encrypted. Prints a progress line, then one row per participant and the bad inputs \
            that were refused. Exits non-zero if any check fails.
            """)

    @Option(help: "Participants present from the start (2...8).")
    var participants = 3

    @Option(help: "Seconds of media.")
    var duration: Double = 10

    @Option(help: "RTP packets per second per participant.")
    var rate = 50

    @Option(help: "A participant (a new name) joins: NAME@SECONDS, e.g. dave@3. Repeatable.")
    var join: [String] = []

    @Option(help: "A participant leaves (the KMF rekeys): NAME@SECONDS, e.g. carol@6. Repeatable.")
    var leave: [String] = []

    @Option(
        help:
            "The distributor stops forwarding a participant for 0.5 s (selective forwarding): NAME@SECONDS. Repeatable."
    )
    var pause: [String] = []

    @Flag(
        help:
            "No events (by default one joins at 30%, the first is paused at 45%, the last leaves at 60%)."
    )
    var noEvents = false

    @Flag(help: "Skip the bad-input phase.")
    var noBadInputs = false

    @Flag(help: "Print the KMF's log lines (never key material, tokens or passwords).")
    var verbose = false

    func run() async throws {
        let seconds = Duration.milliseconds(Int64((duration * 1000).rounded()))
        var events: [DemoEvent]? = nil
        if noEvents || !join.isEmpty || !leave.isEmpty || !pause.isEmpty {
            events =
                try join.map { try DemoEvent(kind: .join, parsing: $0) }
                + pause.map { try DemoEvent(kind: .pause, parsing: $0) }
                + leave.map { try DemoEvent(kind: .leave, parsing: $0) }
        }
        let configuration = DemoConfiguration(
            participants: participants, duration: seconds, packetRate: rate, events: events,
            badInputs: !noBadInputs)
        var logger = Logger(label: "perc-demo") { label in
            verbose
                ? StreamLogHandler.standardError(label: label) as any LogHandler
                : SwiftLogNoOpLogHandler()
        }
        logger.logLevel = .info
        // A live line on a terminal, one line per update otherwise (CI logs).
        let live = isatty(STDOUT_FILENO) == 1
        let report = try await DemoRunner(configuration: configuration, logger: logger).run {
            line in
            if live {
                FileHandle.standardOutput.write(Data(("\r\u{1B}[K" + line).utf8))
            } else {
                print(line)
            }
        }
        if live { print() }
        print(report.rendered)
        if !report.passed { throw ExitCode.failure }
    }
}
