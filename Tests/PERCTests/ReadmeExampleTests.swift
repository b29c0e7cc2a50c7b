import PERC
import Testing

/// The usage examples in README.md, as written there, so the documentation cannot drift from the
/// API. Keep each body in step with its README block.
@Suite("README examples")
struct ReadmeExampleTests {
    @Test("Using the library")
    func srtpExample() throws {
        let store = KeyStore()
        let key = try store.generateSRTPMasterKey(for: .aeadAES128GCM)
        let configuration = SRTPSession.Configuration(profile: .aeadAES128GCM)
        let sender = try SRTPSession(key: key, in: store, configuration: configuration)
        let receiver = try SRTPSession(key: key, in: store, configuration: configuration)

        let rtp: [UInt8] =
            [
                0x80, 0x60, 0x00, 0x01,
                0x00, 0x00, 0x00, 0x00,
                0xCA, 0xFE, 0xBA, 0xBE,
            ] + Array("hello".utf8)

        var packet = rtp
        try sender.protectRTP(&packet)
        let onTheWire = packet
        try receiver.unprotectRTP(&packet)
        #expect(packet == rtp)

        var again = onTheWire
        #expect(throws: SRTPError.replayed) { try receiver.unprotectRTP(&again) }
        #expect(again == onTheWire)

        store.revoke(key)
        var late = rtp
        #expect(throws: SRTPError.keyRevoked) { try sender.protectRTP(&late) }
    }

    @Test("EKT (RFC 8870) and the Encryption-Key header")
    func ektExample() throws {
        // The KMF side makes the header the README shows arriving.
        let kmf = KeyStore()
        let conferenceKey = try kmf.generateEKTKey(
            cipher: .aeskw128, spi: 1, masterSaltLength: 12, expiresAfter: .seconds(3600))
        let header = try EncryptionKeyHeader.exportForDelivery(
            ektKey: conferenceKey, keyID: "conf-42", from: kmf)
        let rtp = [0x80, 0x60, 0x00, 0x01, 0, 0, 0, 0, 0xCA, 0xFE, 0xBA, 0xBE] + Array("hi".utf8)

        let store = KeyStore()
        let conference = KeyScope("conf-42")
        let ekt = try store.importEKTKey(fromEncryptionKeyHeader: header, scope: conference).handle

        let sender = try EKTSender(
            store: store, ektKey: ekt, configuration: .init(profile: .aeadAES128GCM))
        var packet = rtp
        packet.reserveCapacity(rtp.count + sender.maxRTPOverhead)
        try sender.protectRTP(&packet)

        let receiver = try EKTReceiver(
            store: store, scope: conference, configuration: .init(profile: .aeadAES128GCM))
        try receiver.unprotectRTP(&packet)
        #expect(packet == rtp)
        store.endConference(conference)
        #expect(store.liveKeyCount == 0)
    }
}
