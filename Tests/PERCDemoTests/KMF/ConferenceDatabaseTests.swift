import Foundation
import Testing

@testable import PERCDemo

/// The KMF's SQLite conference database on its own.
@Suite struct ConferenceDatabaseTests {
    @Test func usersKeepTheirHashAndTokenPolicy() throws {
        let database = try ConferenceDatabase(path: ":memory:")
        try database.addUser(
            identity: "alice", passwordHash: "hash-a", tokenLifetime: .seconds(300))
        try database.addUser(identity: "temp", passwordHash: "hash-t", tokenLifetime: .seconds(1))
        let temp = try #require(try database.user("temp"))
        #expect(temp.tokenLifetime == .seconds(1))
        #expect(temp.passwordHash == "hash-t")
        #expect(!temp.description.contains("hash-t"))
        #expect(try database.user("nobody") == nil)
        #expect(throws: ConferenceDatabaseError.duplicate("user alice")) {
            try database.addUser(identity: "alice", passwordHash: "x", tokenLifetime: .seconds(5))
        }
    }

    @Test func valuesAreBoundNeverSpliced() throws {
        let database = try ConferenceDatabase(path: ":memory:")
        let hostile = "x'); DROP TABLE users; --"
        try database.addUser(identity: hostile, passwordHash: "'\"", tokenLifetime: .seconds(5))
        #expect(try database.user(hostile)?.passwordHash == "'\"")
        try database.addUser(identity: "bob", passwordHash: "h", tokenLifetime: .seconds(5))
        #expect(try database.user("bob") != nil)
    }

    @Test func joinAssignsOneUniqueSSRCAndBumpsTheRoster() throws {
        let database = try ConferenceDatabase(path: ":memory:")
        try database.createConference("c", spi: 1, activeFrom: 10)
        #expect(throws: ConferenceDatabaseError.duplicate("conference c")) {
            try database.createConference("c", spi: 1, activeFrom: 10)
        }
        try database.invite("alice", to: "c")
        try database.invite("alice", to: "c")
        #expect(try database.isInvited("alice", to: "c"))
        #expect(try !database.isInvited("bob", to: "c"))

        let first = try database.join("alice", to: "c", at: 100)
        #expect(first.conference.rosterVersion == 2)
        let again = try database.join("alice", to: "c", at: 200)
        #expect(again.participant == first.participant)
        #expect(again.conference.rosterVersion == 2)
        let bob = try database.join("bob", to: "c", at: 300)
        #expect(bob.participant.ssrc != first.participant.ssrc)
        #expect(try database.currentParticipants(of: "c").map(\.identity) == ["alice", "bob"])
    }

    @Test func leaveMovesToTheNewKeyAndRejoinGetsAFreshSSRC() throws {
        let database = try ConferenceDatabase(path: ":memory:")
        try database.createConference("c", spi: 7, activeFrom: 10)
        let joined = try database.join("alice", to: "c", at: 100).participant
        _ = try database.join("bob", to: "c", at: 110)

        let after = try #require(
            try database.leave("alice", from: "c", at: 200, newSPI: 8, activeFrom: 500))
        #expect(after.spi == 8)
        #expect(after.activeFrom == 500)
        #expect(after.rosterVersion == 4)
        #expect(try database.participant("alice", in: "c")?.leftAt == 200)
        #expect(try database.currentParticipants(of: "c").map(\.identity) == ["bob"])
        // Leaving twice changes nothing.
        #expect(try database.leave("alice", from: "c", at: 300, newSPI: 9, activeFrom: 600) == nil)
        #expect(try database.conference("c")?.spi == 8)

        let rejoined = try database.join("alice", to: "c", at: 400).participant
        #expect(rejoined.leftAt == nil)
        #expect(rejoined.ssrc != joined.ssrc)
    }

    @Test func scheduleSetsTheSwitchAsANewRosterVersion() throws {
        let database = try ConferenceDatabase(path: ":memory:")
        try database.createConference("c", spi: 7, activeFrom: 10)
        _ = try database.join("bob", to: "c", at: 110)
        _ = try database.leave("bob", from: "c", at: 200, newSPI: 8, activeFrom: 0)
        let before = try #require(try database.conference("c"))
        let scheduled = try database.schedule("c", activeFrom: 900)
        #expect(scheduled.activeFrom == 900)
        #expect(scheduled.spi == 8)
        #expect(scheduled.rosterVersion == before.rosterVersion + 1)
        _ = try database.endConference("c")
        #expect(throws: ConferenceDatabaseError.self) {
            try database.schedule("c", activeFrom: 1_000)
        }
    }

    @Test func endedConferenceTakesNoChanges() throws {
        let database = try ConferenceDatabase(path: ":memory:")
        try database.createConference("c", spi: 1, activeFrom: 10)
        let ended = try database.endConference("c")
        #expect(ended.state == .ended)
        #expect(ended.rosterVersion == 2)
        #expect(try database.activeConferenceIDs().isEmpty)
        #expect(throws: ConferenceDatabaseError.conferenceEnded("c")) {
            try database.join("alice", to: "c", at: 100)
        }
        #expect(throws: ConferenceDatabaseError.conferenceEnded("c")) {
            try database.invite("alice", to: "c")
        }
        #expect(throws: ConferenceDatabaseError.unknownConference("d")) {
            try database.invite("alice", to: "d")
        }
    }

    @Test func fileDatabasePersistsAndClosedOneRefuses() throws {
        let path = FileManager.default.temporaryDirectory
            .appendingPathComponent("kmf-\(UUID().uuidString).sqlite").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        let database = try ConferenceDatabase(path: path)
        try database.addUser(identity: "alice", passwordHash: "h", tokenLifetime: .seconds(60))
        try database.createConference("c", spi: 3, activeFrom: 10)
        database.close()
        #expect(throws: ConferenceDatabaseError.closed) { try database.user("alice") }

        let reopened = try ConferenceDatabase(path: path)
        #expect(try reopened.user("alice")?.tokenLifetime == .seconds(60))
        #expect(try reopened.activeConferenceIDs() == ["c"])
    }

    @Test func unopenablePathIsAnOpenError() {
        #expect {
            try ConferenceDatabase(path: "/nonexistent-dir/kmf.sqlite")
        } throws: { error in
            guard case .open = error as? ConferenceDatabaseError else { return false }
            return true
        }
    }
}
