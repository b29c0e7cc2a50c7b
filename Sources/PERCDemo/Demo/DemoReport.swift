import Foundation

/// What a `perc demo` run observed: one row per participant, the distributor's view, every bad
/// input and how it was refused, and the checks that decide the exit status.
public struct DemoReport: Sendable {
    /// One participant, as its own endpoint counted.
    public struct Participant: Sendable {
        public var name: String
        public var ssrc: UInt32?
        public var joinedAt: Duration
        public var leftAt: Duration?
        /// RTP frames this endpoint sent.
        public var sent = 0
        /// Copies the distributor sent this endpoint.
        public var forwardedToIt = 0
        /// Packets that reached this endpoint's socket from the distributor.
        public var received = 0
        /// Frames that passed both SRTP layers and whose payload matched what the sender made.
        public var verified = 0
        /// Packets refused, by reason (e.g. "authentication" for the tampering distributor).
        public var refused: [String: Int] = [:]
        /// EKT keys this endpoint moved its sender to after the first.
        public var rekeys = 0
        /// Signed rosters verified, and speakers (SSRCs with verified frames) none of them named
        /// or whose frames verified under an SPI none of them announced.
        public var rostersVerified = 0
        public var unattributedSpeakers = 0
        /// After the conference ended: live EKT and end-to-end keys left in the endpoint's store.
        public var keysLeftAtEnd: Int?
        /// For a participant who left: frames sent under the new EKT key that still reached it
        /// (a colluding distributor kept sending) and how many of them it could decrypt.
        public var afterLeave: (reached: Int, decrypted: Int)?

        public init(name: String, joinedAt: Duration) {
            self.name = name
            self.joinedAt = joinedAt
        }

        public var refusedTotal: Int { refused.values.reduce(0, +) }
    }

    /// The Media Distributor's view.
    public struct Distributor: Sendable {
        public var datagramsIn = 0
        public var forwarded = 0
        /// Packets not forwarded because their sender was paused (selective forwarding).
        public var dropped = 0
        public var tampered = 0
        /// Packets in which the distributor found any frame plaintext after removing the hop
        /// layer (must be 0: it holds no end-to-end key).
        public var plaintextSeen = 0
        /// End-to-end (`.srtpMaster`) and EKT keys in the distributor's store (must be 0).
        public var endToEndKeysHeld = 0
        public init() {}
    }

    /// One bad input and what refused it.
    public struct BadInput: Sendable {
        public var name: String
        public var expected: String
        public var observed: String
        public var refused: Bool
        public init(name: String, expected: String, observed: String, refused: Bool) {
            self.name = name
            self.expected = expected
            self.observed = observed
            self.refused = refused
        }
    }

    /// One pass/fail statement about the run.
    public struct Check: Sendable {
        public var statement: String
        public var passed: Bool
        public init(_ statement: String, _ passed: Bool) {
            self.statement = statement
            self.passed = passed
        }
    }

    public var participants: [Participant] = []
    public var distributor = Distributor()
    public var badInputs: [BadInput] = []
    public var checks: [Check] = []
    /// Rekeys the KMF made (one per leave).
    public var kmfRekeys = 0

    public init() {}

    public var passed: Bool { checks.allSatisfy(\.passed) }

    /// The final tables and checks as text.
    public var rendered: String {
        var lines: [String] = [""]
        let header = [
            "participant", "SSRC", "joined", "left", "sent", "forwarded", "received", "verified",
            "refused",
            "rekeys", "rosters", "keys at end",
        ]
        let rows = participants.map { p in
            [
                p.name, p.ssrc.map { hex32($0) } ?? "-", seconds(p.joinedAt),
                p.leftAt.map(seconds) ?? "-", "\(p.sent)", "\(p.forwardedToIt)", "\(p.received)",
                "\(p.verified)",
                refusedText(p.refused), "\(p.rekeys)", "\(p.rostersVerified)",
                p.keysLeftAtEnd.map { $0 == 0 ? "wiped" : "\($0) LEFT" } ?? "-",
            ]
        }
        lines += table(header: header, rows: rows)
        for p in participants {
            if let after = p.afterLeave {
                lines.append(
                    "\(p.name) after leaving: \(after.reached) frames under the new EKT key "
                        + "reached it (colluding distributor), \(after.decrypted) decrypted")
            }
        }
        lines.append("")
        lines.append(
            "Media Distributor: \(distributor.datagramsIn) in, \(distributor.forwarded) forwarded, "
                + "\(distributor.dropped) dropped (selective forwarding), "
                + "\(distributor.tampered) tampered on purpose, frame plaintext seen in "
                + "\(distributor.plaintextSeen) packets, end-to-end keys held: "
                + "\(distributor.endToEndKeysHeld)")
        if !badInputs.isEmpty {
            lines.append("")
            lines += table(
                header: ["bad input", "expected", "observed", ""],
                rows: badInputs.map {
                    [
                        $0.name, $0.expected, abbreviated($0.observed),
                        $0.refused ? "refused" : "ACCEPTED",
                    ]
                })
        }
        lines.append("")
        for check in checks {
            lines.append("\(check.passed ? "PASS" : "FAIL")  \(check.statement)")
        }
        lines.append("")
        lines.append(passed ? "demo passed" : "demo FAILED")
        return lines.joined(separator: "\n")
    }

    /// `text` cut to 72 characters (long library errors, e.g. BoringSSL's).
    private func abbreviated(_ text: String) -> String {
        text.count <= 72 ? text : text.prefix(71) + "…"
    }

    private func refusedText(_ refused: [String: Int]) -> String {
        guard !refused.isEmpty else { return "0" }
        return refused.sorted { $0.key < $1.key }.map { "\($0.value) \($0.key)" }.joined(
            separator: ", ")
    }

    private func table(header: [String], rows: [[String]]) -> [String] {
        var widths = header.map(\.count)
        for row in rows {
            for (column, cell) in row.enumerated() {
                widths[column] = max(widths[column], cell.count)
            }
        }
        func line(_ cells: [String]) -> String {
            cells.enumerated().map { column, cell in
                cell.padding(toLength: widths[column], withPad: " ", startingAt: 0)
            }.joined(separator: "  ").trimmingTrailingSpaces()
        }
        return [line(header), line(widths.map { String(repeating: "-", count: $0) })]
            + rows.map(line)
    }
}

/// `0x` and eight hex digits.
func hex32(_ value: UInt32) -> String {
    let digits = String(value, radix: 16)
    return "0x" + String(repeating: "0", count: 8 - digits.count) + digits
}

/// Whole and tenth seconds, e.g. "3.0s".
func seconds(_ duration: Duration) -> String {
    let tenths =
        (duration.components.seconds * 10) + duration.components.attoseconds
        / 100_000_000_000_000_000
    return "\(tenths / 10).\(tenths % 10)s"
}

extension String {
    fileprivate func trimmingTrailingSpaces() -> String {
        var copy = self
        while copy.last == " " { copy.removeLast() }
        return copy
    }
}
