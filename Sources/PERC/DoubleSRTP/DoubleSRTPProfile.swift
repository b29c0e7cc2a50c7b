/// A double SRTP transform (RFC 8723 §8, §10.1): an end-to-end (inner) AES-GCM layer inside a
/// hop-by-hop (outer) AES-GCM layer, as PERC uses it (RFC 8871).
///
/// Raw values are the IANA names. The double master key and salt are the inner half followed by
/// the outer half (RFC 8723 §3, §10.1); each half is an ordinary RFC 7714 AEAD master key and
/// salt, derived on its own with the SRTP KDF (RFC 8723 §3.1):
/// ```
/// double master key : | inner key (16 or 32)  | outer key (16 or 32)  |
/// double master salt: | inner salt (12)       | outer salt (12)       |
/// ```
/// The library holds the halves as two keys: the inner one a `KeyHandle` (usage `.srtpMaster`),
/// the outer one a `HopKeyHandle` (usage `.srtpHopByHop`).
public enum DoubleSRTPProfile: String, CaseIterable, Sendable, CustomStringConvertible {
    case doubleAEADAES128GCM = "DOUBLE_AEAD_AES_128_GCM_AEAD_AES_128_GCM"
    case doubleAEADAES256GCM = "DOUBLE_AEAD_AES_256_GCM_AEAD_AES_256_GCM"

    public var description: String { rawValue }

    /// The single-layer profile of each half: inner and outer use the same AEAD (RFC 8723 §8).
    public var halfProfile: SRTPProfile {
        switch self {
        case .doubleAEADAES128GCM: .aeadAES128GCM
        case .doubleAEADAES256GCM: .aeadAES256GCM
        }
    }

    /// The DTLS-SRTP protection profile value (RFC 8723 §10.1): {0x00, 0x09} and {0x00, 0x0A}.
    public var protectionProfileID: UInt16 {
        switch self {
        case .doubleAEADAES128GCM: 0x0009
        case .doubleAEADAES256GCM: 0x000A
        }
    }

    /// Length of the whole double master key (inner ‖ outer): 32 or 64 octets.
    public var masterKeyLength: Int { 2 * halfProfile.masterKeyLength }
    /// Length of the whole double master salt (inner ‖ outer): 24 octets.
    public var masterSaltLength: Int { 2 * halfProfile.masterSaltLength }

    /// Length of each GCM tag; never truncated (RFC 7714 §13.2).
    static let tagLength = 16

    /// Octets a sender adds to an RTP packet: inner tag, the empty OHB, outer tag (RFC 8723 §5.1,
    /// §8). The EKT field, if any, comes on top.
    public static let senderOverhead = 2 * tagLength + 1

    /// The most a double packet can carry beyond the sender's RTP packet: both tags and the
    /// longest OHB (RFC 8723 §4: 1–4 octets). Buffers with this much spare room (plus the EKT
    /// field) fit every step: sender, each Media Distributor, receiver.
    public static let maxOverhead = 2 * tagLength + OriginalHeaderBlock.maxLength

    /// The smallest double packet: a fixed RTP header, the two tags and a one-octet OHB.
    static let minimumPacketLength = RTPHeader.fixedLength + senderOverhead
}
