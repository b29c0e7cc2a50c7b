@testable import PERC

/// Hex helpers and fixtures shared by the EKT, key wrap, Encryption-Key and DTLS EKT tests.
/// Namespaced so other areas' test helpers cannot collide with them.
enum EKTTestSupport {
    /// Octets from lowercase or uppercase hex; spaces are ignored.
    static func bytes(_ hex: String) -> [UInt8] {
        let digits = hex.filter { !$0.isWhitespace }.map { $0.hexDigitValue! }
        precondition(digits.count % 2 == 0, "odd hex length")
        return stride(from: 0, to: digits.count, by: 2).map {
            UInt8(digits[$0] << 4 | digits[$0 + 1])
        }
    }

    static func hex(_ bytes: [UInt8]) -> String {
        bytes.map {
            String($0, radix: 16).count == 1 ? "0" + String($0, radix: 16) : String($0, radix: 16)
        }
        .joined()
    }

    /// The spec's worked EKT example (spec/ekt.md §4.1, vectors/spec_worked_example.json
    /// `spec-ekt-example`): AESKW128, SPI 1, epoch 0, SSRC 0xcafebabe, ROC 0.
    enum SpecExample {
        static let ektKey = bytes("0f0e0d0c0b0a09080706050403020100")
        static let spi: UInt16 = 1
        static let epoch: UInt16 = 0
        static let masterKey = bytes("000102030405060708090a0b0c0d0e0f")
        static let ssrc: UInt32 = 3_405_691_582
        static let roc: UInt32 = 0
        static let field = bytes(
            "acb8fc4a7a41ca0da3456600e11d1a9e1321d79d80931a33ccd065a7406a0c29251e7dfe69bf49cc"
                + "00010000002f02")
        static let salt = bytes("a0a1a2a3a4a5a6a7a8a9aaab")
    }
}
