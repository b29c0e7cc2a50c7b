import Foundation
import Logging
import PERC
import Testing

@testable import PERCDemo

/// `perc demo` end to end: a short run of the whole system on loopback (KMF, distributor,
/// participants, a join, a leave with rekey, the bad inputs, the end of the conference).
@Suite(.serialized) struct DemoRunTests {
    /// One 3-second run shared by the tests below (each run takes the machine for its duration).
    static let run = Task { () throws -> (DemoReport, LogCapture) in
        let log = LogCapture()
        let configuration = DemoConfiguration(
            participants: 3, duration: .milliseconds(3000), packetRate: 50,
            events: [
                DemoEvent(kind: .join, name: "dave", at: .milliseconds(600)),
                DemoEvent(kind: .pause, name: "alice", at: .milliseconds(700)),
                DemoEvent(kind: .leave, name: "carol", at: .milliseconds(1200)),
            ])
        let report = try await DemoRunner(configuration: configuration, logger: log.logger)
            .run { _ in }
        return (report, log)
    }

    private func report() async throws -> DemoReport {
        try await Self.run.value.0
    }

    private func check(_ prefix: String, in report: DemoReport) -> DemoReport.Check? {
        report.checks.first { $0.statement.hasPrefix(prefix) }
    }

    @Test func everyCheckPasses() async throws {
        let report = try await report()
        for check in report.checks {
            #expect(check.passed, "\(check.statement)")
        }
        #expect(report.passed)
        #expect(report.checks.count == 10)
        #expect(report.rendered.hasSuffix("demo passed"))
    }

    @Test func membersVerifyEveryForwardedFrame() async throws {
        let report = try await report()
        let members = report.participants.filter { $0.leftAt == nil }
        #expect(members.map(\.name) == ["alice", "bob", "dave"])
        let tampered = report.distributor.tampered
        #expect(tampered == 5)
        #expect(members.reduce(0) { $0 + $1.forwardedToIt - $1.verified } == tampered)
        for member in members {
            #expect(member.received == member.forwardedToIt, "\(member.name): nothing lost")
            #expect(member.sent > 0)
            #expect(member.verified > 0)
            #expect(member.unattributedSpeakers == 0)
            #expect(member.refused.keys.allSatisfy { $0 == "authentication" })
        }
        #expect(report.distributor.plaintextSeen == 0)
        #expect(report.distributor.endToEndKeysHeld == 0)
    }

    @Test func selectiveForwardingKeepsSEQsContiguous() async throws {
        let report = try await report()
        #expect(report.distributor.dropped > 0)
        let selective = try #require(check("selective forwarding", in: report))
        #expect(selective.passed)
    }

    @Test func joinerReceivesFromTheNextFullEKTField() async throws {
        let report = try await report()
        let dave = try #require(report.participants.first { $0.name == "dave" })
        #expect(dave.joinedAt >= .milliseconds(600))
        #expect(dave.verified == dave.forwardedToIt - (dave.refused["authentication"] ?? 0))
        #expect(dave.refused["unknown key"] == nil)
    }

    @Test func leaveRekeysAndTheLeaverCannotDecrypt() async throws {
        let report = try await report()
        #expect(report.kmfRekeys == 1)
        for name in ["alice", "bob", "dave"] {
            let member = try #require(report.participants.first { $0.name == name })
            #expect(member.rekeys == 1, "\(name) moved to the new EKT key once")
        }
        let carol = try #require(report.participants.first { $0.name == "carol" })
        #expect(carol.leftAt != nil)
        let after = try #require(carol.afterLeave)
        #expect(after.reached > 0)
        #expect(after.decrypted == 0)
        #expect(check("frames sent under the old key", in: report)?.passed == true)
    }

    @Test func conferenceEndWipesKeysAndTheKMFRefuses() async throws {
        let report = try await report()
        #expect(report.participants.allSatisfy { $0.keysLeftAtEnd == 0 })
        #expect(check("keys wiped at the end", in: report)?.passed == true)
        let refusal = try #require(check("after the end the KMF refuses", in: report))
        #expect(refusal.passed)
        #expect(refusal.statement.contains("403"))
    }

    @Test func everyBadInputIsRefused() async throws {
        let report = try await report()
        let names = report.badInputs.map(\.name)
        for expected in [
            "wrong password", "uninvited identity", "garbage access token",
            "token signed by another key", "stolen token presented from another endpoint key",
            "replayed request", "expired token", "malformed Encryption-Key header",
            "forged roster", "tampered roster", "replayed older roster", "distributor tampers",
            "impostor KMF",
        ] {
            #expect(names.contains { $0.hasPrefix(expected) }, "\(expected) was tried")
        }
        for input in report.badInputs {
            #expect(input.refused, "\(input.name): \(input.observed)")
        }
    }

    @Test func logsCarryNoKeysTokensOrProofs() async throws {
        let (_, log) = try await Self.run.value
        let text = log.text
        #expect(!text.isEmpty)
        // JWS/JWT (tokens, proofs, rosters) start with a base64url JSON header: "eyJ".
        #expect(!text.contains("eyJ"))
        #expect(!text.contains("key=\""))
        #expect(!text.lowercased().contains("password="))
        #expect(!text.contains("DPoP ey"))
    }
}
