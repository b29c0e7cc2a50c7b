import Testing

@_spi(Conformance) @testable import PERC

/// Known-answer packets for the OpenSSL engine: RFC 7714 vectors, packets computed independently
/// with Python `cryptography`, and packets produced by libsrtp2 2.5 (`srtp_protect_mki`).
@Suite struct OpenSSLEngineVectorTests {
    enum Kind: Sendable { case rtp, rtcp }

    /// Protects `plaintext` on a fresh sender, expects `protected`, and unprotects it back on a
    /// fresh receiver.
    private func check(
        _ kind: Kind, sender: SRTPSession, receiver: SRTPSession, plaintext: [UInt8],
        protected: [UInt8], sourceLocation: SourceLocation = #_sourceLocation
    ) throws {
        var packet = plaintext
        switch kind {
        case .rtp: try sender.protectRTP(&packet)
        case .rtcp: try sender.protectRTCP(&packet)
        }
        #expect(packet.hex == protected.hex, sourceLocation: sourceLocation)
        packet = protected
        switch kind {
        case .rtp: try receiver.unprotectRTP(&packet)
        case .rtcp: try receiver.unprotectRTCP(&packet)
        }
        #expect(packet.hex == plaintext.hex, sourceLocation: sourceLocation)
    }

    // MARK: RFC 7714 §16–17 (session keys given directly, no KDF)

    struct RFC7714Case: Sendable, CustomTestStringConvertible {
        let section: String
        let profile: SRTPProfile
        let kind: Kind
        let encrypt: Bool
        let protected: String
        var testDescription: String { section }
    }

    static let rfc7714Plaintext: [Kind: String] = [
        .rtp: """
        8040f17b8041f8d35501a0b2 47616c6c696120657374206f6d6e69732064697669736120696e2070617274\
        65732074726573
        """,
        .rtcp: """
        81c8000d4d617273 4e5450314e545032525450200000042a0000e9304c756e61deadbeefdeadbeefdeadbeef\
        deadbeefdeadbeef
        """,
    ]

    static let rfc7714Cases: [RFC7714Case] = [
        RFC7714Case(
            section: "16.1.1 SRTP AEAD_AES_128_GCM", profile: .aeadAES128GCM, kind: .rtp,
            encrypt: true,
            protected: """
                8040f17b8041f8d35501a0b2 f24de3a3fb34de6cacba861c9d7e4bcabe633bd50d294e6f42a5f47a\
                51c7d19b36de3adf8833 899d7f27beb16a9152cf765ee4390cce
                """),
        RFC7714Case(
            section: "16.1 SRTP AEAD_AES_128_GCM authentication only", profile: .aeadAES128GCM,
            kind: .rtp, encrypt: false,
            protected: """
                8040f17b8041f8d35501a0b2 47616c6c696120657374206f6d6e69732064697669736120696e2070\
                6172746573207472657322493f82d2bce397e9d79e3b19aa4216
                """),
        RFC7714Case(
            section: "16.2.1 SRTP AEAD_AES_256_GCM", profile: .aeadAES256GCM, kind: .rtp,
            encrypt: true,
            protected: """
                8040f17b8041f8d35501a0b2 32b1de78a822fe12ef9f78fa332e33aab18012389a58e2f3b50b2a02\
                76ffae0f1ba63799b87b7aa3db36dfffd6b0f9bb7878d7a76c13
                """),
        RFC7714Case(
            section: "16.2 SRTP AEAD_AES_256_GCM authentication only", profile: .aeadAES256GCM,
            kind: .rtp, encrypt: false,
            protected: """
                8040f17b8041f8d35501a0b2 47616c6c696120657374206f6d6e69732064697669736120696e2070\
                61727465732074726573a866d5910f887463067ceefec45215d4
                """),
        RFC7714Case(
            section: "17.1 SRTCP AEAD_AES_128_GCM", profile: .aeadAES128GCM, kind: .rtcp,
            encrypt: true,
            protected: """
                81c8000d4d617273 63e94885dcdab67ca727d7662f6b7e997ff5c0f76c06f32dc676a5f1730d6fda\
                4ce09b4686303ded0bb9275b c84aa45896cf4d2fc5abf87245d9eade 800005d4
                """),
        RFC7714Case(
            section: "17.3 SRTCP AEAD_AES_128_GCM tagging only", profile: .aeadAES128GCM,
            kind: .rtcp, encrypt: false,
            protected: """
                81c8000d4d6172734e5450314e545032525450200000042a0000e9304c756e61deadbeefdeadbeef\
                deadbeefdeadbeefdeadbeef 841dd9683dd78ec92ae58790125f62b3 000005d4
                """),
        RFC7714Case(
            section: "17.2 SRTCP AEAD_AES_256_GCM", profile: .aeadAES256GCM, kind: .rtcp,
            encrypt: true,
            protected: """
                81c8000d4d617273 d50ae4d1f5ce5d304ba297e47d470c282c3ece5dbffe0a50a2eaa5c1110555be\
                8415f658c61de0476f1b6fad 1d1eb30c4446839f57ff6f6cb26ac3be 800005d4
                """),
        RFC7714Case(
            section: "17.4 SRTCP AEAD_AES_256_GCM tagging only", profile: .aeadAES256GCM,
            kind: .rtcp, encrypt: false,
            protected: """
                81c8000d4d6172734e5450314e545032525450200000042a0000e9304c756e61deadbeefdeadbeef\
                deadbeefdeadbeefdeadbeef 91db4afbfeee5a978fab4393ed2615fe 000005d4
                """),
    ]

