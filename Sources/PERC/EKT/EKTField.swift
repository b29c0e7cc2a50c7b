/// The EKT tag appended to the end of every SRTP packet of an EKT stream (RFC 8870 §4.1): a
/// FullEKTField carrying a wrapped SRTP master key, or the one-octet ShortEKTField.
///
/// It follows the complete SRTP packet (after the authentication tag, or the outer tag of a double
/// packet) and is neither encrypted nor authenticated by SRTP (RFC 8870 §4; RFC 8723 §5.1). EKT is
/// defined for SRTP only; never append it to SRTCP (RFC 8870 §4).
///
/// This is the codec alone: it needs no keys, so a Media Distributor can use it to strip and
/// re-append tags. Unwrapping and building Full fields happen in the key store
/// (`KeyStore.makeFullEKTField`).
public enum EKTField: Sendable, Equatable {
    /// ShortEKTField: the single octet `0x00` (RFC 8870 §4.1).
    case short
    /// FullEKTField, message type `0x02` (RFC 8870 §4.1).
    case full(FullEKTField)

    /// EKTMsgType values (RFC 8870 §4.1, §7.1).
    enum MessageType {
        static let short: UInt8 = 0x00
        /// Unassigned, kept from pre-standard implementations; no length is defined (§7.1).
        static let legacy: UInt8 = 0x01
        static let full: UInt8 = 0x02
        /// Reserved (§7.1); no length is defined.
        static let reserved: UInt8 = 0xFF
    }

    /// Octets the field takes on the wire.
    public var encodedLength: Int {
        switch self {
        case .short: 1
        case .full(let field): field.encodedLength
        }
    }

    // MARK: Parsing

    /// Reads the EKT tag at the end of the first `length` octets of `packet` and returns it with
    /// its length in octets, so the caller can strip it: the SRTP packet is the first
    /// `length − tagLength` octets. Reads only inside `packet[0..<length]`, backwards from the end,
    /// and never follows a length beyond it.
    ///
    /// Throws `EKTError.malformed` for a field that cannot be parsed, and
    /// `EKTError.unknownMessageType` for a tag that is neither Full nor Short (RFC 8870 §4.1: the
    /// whole tag MUST be discarded).
    public static func parse(_ packet: UnsafeRawBufferPointer, length: Int) throws(EKTError) -> (
        field: EKTField, length: Int
    ) {
        guard length >= 1, length <= packet.count else { throw .malformed(.truncated) }
        let type = packet[length - 1]
        switch type {
        case MessageType.short:
            return (.short, 1)
        case MessageType.full:
            let field = try FullEKTField(parsingEndOf: packet, length: length)
            return (.full(field), field.encodedLength)
        case MessageType.legacy, MessageType.reserved:
            throw .unknownMessageType(type, tagLength: nil)
        default:
            throw .unknownMessageType(type, tagLength: extensionLength(packet, length: length))
        }
    }

    /// Reads the EKT tag at the end of `packet`; see `parse(_:length:)`.
    public static func parse(_ packet: [UInt8]) throws(EKTError) -> (field: EKTField, length: Int) {
        let outcome = packet.withUnsafeBytes { bytes in
            Result { () throws(EKTError) in try parse(bytes, length: bytes.count) }
        }
        return try outcome.get()
    }

    /// The length of an ExtensionEKTField (types 3–254), if it fits the packet:
    /// `ExtensionData (1..1024) | EKTMsgLength (2) | EKTMsgType (1)` (RFC 8870 §4.1).
    private static func extensionLength(_ packet: UnsafeRawBufferPointer, length: Int) -> Int? {
        guard length >= 3 else { return nil }
        let messageLength = Int(packet.loadBigEndianUInt16(at: length - 3))
        guard (4...1027).contains(messageLength), messageLength <= length else { return nil }
        return messageLength
    }

    // MARK: Encoding

    /// Writes the field at `offset` in `buffer` (right after the protected SRTP packet) and returns
    /// the new packet length. Nothing is written if it does not fit.
    public func write(into buffer: UnsafeMutableRawBufferPointer, at offset: Int)
        throws(EKTError) -> Int
    {
        guard offset >= 0, buffer.count - offset >= encodedLength else {
            throw .invalidArgument("buffer too small for the EKT field")
        }
        switch self {
        case .short:
            buffer[offset] = MessageType.short
        case .full(let field):
            field.write(into: buffer, at: offset)
        }
        return offset + encodedLength
    }

    /// Appends the field to a protected SRTP packet.
    public func append(to packet: inout [UInt8]) {
        switch self {
        case .short: packet.append(MessageType.short)
        case .full(let field): packet.append(contentsOf: field.bytes)
        }
    }
}

/// A FullEKTField (RFC 8870 §4.1). Nothing in it is secret: the master key travels wrapped.
///
/// ```
///  0                   1                   2                   3
///  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// :                     EKTCiphertext (variable)                  :
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// |              SPI              |             Epoch             |
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// |         EKTMsgLength          |0 0 0 0 0 0 1 0|
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// ```
/// EKTMsgLength counts the whole field, itself and the type octet included:
/// `len(EKTCiphertext) + 7` (RFC 8870 §4.1).
public struct FullEKTField: Sendable, Equatable, CustomStringConvertible {
    /// The octets after the EKTCiphertext: SPI, Epoch, EKTMsgLength, type.
    static let trailerLength = 7
    /// EKTCiphertext bounds: an AES key wrap output is whole 64-bit blocks, at least two
    /// (RFC 5649 §4.1), and the ABNF caps the ciphertext at 251 octets (RFC 8870 §4.1, Figure 3),
    /// so 16...248. (The ABNF's 242-octet master key would need 264; we keep the tighter bound on
    /// both sides.)
    static let ciphertextLengths: ClosedRange<Int> = 16...248

