import PERC

/// How the selector octet of the SRTP targets picks a session configuration. `make_seeds.py`
/// writes the same layout.
///
/// ```
///   7   6   5   4   3   2   1   0
/// +---+---+---+---+---+---+---+---+
/// | target  |MKI|AO |    profile    |
/// +---+---+---+---+---+---+---+---+
/// ```
/// - profile: index into `SRTPProfile.allCases`; 9...15 wrap around (mod 9).
/// - AO: authentication only (`encryptRTP` and `encryptRTCP` false).
/// - MKI: the vectors' MKI `a1b2c3d4` on every packet.
/// - target: two bits the target interprets (engine, packet kind, cross-check).
public struct SessionSelector: Hashable, Sendable {
    /// The MKI of the vectors in `swift_perc_profiles.json`.
    public static let vectorMKI: [UInt8] = [0xA1, 0xB2, 0xC3, 0xD4]

    public let profile: SRTPProfile
    public let authenticationOnly: Bool
    public let usesMKI: Bool
    /// Bits 6 and 7, as 0...3.
    public let targetBits: UInt8

    public init(_ octet: UInt8) {
        profile = SRTPProfile.allCases[Int(octet & 0x0F) % SRTPProfile.allCases.count]
        authenticationOnly = octet & 0x10 != 0
        usesMKI = octet & 0x20 != 0
        targetBits = octet >> 6
    }

    /// The configuration for `engine`.
    public func configuration(engine: SRTPEngineKind) -> SRTPSession.Configuration {
        SRTPSession.Configuration(
            profile: profile, engine: engine, encryptRTP: !authenticationOnly,
            encryptRTCP: !authenticationOnly, mki: usesMKI ? Self.vectorMKI : nil)
    }
}
