import PERC

extension DemoWorld {
    // MARK: The end

    /// Ends the conference at the KMF, hands the signed final roster to every participant
    /// (they wipe their keys), checks the KMF refuses further requests, and builds the report.
    func finish() async -> DemoReport {
        var report = DemoReport()
        var finalRoster: String?
        do {
            finalRoster = try kmf.endConference(conference)
        } catch {
            report.checks.append(.init("the KMF ends the conference (\(error))", false))
        }
        // The signed final roster (`ended`) is what makes each endpoint wipe its keys; one that
        // refused it would keep them, and the check below would fail.
        for participant in participants {
            if let finalRoster { _ = try? participant.accept(rosterJWS: finalRoster) }
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

    private func build(_ report: inout DemoReport, refusedAfterEnd: String) {
        let counters = distributor.counters
        let recorded = state.withLock { $0 }
        report.kmfRekeys = recorded.kmfRekeys
        report.badInputs = recorded.badInputs
        report.distributor.datagramsIn = counters.datagramsIn
        report.distributor.forwarded = counters.forwarded
        report.distributor.dropped = counters.dropped
        report.distributor.tampered = counters.tampered
        report.distributor.plaintextSeen = counters.plaintextSeen
        report.distributor.endToEndKeysHeld = counters.endToEndKeysHeld

        var everyFrameVerified = true
        var contiguous = true
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
            row.received =
                media.senders.values.reduce(0) { $0 + $1.received } + media.unattributedRefusals
            row.verified = media.verified
            for kind in RefusalKind.allCases where media.refused(kind) > 0 {
                row.refused[kind.description] = media.refused(kind)
            }
            row.rekeys = snapshot.rekeys
            row.rostersVerified = snapshot.rostersVerified
            // Who is talking (RFC 8871 §5.4): each sender SSRC and each EKT key (SPI) that
            // verified media must be in a roster the KMF signed.
            row.unattributedSpeakers =
                media.senders.filter { ssrc, sender in
                    snapshot.speakers[ssrc] == nil
                        || !Set(sender.verifiedBySPI.keys).isSubset(of: snapshot.rosterSPIs)
                }.count
            row.keysLeftAtEnd = snapshot.keysLeftAtEnd
            if let check = recorded.leaverChecks[participant.name] {
                let newKeyFrames = media.verified - media.verified(underAnyOf: check.oldSPIs)
                row.afterLeave = (media.refusedTotal - check.refusedBefore, newKeyFrames)
                leaversBlind = leaversBlind && row.afterLeave!.reached > 0 && newKeyFrames == 0
            } else {
                let tampered = counters.tamperedToward[participant.name] ?? 0
                let missing = media.senders.values.reduce(0) {
                    $0 + $1.missingOuterSequenceNumbers
                }
                contiguous = contiguous && missing == tampered
                everyFrameVerified =
                    everyFrameVerified && row.received == row.forwardedToIt
                    && row.verified == row.forwardedToIt - tampered
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
            .init(
                "every speaker (SSRC) and every EKT key (SPI) behind verified media was named in "
                    + "a roster signed by the KMF", attributed))
        if recorded.pauses > 0 {
            report.checks.append(
                .init(
                    "selective forwarding: the distributor dropped \(counters.dropped) packets "
                        + "of paused senders, and every member still saw contiguous SEQs from "
                        + "each sender (the only gaps: the packets it tampered with)",
                    counters.dropped > 0 && contiguous))
        }
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
