import Foundation
import PERCConformance
import Testing

@Suite("Conformance runner behaviour")
struct ConformanceRunnerTests {
    let runner = ConformanceRunner()

    private func run(_ vectors: String) throws -> FileReport {
        let json = #"{"source": "test", "vectors": ["# + vectors + "]}"
        return runner.run(try VectorFile(data: Data(json.utf8), name: "inline.json"))
    }

    /// The RFC 7714 §16.1.1 packet, as a JSON object body without its closing brace.
    private static let rfc7714Packet = #"""
        "kind": "srtp_packet", "profile": "AEAD_AES_128_GCM",
        "session_keys": {"rtp_encryption": "000102030405060708090a0b0c0d0e0f",
                         "rtp_salt": "517569642070726f2071756f"},
        "plaintext": "8040f17b8041f8d35501a0b247616c6c696120657374206f6d6e69732064697669736120696e207061727465732074726573",
        "protected": "8040f17b8041f8d35501a0b2f24de3a3fb34de6cacba861c9d7e4bcabe633bd50d294e6f42a5f47a51c7d19b36de3adf8833899d7f27beb16a9152cf765ee4390cce"
        """#

    @Test func unknownKindIsSkippedByID() throws {
        let report = try run(#"{"id": "future-1", "kind": "made_up_kind", "x": 1}"#)
        let result = try #require(report.results.first)
        #expect(result.status == .skipped)
        #expect(result.id == "future-1")
        #expect(result.reasons == ["kind made_up_kind is not executed"])
        #expect(report.lines.contains("  skip future-1: kind made_up_kind is not executed"))
        #expect(report.lines.first == "inline.json: 0 passed, 0 failed, 1 skipped")
    }

    @Test(arguments: ["aes_f8", "aes_gcm", "hmac_sha1"])
    func primitiveKnownAnswersAreSkippedNotPassed(_ kind: String) throws {
        let result = try #require(try run(#"{"id": "p", "kind": "\#(kind)"}"#).results.first)
        #expect(result.status == .skipped)
        #expect(result.reasons.first?.contains("SCHEMA.md allows skipping") == true)
    }

    @Test func badHexFailsTheVectorAndTheFileGoesOn() throws {
        let report = try run(
            #"""
            {"id": "bad-salt", "kind": "aead_iv", "salt": "517569642070726f2071756G",
             "iv": "51753c6580c2726f20718414", "ssrc": "5501a0b2", "roc": 0, "seq": "f17b"},
            {"id": "odd-key", "kind": "srtp_kdf", "prf": "AES_128_CM_PRF", "kdr": 0, "index": 0,
             "master_key": "e1f97a0d3e018be0d64fa32c06de413", "master_salt": "0ec675ad498afeebb6960b3aabe6",
             "outputs": {"rtp_salt": "30cbbc08863d8c85d49db34a9ae1"}},
            {"id": "upper", "kind": "srtp_packet", "profile": "AES_CM_128_HMAC_SHA1_80",
             "master_key": "E1F97A0D3E018BE0D64FA32C06DE4139", "master_salt": "0ec675ad498afeebb6960b3aabe6",
             "plaintext": "80", "protected": "80"},
            {"id": "after", "kind": "made_up_kind"}
            """#)
        #expect(report.results.map(\.status) == [.failed, .failed, .failed, .skipped])
        #expect(
            report.results[0].reasons == [
                #"field salt: invalid hex character "G" at offset 23 (lowercase 0-9a-f only)"#
            ])
        #expect(report.results[1].reasons == ["field master_key: odd number of hex digits (31)"])
        #expect(report.results[2].reasons.first?.hasPrefix("field master_key: invalid hex") == true)
        #expect(report.results[3].id == "after")
    }

    @Test func fieldsAreTypeAndRangeChecked() throws {
        let report = try run(
            #"""
            {"id": "roc-string", \#(Self.rfc7714Packet), "roc": "1"},
            {"id": "roc-too-big", \#(Self.rfc7714Packet), "roc": 4294967296},
            {"id": "expect-maybe", \#(Self.rfc7714Packet), "expect": "maybe"},
            {"id": "no-profile", \#(Self.rfc7714Packet.replacingOccurrences(of: "AEAD_AES_128_GCM", with: "NULL_NULL"))},
            {"id": "cryptex", \#(Self.rfc7714Packet), "cryptex": true},
            {"id": "index-too-big", "kind": "srtcp_packet", "profile": "AEAD_AES_128_GCM",
             "master_key": "000102030405060708090a0b0c0d0e0f", "master_salt": "517569642070726f2071756f",
             "srtcp_index": 2147483648, "plaintext": "81c8000d4d617273", "protected": "81c8000d4d617273"},
            {"id": "prf-key-mismatch", "kind": "srtp_kdf", "prf": "AES_256_CM_PRF", "kdr": 0, "index": 0,
             "master_key": "e1f97a0d3e018be0d64fa32c06de4139", "master_salt": "0ec675ad498afeebb6960b3aabe6",
             "outputs": {"rtp_salt": "30cbbc08863d8c85d49db34a9ae1"}},
            {"id": "unknown-label", "kind": "srtp_kdf", "prf": "AES_128_CM_PRF", "kdr": 0, "index": 0,
             "master_key": "e1f97a0d3e018be0d64fa32c06de4139", "master_salt": "0ec675ad498afeebb6960b3aabe6",
             "outputs": {"rtp_pepper": "30"}}
            """#)
        let reasons = Dictionary(
            uniqueKeysWithValues: report.results.map { ($0.id, $0.reasons.joined()) })
        #expect(report.results.allSatisfy { $0.status == .failed })
        #expect(reasons["roc-string"] == "field roc: expected an integer, found a string")
        #expect(reasons["roc-too-big"] == "field roc: out of range 0...4294967295")
        #expect(
            reasons["expect-maybe"] == #"field expect: "maybe" is neither "reject" nor "accept""#)
        #expect(
            reasons["no-profile"] == "field profile: NULL_NULL is not implemented by swift-perc")
        #expect(reasons["cryptex"] == "field cryptex: RFC 9335 cryptex is not implemented")
        #expect(reasons["index-too-big"] == "field srtcp_index: out of range 0...2147483647")
        #expect(reasons["prf-key-mismatch"] == "field master_key: 16 octets, expected 32")
        #expect(reasons["unknown-label"] == "field outputs.rtp_pepper: unknown label")
    }

    @Test func malformedEntriesAndDuplicateIDsFail() throws {
        let report = try run(
            #"""
            7, {"id": "no-kind"}, {"kind": "aead_iv"},
            {"id": "twice", "kind": "made_up_kind"}, {"id": "twice", "kind": "made_up_kind"}
            """#)
        #expect(
            report.results.map(\.id) == ["vectors[0]", "no-kind", "vectors[2]", "twice", "twice"])
        #expect(report.results.map(\.status) == [.failed, .failed, .failed, .skipped, .failed])
        #expect(report.results[0].reasons == ["malformed vector: entry is a number"])
        #expect(report.results[1].reasons == ["malformed vector: missing field kind"])
        #expect(report.results[4].reasons == ["duplicate id"])
    }

    /// Needs the OpenSSL engine: until it lands the vector fails for that reason instead.
    @Test func rejectVectorWhoseUnprotectSucceedsFails() throws {
        let report = try run(
            #"{"id": "not-really-bad", \#(Self.rfc7714Packet), "expect": "reject"}"#)
        let result = try #require(report.results.first)
        #expect(result.status == .failed)
        #expect(
            result.reasons.contains(
                "OpenSSL: unprotect accepted a packet the vector expects to be rejected"),
            "\(result.reasons)")
    }

    /// Needs the OpenSSL engine: the tampered packet must be rejected with a typed error.
    @Test func rejectVectorWithTamperedTagPasses() throws {
        let tampered = Self.rfc7714Packet.replacingOccurrences(of: "e4390cce\"", with: "e4390ccf\"")
        let report = try run(#"{"id": "bad-tag", \#(tampered), "expect": "reject"}"#)
        let result = try #require(report.results.first)
        #expect(result.status == .passed, "\(result.reasons)")
    }

    @Test func unreadableFilesAreReportedAndFailTheRun() throws {
        let directory = try TemporaryDirectory()
        let garbage = directory.url.appendingPathComponent("garbage.json")
        try Data("{\"source\": ".utf8).write(to: garbage)
        let array = directory.url.appendingPathComponent("array.json")
        try Data("[]".utf8).write(to: array)
        let noVectors = directory.url.appendingPathComponent("no-vectors.json")
        try Data(#"{"source": "x"}"#.utf8).write(to: noVectors)
        let missing = directory.url.appendingPathComponent("missing.json").path

        let report = runner.run(paths: [missing, garbage.path, array.path, noVectors.path])
        #expect(
            report.files.map(\.error) == [
                .unreadable("no such file or directory"),
                .invalidJSON("Unexpected end of file during JSON parse."),
                .notAVectorFile("the top level is an array, not an object"),
                .notAVectorFile("no \"vectors\" array"),
            ])
        #expect(!report.succeeded)
        #expect(
            report.lines.suffix(2) == [
                "error: 4 files could not be run", "0 passed, 0 failed, 0 skipped",
            ])
        #expect(report.lines.first == "\(missing): unreadable: no such file or directory")
    }

    @Test func directoryStandsForItsJSONFilesInNameOrder() throws {
        let directory = try TemporaryDirectory()
        for name in ["b.json", "a.json", "notes.txt"] {
            let vectors = #"{"source": "t", "vectors": [{"id": "\#(name)", "kind": "made_up"}]}"#
            try Data(vectors.utf8).write(to: directory.url.appendingPathComponent(name))
        }
        let report = runner.run(paths: [directory.url.path])
        #expect(
            report.files.map(\.name) == [
                "\(directory.url.path)/a.json", "\(directory.url.path)/b.json",
            ])
        // Skipped vectors never make a run succeed on their own merits, but do not fail it.
        #expect(report.succeeded)
        #expect(report.lines.last == "0 passed, 0 failed, 2 skipped")

        let empty = try TemporaryDirectory()
        let emptyReport = runner.run(paths: [empty.url.path])
        #expect(emptyReport.files.map(\.error) == [.unreadable("directory holds no *.json files")])
        #expect(!emptyReport.succeeded)
    }

    @Test func totalsAreTheLastLine() throws {
        let report = RunReport(files: [
            try run(#"{"id": "s", "kind": "made_up"}, {"id": "f", "kind": "aead_iv"}"#)
        ])
        #expect(report.lines.last == "0 passed, 1 failed, 1 skipped")
        #expect(report.lines.contains("  FAIL f: missing field salt"))
        #expect(!report.succeeded)
    }
}

/// A fresh directory under the system temporary directory, removed when released.
private final class TemporaryDirectory {
    let url: URL

    init() throws {
        url = FileManager.default.temporaryDirectory
            .appendingPathComponent("perc-conformance-\(UUID().uuidString)", isDirectory: true)
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }

    deinit { try? FileManager.default.removeItem(at: url) }
}