    @Test(arguments: rfc7714Cases)
    func rfc7714(_ vector: RFC7714Case) throws {
        let key = (0..<UInt8(vector.profile.sessionKeyLength)).map { $0 }  // 000102…
        let salt = TestBytes.hex("517569642070726f2071756f")  // "Quid pro quo"
        func session() throws -> SRTPSession {
            try SRTPSession(
                sessionEncryptionKey: key, sessionSalt: salt, sessionAuthenticationKey: [],
                configuration: .init(
                    profile: vector.profile, encryptRTP: vector.encrypt,
                    encryptRTCP: vector.encrypt))
        }
        let sender = try session()
        if vector.kind == .rtcp { try sender.setNextSRTCPIndex(0x5d4, ssrc: 0x4d61_7273) }
        try check(
            vector.kind, sender: sender, receiver: try session(),
            plaintext: TestBytes.hex(Self.rfc7714Plaintext[vector.kind]!),
            protected: TestBytes.hex(vector.protected))
    }

    // MARK: Independently computed (Python `cryptography`)

    /// Expected packets computed with Python 3.11 `cryptography` + `hmac`, from the master key:
    /// session keys by the RFC 3711 §4.3 KDF (AES-CTR of zeros from IV (salt XOR label at octet
    /// 7) ‖ 0000), payload XOR AES-CTR(k_e, (k_s‖0000) XOR (SSRC·2^64) XOR (index·2^16)),
    /// tag = HMAC-SHA1(k_a, packet ‖ ROC)[:10]; SRTCP: E‖index word, HMAC over packet ‖ word.
    struct ComputedCase: Sendable, CustomTestStringConvertible {
        let name: String
        let profile: SRTPProfile
        let key: String
        let salt: String
        let kind: Kind
        var roc: UInt32 = 0
        var srtcpIndex: UInt32 = 0
        var mki: [UInt8]? = nil
        let protected: String
        var testDescription: String { name }
    }

    /// RFC 3711 B.3 master key and salt; RFC 6188 §7.2 master key and salt.
    static let key128 = "e1f97a0d3e018be0d64fa32c06de4139"
    static let salt128 = "0ec675ad498afeebb6960b3aabe6"
    static let key256 = "f0f04914b513f2763a1b1fa130f10e2998f6f6e43e4309d1e622a0e332b9f1b6"
    static let salt256 = "3b04803de51ee7c96423ab5b78d2"
    static let mki: [UInt8] = [0xa1, 0xa2, 0xa3, 0xa4]

