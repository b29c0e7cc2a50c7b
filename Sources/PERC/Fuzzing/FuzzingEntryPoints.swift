/// Entry points for the libFuzzer targets in `Tests/Fuzz/`: they reach parsers that are internal
/// (RTP/RTCP headers, the EKT receive step) so a target can hit them directly instead of through
/// a whole packet transform. They sit behind `@_spi(Fuzzing)`, are not part of the library's API,
/// and return only what travels on the wire, never key bytes.
@_spi(Fuzzing) public enum FuzzingEntryPoints {
    // MARK: RTP / RTCP headers

    /// The fields `RTPHeader` read from a packet.
    public struct RTPHeaderFields: Sendable, Equatable {
        public let hasPadding: Bool
        public let hasExtension: Bool
        public let csrcCount: Int
        public let marker: Bool
        public let payloadType: UInt8
        public let sequenceNumber: UInt16
        public let timestamp: UInt32
        public let ssrc: UInt32
        /// Fixed header, CSRC list and extension block (RFC 3550 §5.1, §5.3.1).
        public let headerLength: Int

        public init(
            hasPadding: Bool, hasExtension: Bool, csrcCount: Int, marker: Bool,
            payloadType: UInt8, sequenceNumber: UInt16, timestamp: UInt32, ssrc: UInt32,
            headerLength: Int
        ) {
            self.hasPadding = hasPadding
            self.hasExtension = hasExtension
            self.csrcCount = csrcCount
            self.marker = marker
            self.payloadType = payloadType
            self.sequenceNumber = sequenceNumber
            self.timestamp = timestamp
            self.ssrc = ssrc
            self.headerLength = headerLength
        }
    }

    /// Parses the RTP header of `packet` (all of `packet` is the packet), as every SRTP call does
    /// first.
    public static func parseRTPHeader(_ packet: UnsafeRawBufferPointer) throws(SRTPError)
        -> RTPHeaderFields
    {
        let header = try RTPHeader(parsing: packet, length: packet.count)
        return RTPHeaderFields(
            hasPadding: header.hasPadding, hasExtension: header.hasExtension,
            csrcCount: header.csrcCount, marker: header.marker, payloadType: header.payloadType,
            sequenceNumber: header.sequenceNumber, timestamp: header.timestamp,
            ssrc: header.ssrc, headerLength: header.length)
    }

    /// Checks the RTP padding of the plaintext `packet`, as `protectRTP` does after parsing.
    public static func validateRTPPadding(_ packet: UnsafeRawBufferPointer) throws(SRTPError) {
        let header = try RTPHeader(parsing: packet, length: packet.count)
        try header.validatePadding(packet, packetLength: packet.count)
    }

    /// Parses the clear RTCP header of `packet` and returns its SSRC.
    public static func parseRTCPHeader(_ packet: UnsafeRawBufferPointer) throws(SRTPError)
        -> UInt32
    {
        try RTCPHeader(parsing: packet, length: packet.count).ssrc
    }

    // MARK: EKT receive

    /// What a received FullEKTField delivered, without the key bytes.
    public struct ReceivedEKTKey: Sendable, Equatable {
        public let ssrc: UInt32
        public let roc: UInt32
        public let spi: UInt16
        public let epoch: UInt16
        public let masterKeyLength: Int
    }

    /// RFC 8870 §4.3.2 steps 2–6 for `field` arriving on a packet of `packetSSRC` in `scope`, for a
    /// transform whose master key is `expectedMasterKeyLength` octets: the receiver's unwrap
    /// through the key store. The unwrapped key is wiped before this returns.
    public static func receiveFullEKTField(
        _ field: FullEKTField, in store: KeyStore, scope: KeyScope, packetSSRC: UInt32,
        expectedMasterKeyLength: Int
    ) throws(EKTError) -> ReceivedEKTKey {
        let unwrapped = try store.unwrapFullEKTField(
            field, scope: scope, packetSSRC: packetSSRC,
            expectedMasterKeyLength: expectedMasterKeyLength)
        defer {
            unwrapped.masterKey.wipe()
            unwrapped.masterSalt.wipe()
        }
        return ReceivedEKTKey(
            ssrc: unwrapped.ssrc, roc: unwrapped.roc, spi: unwrapped.spi, epoch: unwrapped.epoch,
            masterKeyLength: unwrapped.masterKey.count)
    }

    // MARK: Original Header Block

    /// Parses the Original Header Block ending `bytes` (RFC 8723 §4), as a receiver and a
    /// distributor do after opening the outer layer, and returns the block written back out:
    /// an accepted block must re-encode to exactly the octets it was parsed from.
    public static func reencodeOriginalHeaderBlock(_ bytes: UnsafeRawBufferPointer)
        throws(DoubleSRTPError) -> [UInt8]
    {
        let block = try OriginalHeaderBlock(parsingEndOf: bytes, end: bytes.count, start: 0)
        var out = [UInt8](repeating: 0, count: block.encodedLength)
        out.withUnsafeMutableBytes { block.write(into: $0, at: 0) }
        return out
    }
}
