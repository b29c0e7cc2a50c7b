import PERC
import Testing

extension ReadmeExampleTests {
    @Test("PERC endpoints (double SRTP + EKT) and the no-downgrade policy")
    func percExample() throws {
        // What the Key Distributor hands out (RFC 8871 §4.5, §6.2): the conference's EKT key and
        // salt, and one hop key per direction between an endpoint and the distributor.
        let ektKey = [UInt8](repeating: 0x0E, count: 16)
        let ektSalt = [UInt8](repeating: 0x5A, count: 12)
        let (upKey, upSalt) = (
            [UInt8](repeating: 0x11, count: 16), [UInt8](repeating: 0x12, count: 12)
        )
        let (downKey, downSalt) = (
            [UInt8](repeating: 0x21, count: 16), [UInt8](repeating: 0x22, count: 12)
        )
        let rtp = [0x80, 0x60, 0x00, 0x01, 0, 0, 0, 0, 0xCA, 0xFE, 0xBA, 0xBE] + Array("hi".utf8)

        let profile = DoubleSRTPProfile.doubleAEADAES128GCM
        let conference = KeyScope("conf-42")
        let parameters = EKTParameters(cipher: .aeskw128, spi: 1, masterSalt: ektSalt)

        // Alice: the EKT key, and her hop key to the distributor.
        let alice = KeyStore()
        let aliceEKT = try alice.importEKTKey(ektKey, parameters: parameters, scope: conference)
        let sender = try PERCSender(
            profile: profile, ektKey: aliceEKT,
            hopKey: alice.importHopKey(upKey, salt: upSalt, for: profile), store: alice)

        // The Media Distributor: hop keys only, the EKT field passed through.
        let mdStore = KeyStore()
        let md = try MediaDistributor(profile: profile)  // ektInUse: true
        let fromAlice = try md.addIngress(
            hopKey: mdStore.importHopKey(upKey, salt: upSalt, for: profile), in: mdStore)
        let toBob = try md.addEgress(
            hopKey: mdStore.importHopKey(downKey, salt: downSalt, for: profile), in: mdStore)

        // Bob: the EKT key, and his hop key from the distributor. Never Alice's key.
        let bob = KeyStore()
        _ = try bob.importEKTKey(ektKey, parameters: parameters, scope: conference)
        let receiver = try PERCReceiver(
            profile: profile, hopKey: bob.importHopKey(downKey, salt: downSalt, for: profile),
            store: bob, scope: conference)

        var packet = rtp
        try sender.protect(&packet)  // double SRTP, then a FullEKTField (E2E key, SSRC, inner ROC)
        try md.relay(&packet, from: fromAlice, to: toBob, rewrite: .init(sequenceNumber: 7))
        let relayed = packet
        let received = try receiver.receive(&packet)  // learns Alice's key from the Full field
        #expect(
            received.media.originalSequenceNumber == 1 && received.media.outerSequenceNumber == 7)
        #expect(received.spi == 1 && received.epoch == 0)
        #expect(Array(packet[12...]) == Array("hi".utf8))

        // Every refusal is a typed PERCError, and changes nothing.
        var again = relayed
        #expect(throws: PERCError.doubleSRTP(.replayed(.outer))) { try receiver.receive(&again) }

        bob.endConference(conference)  // wipes the EKT key and every key learned under it
        #expect(bob.liveKeyCount == 1)  // his hop key, in its own scope
    }
}
