import Testing

@testable import PERCDemo

@Suite struct DemoConfigurationTests {
    @Test func defaultsAreThreeParticipantsTenSecondsAJoinAPauseAndALeave() throws {
        let configuration = DemoConfiguration()
        #expect(configuration.participants == 3)
        #expect(configuration.duration == .seconds(10))
        #expect(
            configuration.events == [
                DemoEvent(kind: .join, name: "dave", at: .seconds(3)),
                DemoEvent(kind: .pause, name: "alice", at: .milliseconds(4500)),
                DemoEvent(kind: .leave, name: "carol", at: .seconds(6)),
            ])
        #expect(configuration.allNames == ["alice", "bob", "carol", "dave"])
        try configuration.validate()
    }

    @Test func eventsParseFromNameAtSeconds() throws {
        #expect(
            try DemoEvent(kind: .leave, parsing: "Carol@2.5")
                == DemoEvent(kind: .leave, name: "carol", at: .milliseconds(2500)))
        for bad in ["carol", "@3", "carol@", "carol@x", "carol@-1", "carol@0", "a@1@2"] {
            #expect(throws: DemoError.self, "\(bad)") {
                try DemoEvent(kind: .join, parsing: bad)
            }
        }
    }

    @Test(arguments: [
        DemoConfiguration(participants: 1),
        DemoConfiguration(participants: 9),
        DemoConfiguration(duration: .seconds(1)),
        DemoConfiguration(packetRate: 0),
        // A leave of someone never there, a second join of a name, a join of an unknown name.
        DemoConfiguration(events: [DemoEvent(kind: .leave, name: "zoe", at: .seconds(1))]),
        DemoConfiguration(events: [DemoEvent(kind: .join, name: "alice", at: .seconds(1))]),
        DemoConfiguration(events: [DemoEvent(kind: .join, name: "zoe", at: .seconds(1))]),
        // Fewer than two would stay; an event after the end.
        DemoConfiguration(
            participants: 2, events: [DemoEvent(kind: .leave, name: "bob", at: .seconds(1))]),
        DemoConfiguration(events: [DemoEvent(kind: .join, name: "dave", at: .seconds(11))]),
        // A pause of someone who is not there (yet).
        DemoConfiguration(events: [DemoEvent(kind: .pause, name: "dave", at: .seconds(1))]),
    ])
    func invalidConfigurationsAreRefused(_ configuration: DemoConfiguration) {
        #expect(throws: DemoError.self) { try configuration.validate() }
    }

    @Test func reportFailsWhenAnyCheckFails() {
        var report = DemoReport()
        report.checks = [.init("a", true), .init("b", false)]
        #expect(!report.passed)
        #expect(report.rendered.contains("FAIL  b"))
        #expect(report.rendered.hasSuffix("demo FAILED"))
        report.checks[1].passed = true
        #expect(report.passed)
    }
}
