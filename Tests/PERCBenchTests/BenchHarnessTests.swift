import Testing

@_spi(Conformance) import PERC
@testable import PERCBench

/// The harness measures what it claims: every case runs, the baselines do the same cryptography as
/// the engines (same bytes out), and unprotect batches stay fresh for the receiver.
@Suite(.serialized)
struct BenchHarnessTests {
    @Test(arguments: BenchCatalog.all().map(\.name))
    func everyCaseRunsBatches(_ name: String) throws {
        let benchCase = try #require(BenchCatalog.all().first { $0.name == name })
        let workload = try benchCase.makeWorkload(batchSize: 4)
        #expect(workload.batchSize == 4)
        for _ in 0..<3 {
            try workload.prepareBatch()
            try workload.runBatch()
        }
    }

    @Test(arguments: BenchCatalog.srtpProfiles)
    func rawEVPProtectsLikeTheOpenSSLEngine(_ profile: SRTPProfile) throws {
        let keys = BaselineSessionKeys(profile: profile)
        for packet in BenchPacket.rtpSet {
            // A fresh sender per packet: every packet starts again at index 0.
            let session = try SRTPSession(
                sessionEncryptionKey: keys.encryption, sessionSalt: keys.salt,
                sessionAuthenticationKey: keys.authentication,
                configuration: SRTPSession.Configuration(profile: profile))
            let engine = try BenchProtect(SessionProtectRTP(session: session), packet)
            let floor = try BenchProtect(
                EVPProtectRTP(
                    baseline: EVPBaseline(profile: profile, sealing: true, keys: keys),
                    headerLength: packet.headerLength, ssrc: packet.ssrc), packet)
            for index in [UInt64(0), 1, 2] {
                #expect(try engine.protect(index: index) == floor.protect(index: index))
            }
        }
    }

    @Test func rawEVPProtectsSRTCPLikeTheOpenSSLEngine() throws {
        let profile = SRTPProfile.aeadAES128GCM
        let keys = BaselineSessionKeys(profile: profile)
        let session = try SRTPSession(
            sessionEncryptionKey: keys.encryption, sessionSalt: keys.salt,
            sessionAuthenticationKey: keys.authentication,
            configuration: SRTPSession.Configuration(profile: profile))
        let packet = BenchPacket.rtcpSenderReport
        try session.setNextSRTCPIndex(5, ssrc: packet.ssrc)
        let engine = try BenchProtect(SessionProtectRTCP(session: session), packet)
        let floor = try BenchProtect(
            EVPProtectRTCP(
                baseline: EVPBaseline(profile: profile, sealing: true, keys: keys),
                ssrc: packet.ssrc), packet)
        for index in [UInt64(5), 6] {
            #expect(try engine.protect(index: index) == floor.protect(index: index))
        }
    }

    @Test(arguments: BenchCatalog.srtpProfiles)
    func rawLibSRTPProtectsLikeBothEngines(_ profile: SRTPProfile) throws {
        let packet = BenchPacket.synthetic(payloadLength: 160)
        let raw = try BenchProtect(
            LibSRTPOperation(
                baseline: LibSRTPBaseline(profile: profile, outbound: true), call: .protectRTP),
            packet)
        let openSSL = try SessionPair(profile: profile, engine: .openSSL)
        let libsrtp = try SessionPair(profile: profile, engine: .libsrtp2)
        let engines = [
            try BenchProtect(SessionProtectRTP(session: openSSL.sender), packet),
            try BenchProtect(SessionProtectRTP(session: libsrtp.sender), packet),
        ]
        for index in [UInt64(0), 1, 2] {
            let expected = try raw.protect(index: index)
            for e in engines.indices {
                #expect(try engines[e].protect(index: index) == expected)
            }
        }
    }

    /// 70 batches of 1000: SEQ wraps (ROC 0 → 1) and every packet is still accepted once.
    @Test(arguments: [BenchImplementation.rawEVP, .openSSLEngine, .rawLibSRTP, .libsrtp2Engine])
    func unprotectBatchesStayFreshAcrossTheSequenceWrap(_ implementation: BenchImplementation)
        throws
    {
        let benchCase = BenchCatalog.srtpCase(
            .aeadAES128GCM, .unprotect, .synthetic(payloadLength: 20), implementation)
        let workload = try benchCase.makeWorkload(batchSize: 1000)
        for _ in 0..<70 {
            try workload.prepareBatch()
            try workload.runBatch()
        }
    }

    @Test func aFailingOperationStopsTheBatch() throws {
        let pair = try SessionPair(profile: .aeadAES128GCM, engine: .openSSL)
        // Unprotecting plaintext: the tag cannot verify.
        let workload = RingWorkload(
            packet: .synthetic(payloadLength: 160), batchSize: 2,
            operation: SessionUnprotectRTP(session: pair.receiver), retaining: [pair.store])
        try workload.prepareBatch()
        #expect(throws: BenchError.self) { try workload.runBatch() }
    }

    @Test func formatsNumbers() {
        #expect(Format.fixed(1.005, 2) == "1.00" || Format.fixed(1.005, 2) == "1.01")
        #expect(Format.fixed(229.4, 0) == "229")
        #expect(Format.fixed(0.05, 2) == "0.05")
        #expect(Format.fixed(3, 2) == "3.00")
        #expect(Format.rate(4_370_000) == "4.37 M")
        #expect(Format.rate(12_345) == "12.3 k")
    }
}

/// Protects the plaintext of `packet` with SEQ = index through one operation; returns the bytes.
struct BenchProtect<Operation: PacketOperation> {
    let operation: Operation
    let packet: BenchPacket
    let ring = PacketRing(count: 1, capacity: 2048)

    init(_ operation: Operation, _ packet: BenchPacket) throws {
        self.operation = operation
        self.packet = packet
    }

    func protect(index: UInt64) throws -> [UInt8] {
        let slot = ring.slot(0)
        let length = packet.write(into: slot, index: index)
        let protected = try operation.apply(slot, length: length, index: index)
        return Array(slot[..<protected])
    }
}
