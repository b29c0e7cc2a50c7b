import PERCConformance
import Testing

/// Every vector in `Vectors/`, one parameterised test per executed kind. Suites keyed through
/// libsrtp2 touch process-wide C state, hence `.serialized`.
@Suite("Conformance vectors in Vectors/", .serialized)
struct ConformanceVectorTests {
    static let executedKinds = [
        "srtp_packet", "srtcp_packet", "srtp_kdf", "aes_cm_keystream", "aead_iv", "aes_kw",
        "ekt_field", "double_srtp_packet", "double_relay",
    ]

    let runner = ConformanceRunner()

    @Test("srtp_packet", arguments: try VectorFiles.vectors(ofKind: "srtp_packet"))
    func srtpPacket(_ vector: Vector) { expectPasses(vector) }

    @Test("srtcp_packet", arguments: try VectorFiles.vectors(ofKind: "srtcp_packet"))
    func srtcpPacket(_ vector: Vector) { expectPasses(vector) }

    @Test("srtp_kdf", arguments: try VectorFiles.vectors(ofKind: "srtp_kdf"))
    func srtpKDF(_ vector: Vector) { expectPasses(vector) }

    @Test("aes_cm_keystream", arguments: try VectorFiles.vectors(ofKind: "aes_cm_keystream"))
    func aesCounterKeystream(_ vector: Vector) { expectPasses(vector) }

    @Test("aead_iv", arguments: try VectorFiles.vectors(ofKind: "aead_iv"))
    func aeadIV(_ vector: Vector) { expectPasses(vector) }

    @Test("aes_kw", arguments: try VectorFiles.vectors(ofKind: "aes_kw"))
    func aesKeyWrap(_ vector: Vector) { expectPasses(vector) }

    @Test("ekt_field", arguments: try VectorFiles.vectors(ofKind: "ekt_field"))
    func ektField(_ vector: Vector) { expectPasses(vector) }

    @Test("double_srtp_packet", arguments: try VectorFiles.vectors(ofKind: "double_srtp_packet"))
    func doubleSRTPPacket(_ vector: Vector) { expectPasses(vector) }

    @Test("double_relay", arguments: try VectorFiles.vectors(ofKind: "double_relay"))
    func doubleRelay(_ vector: Vector) { expectPasses(vector) }

    @Test("Every executed kind has vectors, and the registry executes exactly those kinds")
    func kindsAreCovered() throws {
        for kind in Self.executedKinds {
            #expect(try !VectorFiles.vectors(ofKind: kind).isEmpty, "no \(kind) vectors")
        }
        #expect(VectorRegistry.standard.executedKinds == Set(Self.executedKinds))
    }

    @Test("Every file in Vectors/ is well formed, with unique ids")
    func filesAreWellFormed() throws {
        let files = try VectorFiles.files()
        #expect(files.map(\.name).contains("swift_perc_profiles.json"))
        for file in files {
            #expect(file.malformed.isEmpty, "\(file.name): \(file.malformed.map(\.reason))")
            #expect(Set(file.vectors.map(\.id)).count == file.vectors.count, "\(file.name)")
        }
    }

    private func expectPasses(_ vector: Vector, sourceLocation: SourceLocation = #_sourceLocation) {
        let result = runner.execute(vector)
        #expect(
            result.status == .passed, "\(result.reasons.joined(separator: "; "))",
            sourceLocation: sourceLocation)
    }
}
