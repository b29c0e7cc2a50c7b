import PERC

extension DemoWorld {
    /// `name` leaves: the KMF rekeys; a colluding distributor keeps sending it media; the
    /// distributor holds everyone's packets across the switch to the new key and releases them
    /// after it, so frames sent under the old key arrive after the rekey (the overlap).
    func leave(_ name: String) async throws(DemoError) {
        guard let leaver = state.withLock({ $0.participants[name] }) else {
            throw .invalidConfiguration("\(name) is not in the conference")
        }
        let before = leaver.snapshot
        let oldSPIs = Set(before.ektKeys.keys)
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
                refusedBefore: before.counters?.refusedTotal ?? 0, oldSPIs: oldSPIs)
        }
        let stayers = participants.filter { $0 !== leaver && !$0.hasEnded }
        await refreshRosters(stayers)
        // Wait until every sender that stays moved to the new key, then release the held
        // packets: the ones sent under the old key must still decrypt (rekey overlap).
        let deadline = ContinuousClock.now + DemoRunner.rekeyLead + .seconds(5)
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
}
