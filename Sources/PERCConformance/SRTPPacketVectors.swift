@_spi(Conformance) import PERC

/// `srtp_packet` and `srtcp_packet` (vectors/SCHEMA.md), run on every engine:
/// protect(`plaintext`) == `protected` and unprotect(`protected`) == `plaintext`, each on a fresh
/// session; an `"expect": "reject"` vector passes only when unprotect throws a typed error.
///
/// Every vector must pass on the OpenSSL engine. Another engine that cannot express a vector
/// (it throws `SRTPError.unsupported`) reports it as "n/a on <engine>: <reason>", never as a pass.
struct SRTPPacketVectors: VectorExecutor {
    let kinds: Set<String> = ["srtp_packet", "srtcp_packet"]

    /// The engine every vector must pass on.
    static let requiredEngine = SRTPEngineKind.openSSL

    func execute(_ vector: Vector) throws -> VectorOutcome {
        let packetVector = try PacketVector(vector)
        var outcome = VectorOutcome()
        for engine in SRTPEngineKind.allCases {
            switch packetVector.check(on: engine) {
            case .passed:
                break
            case .failed(let reasons):
                outcome.failures += reasons.map { "\(engine): \($0)" }
            case .notApplicable(let reason) where engine == Self.requiredEngine:
                outcome.failures.append("\(engine): cannot run: \(reason)")
            case .notApplicable(let reason):
                outcome.notes.append("n/a on \(engine): \(reason)")
            }
        }
        return outcome
    }
}

/// The fields of one packet vector, read and checked before anything runs.
struct PacketVector {
    enum Keying {
        case master(key: [UInt8], salt: [UInt8])
        /// Session keys given directly (RFC 7714 vectors); they serve SRTP and SRTCP alike.
        case session(encryption: [UInt8], salt: [UInt8], authentication: [UInt8])
    }

    let isRTCP: Bool
    let profile: SRTPProfile
    let keying: Keying
    let roc: UInt32
    let srtcpIndex: UInt32?
    let encrypt: Bool
    let mki: [UInt8]?
    let plaintext: [UInt8]?
    let protected: [UInt8]
    let expectReject: Bool

    init(_ vector: Vector) throws(VectorFieldError) {
        let fields = vector.fields
        isRTCP = vector.kind == "srtcp_packet"
        let profileName = try fields.string("profile")
        guard let profile = SRTPProfile(rawValue: profileName) else {
            throw .invalid(
                field: "profile", reason: "\(profileName) is not implemented by swift-perc")
        }
        self.profile = profile
        if fields.contains("master_key") {
            keying = .master(key: try fields.hex("master_key"), salt: try fields.hex("master_salt"))
        } else if fields.contains("session_keys") {
            let keys = try fields.object("session_keys")
            keying = .session(
                encryption: try keys.hex("rtp_encryption"), salt: try keys.hex("rtp_salt"),
                authentication: try keys.optionalHex("rtp_auth") ?? [])
        } else {
            throw .missing(field: "master_key or session_keys")
        }
        if try fields.bool("cryptex", default: false) {
            throw .invalid(field: "cryptex", reason: "RFC 9335 cryptex is not implemented")
        }
        roc = try fields.integer("roc", default: 0)
        if fields.contains("srtcp_index") {
            let index = try fields.integer("srtcp_index", as: UInt32.self)
            // RFC 3711 §3.4: the SRTCP index is 31 bits.
            guard index <= 0x7FFF_FFFF else {
                throw .outOfRange(field: "srtcp_index", range: "0...2147483647")
            }
            srtcpIndex = index
        } else {
            srtcpIndex = nil
        }
        encrypt = try fields.bool("encrypt", default: true)
        mki = try fields.optionalHex("mki")
        switch try fields.optionalString("expect") {
        case nil, "accept": expectReject = false
        case "reject": expectReject = true
        case let other?:
            throw .invalid(
                field: "expect", reason: "\"\(other)\" is neither \"reject\" nor \"accept\"")
        }
        protected = try fields.hex("protected")
        // A reject vector may omit the plaintext: only its receiving side runs.
        plaintext = expectReject ? try fields.optionalHex("plaintext") : try fields.hex("plaintext")
        if isRTCP, !expectReject, srtcpIndex == nil { throw .missing(field: "srtcp_index") }
    }
}
