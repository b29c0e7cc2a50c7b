/// The RTP header fields a Media Distributor may change (RFC 8723 §4): everything else in the
/// header must reach the receiver as the sender wrote it.
struct ModifiableHeaderFields: Equatable, Sendable {
    var payloadType: UInt8
    var sequenceNumber: UInt16
    var marker: Bool

    init(payloadType: UInt8, sequenceNumber: UInt16, marker: Bool) {
        self.payloadType = payloadType
        self.sequenceNumber = sequenceNumber
        self.marker = marker
    }

    init(_ header: RTPHeader) {
        self.init(
            payloadType: header.payloadType, sequenceNumber: header.sequenceNumber,
            marker: header.marker)
    }

    /// Writes the fields into the RTP header at the start of `packet` (octets 1–3).
    func write(into packet: UnsafeMutableRawBufferPointer) {
        packet[1] = (marker ? 0x80 : 0) | payloadType
        packet[2] = UInt8(truncatingIfNeeded: sequenceNumber >> 8)
        packet[3] = UInt8(truncatingIfNeeded: sequenceNumber)
    }
}

/// The Original Header Block (RFC 8723 §4): the original values of the header fields a Media
/// Distributor changed, carried inside the outer encryption after the inner tag.
///
/// ```
/// OHB = [ PT ] [ SEQ ] Config          (1–4 octets, Config last)
///
///   Config:  7   6   5   4   3   2   1   0
///          +---+---+---+---+---+---+---+---+
///          | R | R | R | R | B | M | P | Q |
///          +---+---+---+---+---+---+---+---+
///   R reserved, 0 · B original marker · M marker recorded · P PT recorded · Q SEQ recorded
/// ```
/// A sender always writes the empty block, Config 0x00 (RFC 8723 §5.1 step 5).
struct OriginalHeaderBlock: Equatable, Sendable {
    /// The longest block: PT, SEQ and Config.
    static let maxLength = 4

    /// The original payload type, if a distributor changed it.
    var payloadType: UInt8?
    /// The original sequence number, if a distributor changed it.
    var sequenceNumber: UInt16?
    /// The original marker bit, if a distributor changed it.
    var marker: Bool?

    /// Config octet bits (RFC 8723 §4).
    private enum Config {
        static let reserved: UInt8 = 0xF0
        static let originalMarker: UInt8 = 0x08  // B
        static let markerPresent: UInt8 = 0x04  // M
        static let payloadTypePresent: UInt8 = 0x02  // P
        static let sequencePresent: UInt8 = 0x01  // Q
    }

    static let empty = OriginalHeaderBlock()

    var config: UInt8 {
        var config: UInt8 = 0
        if let marker {
            config |= Config.markerPresent
            if marker { config |= Config.originalMarker }
        }
        if payloadType != nil { config |= Config.payloadTypePresent }
        if sequenceNumber != nil { config |= Config.sequencePresent }
        return config
    }

    var encodedLength: Int { 1 + (payloadType == nil ? 0 : 1) + (sequenceNumber == nil ? 0 : 2) }

    init(payloadType: UInt8? = nil, sequenceNumber: UInt16? = nil, marker: Bool? = nil) {
        self.payloadType = payloadType
        self.sequenceNumber = sequenceNumber
        self.marker = marker
    }

    /// Parses the block that ends just before `end` in `bytes`, reading backwards and never
    /// before `start` (RFC 8723 §4; the block is the tail of the outer plaintext, §5.3 step 3).
    init(parsingEndOf bytes: UnsafeRawBufferPointer, end: Int, start: Int)
        throws(DoubleSRTPError)
    {
        guard end - start >= 1 else { throw .malformed(.truncated) }
        let config = bytes[end - 1]
        // RFC 8723 §4: reserved bits MUST be 0 (a receiver's handling is unstated; we refuse).
        guard config & Config.reserved == 0 else {
            throw .invalidOriginalHeaderBlock(.reservedBits)
        }
        // RFC 8723 §4: B MUST be 0 when M is 0. (The RFC's "(C & 0x0C) MUST NOT have the value
        // 0x80" can never match; 0x08 is the value meant.)
        guard config & (Config.originalMarker | Config.markerPresent) != Config.originalMarker
        else { throw .invalidOriginalHeaderBlock(.markerValueWithoutFlag) }
        var position = end - 1
        if config & Config.sequencePresent != 0 {
            guard position - start >= 2 else { throw .malformed(.truncated) }
            position -= 2
            sequenceNumber = bytes.loadBigEndianUInt16(at: position)
        }
        if config & Config.payloadTypePresent != 0 {
            guard position - start >= 1 else { throw .malformed(.truncated) }
            position -= 1
            // An RTP payload type is 7 bits (RFC 3550 §5.1); the OHB octet's high bit is unused.
            guard bytes[position] & 0x80 == 0 else {
                throw .invalidOriginalHeaderBlock(.payloadTypeHighBit)
            }
            payloadType = bytes[position]
        }
        if config & Config.markerPresent != 0 {
            marker = config & Config.originalMarker != 0
        }
    }

    /// Writes the block at `offset`: PT, SEQ, Config (RFC 8723 §4).
    func write(into bytes: UnsafeMutableRawBufferPointer, at offset: Int) {
        var position = offset
        if let payloadType {
            bytes[position] = payloadType
            position += 1
        }
        if let sequenceNumber {
            bytes[position] = UInt8(truncatingIfNeeded: sequenceNumber >> 8)
            bytes[position + 1] = UInt8(truncatingIfNeeded: sequenceNumber)
            position += 2
        }
        bytes[position] = config
    }

    /// The sender's values of a header whose fields are now `current` (RFC 8723 §5.3 step 4).
    func originals(of current: ModifiableHeaderFields) -> ModifiableHeaderFields {
        ModifiableHeaderFields(
            payloadType: payloadType ?? current.payloadType,
            sequenceNumber: sequenceNumber ?? current.sequenceNumber,
            marker: marker ?? current.marker)
    }

    /// The block after a distributor changes the header fields from `current` to `new`
    /// (RFC 8723 §5.2 step 3), field by field:
    /// - not changed by this distributor → the entry stays exactly as it is (MUST NOT modify);
    /// - changed and not yet recorded → the value it had is recorded (MUST add); with a chain of
    ///   distributors only the first to change a field records it;
    /// - changed back to the recorded original → the entry is removed (SHOULD remove);
    /// - changed to yet another value → the recorded original stays.
    func updated(from current: ModifiableHeaderFields, to new: ModifiableHeaderFields)
        -> OriginalHeaderBlock
    {
        OriginalHeaderBlock(
            payloadType: Self.entry(
                payloadType, current: current.payloadType, new: new.payloadType),
            sequenceNumber: Self.entry(
                sequenceNumber, current: current.sequenceNumber, new: new.sequenceNumber),
            marker: Self.entry(marker, current: current.marker, new: new.marker))
    }

    private static func entry<T: Equatable>(_ recorded: T?, current: T, new: T) -> T? {
        guard new != current else { return recorded }
        guard let original = recorded else { return current }
        return new == original ? nil : original
    }
}
