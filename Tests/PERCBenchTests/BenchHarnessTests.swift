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

/// The double SRTP floors do RFC 8723 exactly: they reproduce the worked examples of
/// spec/double-srtp.md §11 (Vectors/spec_worked_example.json), keyed through the library's KDF.
@Suite struct DoubleSRTPFloorTests {
    static let header = TestHex.bytes("90e01234decafbadcafebabebede0001107f0000")
    static let plaintext = header + TestHex.bytes("50455243207465737421")
    static let sent = TestHex.bytes(
        "90e01234decafbadcafebabebede0001107f000069c8ade2b1766b3078d78e81dbb9cb492f6509c9dd3c9da9a6a9efab2721f4d7e69a7502f2cc7fa8430d18"
    )

    /// RFC 3711 §4.3 session key and salt of one GCM half (12-octet salt padded with 00 00).
    static func sessionKeys(key: String, salt: String) throws -> BaselineSessionKeys {
        try sessionKeys(key: TestHex.bytes(key), salt: TestHex.bytes(salt))
    }

    static func sessionKeys(key: [UInt8], salt: [UInt8]) throws -> BaselineSessionKeys {
        let salt = salt + [0, 0]
        func derive(_ label: SRTPPrimitives.KDFLabel, _ length: Int) throws -> [UInt8] {
            try SRTPPrimitives.deriveSessionKey(
                masterKey: key, masterSalt: salt, label: label, index: 0, keyDerivationRate: 0,
                length: length)
        }
        return BaselineSessionKeys(
            encryption: try derive(.rtpEncryption, 16), salt: try derive(.rtpSalt, 12))
    }

    static func context(_ keys: BaselineSessionKeys, sealing: Bool) throws -> EVPBaseline {
        try EVPBaseline(profile: .aeadAES128GCM, sealing: sealing, keys: keys)
    }

    static let inner = {
        try! sessionKeys(key: "000102030405060708090a0b0c0d0e0f", salt: "a0a1a2a3a4a5a6a7a8a9aaab")
    }()
    static let ingress = {
        try! sessionKeys(key: "101112131415161718191a1b1c1d1e1f", salt: "b0b1b2b3b4b5b6b7b8b9babb")
    }()
    static let egress = {
        try! sessionKeys(key: "404142434445464748494a4b4c4d4e4f", salt: "c0c1c2c3c4c5c6c7c8c9cacb")
    }()

    static func run(_ operation: some PacketOperation, _ input: [UInt8], index: UInt64) throws
        -> [UInt8]
    {
        let ring = PacketRing(count: 1, capacity: input.count + 64)
        let slot = ring.slot(0)
        UnsafeMutableRawBufferPointer(rebasing: slot[..<input.count]).copyBytes(from: input)
        let length = try operation.apply(slot, length: input.count, index: index)
        return Array(slot[..<length])
    }

    @Test func sendReproducesTheWorkedExample() throws {
        let send = EVPDoubleProtect(
            inner: try Self.context(Self.inner, sealing: true),
            outer: try Self.context(Self.ingress, sealing: true), headerLength: Self.header.count,
            ssrc: 0xCAFE_BABE)
        #expect(try Self.run(send, Self.plaintext, index: 0x1234) == Self.sent)
    }

    @Test func receiveRecoversThePlaintext() throws {
        let receive = EVPDoubleUnprotect(
            inner: try Self.context(Self.inner, sealing: false),
            outer: try Self.context(Self.ingress, sealing: false),
            headerLength: Self.header.count, ssrc: 0xCAFE_BABE)
        #expect(try Self.run(receive, Self.sent, index: 0x1234) == Self.plaintext)
    }

    @Test func relayReproducesTheWorkedExample() throws {
        // The example rewrites PT 96 → 100, SEQ 0x1234 → 66 and M 1 → 0.
        let relay = EVPRelay(
            inbound: try Self.context(Self.ingress, sealing: false),
            outbound: try Self.context(Self.egress, sealing: true),
            headerLength: Self.header.count, ssrc: 0xCAFE_BABE, indexOffset: 66 - 0x1234,
            payloadType: 100, marker: 0)
        let expected = TestHex.bytes(
            "90640042decafbadcafebabebede0001107f000042989f936b8df2e0752b6ec776528150fd500feee009a3c7134396799c337657d0d1463e505bd3b57761f1a34319"
        )
        #expect(try Self.run(relay, Self.sent, index: 0x1234) == expected)
    }
}

enum TestHex {
    static func bytes(_ hex: String) -> [UInt8] {
        let digits = Array(hex.utf8)
        return stride(from: 0, to: digits.count, by: 2).map {
            UInt8(String(decoding: digits[$0..<$0 + 2], as: UTF8.self), radix: 16)!
        }
    }
}