    static let computedCases: [ComputedCase] = [
        ComputedCase(
            name: "AES_CM_128_HMAC_SHA1_80 RTP", profile: .aesCM128HMACSHA1_80, key: key128,
            salt: salt128, kind: .rtp,
            protected: """
                800f1234decafbadcafebabe b5bb25a46c42b20a4b6018da1f06be9bac24a6d482759d \
                12d4b721dec493455b8e
                """),
        ComputedCase(
            name: "AES_CM_128_HMAC_SHA1_80 RTP, ROC 1, MKI", profile: .aesCM128HMACSHA1_80,
            key: key128, salt: salt128, kind: .rtp, roc: 1, mki: mki,
            protected: """
                800f1234decafbadcafebabe ec7c9c2034ebf49ee323ed50f8002f3f2f890db72d2e7c a1a2a3a4 \
                d52e0b066032ceab8e3b
                """),
        ComputedCase(
            name: "AES_CM_128_HMAC_SHA1_80 RTCP", profile: .aesCM128HMACSHA1_80, key: key128,
            salt: salt128, kind: .rtcp,
            protected: """
                81c80006cafebabe 1a368832a7c5c1d645bf2fab59121b9b3f27b0f1 80000000 \
                b618a9cec613288068dd
                """),
        ComputedCase(
            name: "AES_CM_128_HMAC_SHA1_80 RTCP, index 5, MKI", profile: .aesCM128HMACSHA1_80,
            key: key128, salt: salt128, kind: .rtcp, srtcpIndex: 5, mki: mki,
            protected: """
                81c80006cafebabe 57e43cac3a8f5d32734ac5baca6f92fe1195c548 80000005 a1a2a3a4 \
                d2ac1bfbf67ce2469cfb
                """),
        ComputedCase(
            name: "AES_CM_256_HMAC_SHA1_80 RTP", profile: .aesCM256HMACSHA1_80, key: key256,
            salt: salt256, kind: .rtp,
            protected: """
                800f1234decafbadcafebabe 0a3727ff74fed5236dc4bdbb3b2f2e94c82563cf9d1bb6 \
                74b4b4f638edc86beba2
                """),
        ComputedCase(
            name: "AES_CM_256_HMAC_SHA1_80 RTP, ROC 1, MKI", profile: .aesCM256HMACSHA1_80,
            key: key256, salt: salt256, kind: .rtp, roc: 1, mki: mki,
            protected: """
                800f1234decafbadcafebabe 4b911d9e203a1b247e0995870752887c9e76b05c76ecb6 a1a2a3a4 \
                91e4e869fbf03e1bb2e1
                """),
        ComputedCase(
            name: "AES_CM_256_HMAC_SHA1_80 RTCP", profile: .aesCM256HMACSHA1_80, key: key256,
            salt: salt256, kind: .rtcp,
            protected: """
                81c80006cafebabe c96786dc41a38264ed468ca2d4fa401ac30aeb28 80000000 \
                9ad81f134d6a1a68a27d
                """),
        ComputedCase(
            name: "AES_CM_256_HMAC_SHA1_80 RTCP, index 5, MKI", profile: .aesCM256HMACSHA1_80,
            key: key256, salt: salt256, kind: .rtcp, srtcpIndex: 5, mki: mki,
            protected: """
                81c80006cafebabe 7e6aad820b4c775b97be026436dbe04efc31bcf4 80000005 a1a2a3a4 \
                a1dc42e609acbc2fcb89
                """),
    ]

    @Test(arguments: computedCases)
    func independentlyComputed(_ vector: ComputedCase) throws {
        let sender = try TestSession(
            vector.profile, key: TestBytes.hex(vector.key), salt: TestBytes.hex(vector.salt),
            mki: vector.mki)
        let receiver = try TestSession(
            vector.profile, key: TestBytes.hex(vector.key), salt: TestBytes.hex(vector.salt),
            mki: vector.mki)
        try sender.session.setRolloverCounter(vector.roc, ssrc: 0xcafe_babe, direction: .outbound)
        try receiver.session.setRolloverCounter(
            vector.roc, ssrc: 0xcafe_babe, direction: .inbound)
        try sender.session.setNextSRTCPIndex(vector.srtcpIndex, ssrc: 0xcafe_babe)
        try check(
            vector.kind, sender: sender.session, receiver: receiver.session,
            plaintext: vector.kind == .rtp ? TestPackets.rtp : TestPackets.rtcp,
            protected: TestBytes.hex(vector.protected))
    }

    // MARK: libsrtp2 layouts

    /// Packets produced by Debian's libsrtp2 2.5 (`srtp_protect_mki` / `srtp_protect_rtcp_mki`,
    /// master key ‖ salt = 10 11 12 …, MKI a1a2a3a4, libsrtp's first SRTCP index 1). They pin the
    /// MKI placement: before the tag for HMAC profiles, after the AEAD output for GCM, after the
    /// E‖index word for SRTCP; and the _32 suites' 80-bit SRTCP tag.
    struct LibSRTPCase: Sendable, CustomTestStringConvertible {
        let name: String
        let profile: SRTPProfile
        let kind: Kind
        var encryptRTCP = true
        let protected: String
        var testDescription: String { name }
    }

