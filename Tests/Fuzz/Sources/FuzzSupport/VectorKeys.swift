import Foundation
import PERC

/// The keys of the conformance vectors in the repository's `Vectors/`, read once at start-up, so
/// that the vector packets in the seed corpora authenticate under the fuzz sessions and the
/// fuzzer starts from inputs that reach every step of a transform.
public enum VectorKeys {
    public struct MasterKey: Sendable {
        public let key: [UInt8]
        public let salt: [UInt8]
    }

    public struct EKTKey: Sendable {
        public let cipher: EKTCipher
        public let key: [UInt8]
        public let spi: UInt16
    }

    /// `<repo>/Vectors`, from `<repo>/Tests/Fuzz/Sources/FuzzSupport/VectorKeys.swift`.
    static let directory = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Vectors", isDirectory: true)

    /// The SRTP master key and salt of each profile in `swift_perc_profiles.json` (one pair per
    /// profile).
    public static let srtpMaster: [SRTPProfile: MasterKey] = {
        var keys: [SRTPProfile: MasterKey] = [:]
        for vector in vectors(in: "swift_perc_profiles.json") {
            guard let name = vector["profile"] as? String, let profile = SRTPProfile(rawValue: name)
            else { continue }
            keys[profile] = MasterKey(
                key: hex(vector["master_key"]), salt: hex(vector["master_salt"]))
        }
        fuzzCheck(keys.count == SRTPProfile.allCases.count, "a vector key for every profile")
        return keys
    }()

    /// The EKT keys of the `ekt_field` vectors in `spec_worked_example.json`.
    public static let ekt: [EKTKey] = {
        let keys = vectors(in: "spec_worked_example.json").compactMap { vector -> EKTKey? in
            guard vector["kind"] as? String == "ekt_field",
                let name = vector["cipher"] as? String, let cipher = EKTCipher(rawValue: name),
                let spi = vector["spi"] as? Int
            else { return nil }
            return EKTKey(cipher: cipher, key: hex(vector["ekt_key"]), spi: UInt16(spi))
        }
        fuzzCheck(!keys.isEmpty, "an ekt_field vector")
        return keys
    }()

    /// The double SRTP keys of `spec_worked_example.json`: the sender's double key (inner ‖ outer),
    /// and the distributor's ingress and egress hop keys.
    public struct DoubleKeys: Sendable {
        public let profile: DoubleSRTPProfile
        public let sender: MasterKey
        public let ingress: MasterKey
        public let egress: MasterKey
    }

    public static let double: DoubleKeys = {
        let all = vectors(in: "spec_worked_example.json")
        guard let packet = all.first(where: { $0["kind"] as? String == "double_srtp_packet" }),
            let relay = all.first(where: { $0["kind"] as? String == "double_relay" }),
            let name = packet["profile"] as? String, let profile = DoubleSRTPProfile(rawValue: name)
        else { fatalError("spec_worked_example.json lacks its double vectors") }
        return DoubleKeys(
            profile: profile,
            sender: MasterKey(key: hex(packet["master_key"]), salt: hex(packet["master_salt"])),
            ingress: MasterKey(
                key: hex(relay["ingress_outer_key"]), salt: hex(relay["ingress_outer_salt"])),
            egress: MasterKey(
                key: hex(relay["egress_outer_key"]), salt: hex(relay["egress_outer_salt"])))
    }()

    private static func vectors(in file: String) -> [[String: Any]] {
        let url = directory.appendingPathComponent(file)
        guard let data = try? Data(contentsOf: url),
            let root = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
            let vectors = root["vectors"] as? [[String: Any]]
        else { fatalError("cannot read the vector file \(url.path)") }
        return vectors
    }

    private static func hex(_ value: Any?) -> [UInt8] {
        guard let text = value as? String, text.count % 2 == 0 else {
            fatalError("not a hex string: \(String(describing: value))")
        }
        var bytes: [UInt8] = []
        var index = text.startIndex
        while index < text.endIndex {
            let next = text.index(index, offsetBy: 2)
            guard let byte = UInt8(text[index..<next], radix: 16) else {
                fatalError("not a hex string: \(text)")
            }
            bytes.append(byte)
            index = next
        }
        return bytes
    }
}
