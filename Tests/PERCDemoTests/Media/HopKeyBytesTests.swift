import PERC
import Testing

@testable import PERCDemo

@Suite struct HopKeyBytesTests {
    @Test(arguments: DoubleSRTPProfile.allCases)
    func randomKeysHaveTheHalfProfilesLengths(profile: DoubleSRTPProfile) {
        let bytes = HopKeyBytes.random(for: profile)
        #expect(bytes.key.count == profile.halfProfile.masterKeyLength)
        #expect(bytes.salt.count == 12)
        #expect(bytes.key != HopKeyBytes.random(for: profile).key)
    }

    @Test func printsRedactedAndWipes() {
        var bytes = HopKeyBytes(
            key: Array(repeating: 0xAB, count: 16), salt: Array(repeating: 0xCD, count: 12))
        var dumped = ""
        dump(bytes, to: &dumped)
        for text in [bytes.description, String(reflecting: bytes), "\(bytes)", dumped] {
            #expect(!text.lowercased().contains("ab"), "\(text)")
            #expect(!text.contains("171"), "\(text)")  // 0xAB in decimal
            #expect(!text.contains("205"), "\(text)")  // 0xCD in decimal
        }
        bytes.wipe()
        #expect(bytes.key.isEmpty && bytes.salt.isEmpty)
    }
}
