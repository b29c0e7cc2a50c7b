@_spi(Conformance) import PERC

/// `srtp_kdf` (vectors/SCHEMA.md): every expected output equals the first octets the SRTP KDF
/// derives for its label (RFC 3711 §4.3.1, RFC 6188 §3), as many as the expected value has.
struct KDFVectors: VectorExecutor {
    let kinds: Set<String> = ["srtp_kdf"]

    /// The PRF names and the master key length each implies (RFC 3711 §4.3.3, RFC 6188 §3).
    static let prfKeyLengths = ["AES_128_CM_PRF": 16, "AES_192_CM_PRF": 24, "AES_256_CM_PRF": 32]

    /// Output names and their labels (RFC 3711 §4.3.2).
    static let labels: [String: SRTPPrimitives.KDFLabel] = [
        "rtp_encryption": .rtpEncryption, "rtp_auth": .rtpAuthentication, "rtp_salt": .rtpSalt,
        "rtcp_encryption": .rtcpEncryption, "rtcp_auth": .rtcpAuthentication,
        "rtcp_salt": .rtcpSalt,
    ]

    func execute(_ vector: Vector) throws -> VectorOutcome {
        let fields = vector.fields
        let prf = try fields.string("prf")
        guard let keyLength = Self.prfKeyLengths[prf] else {
            throw VectorFieldError.invalid(field: "prf", reason: "unknown PRF \(prf)")
        }
        // The PRF follows from the master key length, so the two must agree.
        let masterKey = try fields.hex("master_key", count: keyLength)
        let masterSalt = try fields.hex("master_salt")
        let rate = try fields.integer("kdr", as: UInt64.self)
        let index = try fields.integer("index", as: UInt64.self)
        let outputs = try fields.object("outputs")
        var expected: [(name: String, label: SRTPPrimitives.KDFLabel, octets: [UInt8])] = []
        for name in outputs.values.keys.sorted() {
            guard let label = Self.labels[name] else {
                throw VectorFieldError.invalid(field: "outputs.\(name)", reason: "unknown label")
            }
            expected.append((name, label, try outputs.hex(name)))
        }
        guard !expected.isEmpty else {
            throw VectorFieldError.invalid(field: "outputs", reason: "no expected output")
        }
        var outcome = VectorOutcome()
        for output in expected {
            do {
                let derived = try SRTPPrimitives.deriveSessionKey(
                    masterKey: masterKey, masterSalt: masterSalt, label: output.label,
                    index: index, keyDerivationRate: rate, length: output.octets.count)
                if let difference = mismatch(
                    output.name, expected: output.octets, actual: derived, secret: true)
                {
                    outcome.failures.append(difference)
                }
            } catch {
                outcome.failures.append("\(output.name): \(error)")
                break  // an error, not a mismatch: the primitive is unavailable
            }
        }
        return outcome
    }
}