    /// EKTCiphertext: the EKT cipher's output over the EKTPlaintext.
    public let ciphertext: [UInt8]
    /// Selects the EKT parameter set (EKT key, cipher, master salt) (RFC 8870 §4.2).
    public let spi: UInt16
    /// How many SRTP master keys this SSRC sent under this EKT key before this one (RFC 8870 §4.1).
    public let epoch: UInt16

    init(ciphertext: [UInt8], spi: UInt16, epoch: UInt16) throws(EKTError) {
        guard Self.isValidCiphertextLength(ciphertext.count) else {
            throw .malformed(.ciphertextLength)
        }
        self.ciphertext = ciphertext
        self.spi = spi
        self.epoch = epoch
    }

    static func isValidCiphertextLength(_ count: Int) -> Bool {
        ciphertextLengths.contains(count) && count % 8 == 0
    }

    /// EKTMsgLength: octets the field takes on the wire.
    public var encodedLength: Int { ciphertext.count + Self.trailerLength }

    /// The field as it goes on the wire.
    public var bytes: [UInt8] {
        var out = [UInt8](repeating: 0, count: encodedLength)
        out.withUnsafeMutableBytes { write(into: $0, at: 0) }
        return out
    }

    public var description: String {
        "FullEKTField(SPI \(spi), epoch \(epoch), \(ciphertext.count)-octet ciphertext)"
    }

    /// Where a FullEKTField sits at the end of a packet, read without copying: its SPI, epoch and
    /// the range of its EKTCiphertext in the packet. A receiver compares the ciphertext in place
    /// with the one it last processed before building a field (RFC 8870 §4.3.2).
    struct Location: Equatable {
        let spi: UInt16
        let epoch: UInt16
        let ciphertext: Range<Int>

        /// Octets the field takes at the end of the packet.
        var encodedLength: Int { ciphertext.count + FullEKTField.trailerLength }

        /// Reads the trailer of the FullEKTField ending at `length` in `packet`; its type octet is
        /// already known to be Full. Reads backwards, never past `packet[0..<length]`.
        init(endingAt length: Int, in packet: UnsafeRawBufferPointer) throws(EKTError) {
            let end = length
            guard end >= FullEKTField.trailerLength, end <= packet.count else {
                throw .malformed(.truncated)
            }
            let messageLength = Int(packet.loadBigEndianUInt16(at: end - 3))
            // Our sanity checks before trusting EKTMsgLength (spec/ekt.md §6 step 2).
            guard
                messageLength >= FullEKTField.trailerLength
                    + FullEKTField.ciphertextLengths.lowerBound
            else { throw .malformed(.lengthTooSmall) }
            guard messageLength <= end else { throw .malformed(.lengthPastEnd) }
            let ciphertextEnd = end - FullEKTField.trailerLength
            guard FullEKTField.isValidCiphertextLength(ciphertextEnd - (end - messageLength))
            else { throw .malformed(.ciphertextLength) }
            ciphertext = end - messageLength..<ciphertextEnd
            spi = packet.loadBigEndianUInt16(at: ciphertextEnd)
            epoch = packet.loadBigEndianUInt16(at: ciphertextEnd + 2)
        }
    }

    /// Parses the FullEKTField ending at `length` in `packet`; its type octet is already known to
    /// be Full.
    init(parsingEndOf packet: UnsafeRawBufferPointer, length: Int) throws(EKTError) {
        try self.init(at: Location(endingAt: length, in: packet), in: packet)
    }

    /// Copies the field found at `location` out of `packet`.
    init(at location: Location, in packet: UnsafeRawBufferPointer) throws(EKTError) {
        try self.init(
            ciphertext: Array(packet[location.ciphertext]), spi: location.spi,
            epoch: location.epoch)
    }

    /// Writes the field at `offset`; the caller checked the room.
    func write(into buffer: UnsafeMutableRawBufferPointer, at offset: Int) {
        UnsafeMutableRawBufferPointer(rebasing: buffer[offset..<offset + ciphertext.count])
            .copyBytes(from: ciphertext)
        let trailer = offset + ciphertext.count
        buffer.storeBigEndianUInt16(spi, at: trailer)
        buffer.storeBigEndianUInt16(epoch, at: trailer + 2)
        buffer.storeBigEndianUInt16(UInt16(encodedLength), at: trailer + 4)
        buffer[trailer + 6] = EKTField.MessageType.full
    }
}

extension UnsafeMutableRawBufferPointer {
    @inline(__always)
    func storeBigEndianUInt16(_ value: UInt16, at offset: Int) {
        self[offset] = UInt8(truncatingIfNeeded: value >> 8)
        self[offset + 1] = UInt8(truncatingIfNeeded: value)
    }
}