    static let libsrtpCases: [LibSRTPCase] = [
        LibSRTPCase(
            name: "AES_CM_128_HMAC_SHA1_32 RTP", profile: .aesCM128HMACSHA1_32, kind: .rtp,
            protected: """
                800f1234decafbadcafebabe8a8f75bc576b3e5db83ff89e1cf6e8e6e118b75ba5938f a1a2a3a4 \
                d03ee5f1
                """),
        LibSRTPCase(
            name: "AES_CM_128_HMAC_SHA1_32 RTCP", profile: .aesCM128HMACSHA1_32, kind: .rtcp,
            protected: """
                81c80006cafebabe6be8f7f763778ec8d4fced3516ea8063b9490b60 80000001 a1a2a3a4 \
                c4125d753951a783be4c
                """),
        LibSRTPCase(
            name: "NULL_HMAC_SHA1_80 RTCP", profile: .nullHMACSHA1_80, kind: .rtcp,
            protected: """
                81c80006cafebabe000102030405060708090a0b0c0d0e0f10111213 00000001 a1a2a3a4 \
                8ef54f0d221117a53ea4
                """),
        LibSRTPCase(
            name: "AES_CM_256_HMAC_SHA1_32 RTCP E=0", profile: .aesCM256HMACSHA1_32, kind: .rtcp,
            encryptRTCP: false,
            protected: """
                81c80006cafebabe000102030405060708090a0b0c0d0e0f10111213 00000001 a1a2a3a4 \
                e92a6c3210a2525d4a8a
                """),
        LibSRTPCase(
            name: "AEAD_AES_128_GCM RTP", profile: .aeadAES128GCM, kind: .rtp,
            protected: """
                800f1234decafbadcafebabe89f50396f073470fe37d1a3337668a3d92a1a3656c63b0 \
                29d9692f0466548e1bf30e7728346418 a1a2a3a4
                """),
        LibSRTPCase(
            name: "AEAD_AES_128_GCM RTCP", profile: .aeadAES128GCM, kind: .rtcp,
            protected: """
                81c80006cafebabeae9e9eba79cdff691beda81514f2e0b0cc94e183 \
                ea598a25b0cea4f1192b61926d51bfcc 80000001 a1a2a3a4
                """),
        LibSRTPCase(
            name: "AEAD_AES_256_GCM RTCP E=0", profile: .aeadAES256GCM, kind: .rtcp,
            encryptRTCP: false,
            protected: """
                81c80006cafebabe000102030405060708090a0b0c0d0e0f10111213 \
                f37f18b12881d71604fea344fa519e99 00000001 a1a2a3a4
                """),
    ]

    @Test(arguments: libsrtpCases)
    func matchesLibSRTPLayout(_ vector: LibSRTPCase) throws {
        let sender = try TestSession(
            vector.profile, encryptRTCP: vector.encryptRTCP, mki: Self.mki)
        let receiver = try TestSession(vector.profile, mki: Self.mki)
        try sender.session.setNextSRTCPIndex(1, ssrc: 0xcafe_babe)
        try check(
            vector.kind, sender: sender.session, receiver: receiver.session,
            plaintext: vector.kind == .rtp ? TestPackets.rtp : TestPackets.rtcp,
            protected: TestBytes.hex(vector.protected))
    }

    /// AES_CM_192 follows RFC 6188 §3 (AES_192_CM_PRF keyed with the 192-bit master key). Debian's
    /// libsrtp2 2.5 (built without OPENSSL_KDF) instead keys an AES-256 PRF with master key ‖
    /// salt[0..<8] and gives 800f1234…9fbae9a3…: the two engines cannot agree on this profile.
    /// Expected value: the Python model above with AES-192 (key and salt 10 11 12 …).
    @Test func aes192FollowsRFC6188NotLibSRTP25() throws {
        let sender = try TestSession(.aesCM192HMACSHA1_80)
        var packet = TestPackets.rtp
        try sender.session.protectRTP(&packet)
        #expect(
            packet
                == TestBytes.hex(
                    """
                    800f1234decafbadcafebabe dbf41c7d087a575465cd963adab57cec2d90899a171f2e \
                    39dd0970662731fcb013
                    """))
    }
}
