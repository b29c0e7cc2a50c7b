extension MediaDistributor {
    /// The header values a distributor sets on a packet it forwards (RFC 8723 §4: PT, SEQ and
    /// the marker are the only fields it may change). `nil` leaves a field as received.
    public struct HeaderRewrite: Sendable, Equatable {
        public var payloadType: UInt8?
        public var sequenceNumber: UInt16?
        public var marker: Bool?

        public init(payloadType: UInt8? = nil, sequenceNumber: UInt16? = nil, marker: Bool? = nil) {
            self.payloadType = payloadType
            self.sequenceNumber = sequenceNumber
            self.marker = marker
        }

        /// Forward the header as received.
        public static let none = HeaderRewrite()

        func validate() throws(DoubleSRTPError) {
            if let payloadType, payloadType > 0x7F {
                throw .invalidArgument("payload type \(payloadType) is not 7 bits")
            }
        }

        func applied(to current: ModifiableHeaderFields) -> ModifiableHeaderFields {
            ModifiableHeaderFields(
                payloadType: payloadType ?? current.payloadType,
                sequenceNumber: sequenceNumber ?? current.sequenceNumber,
                marker: marker ?? current.marker)
        }
    }

    /// A packet whose ingress layer `open` removed, ready to be copied and `forward`ed to any
    /// number of egresses. The buffer holds:
    /// ```
    ///  | header (ext) | inner ciphertext | inner tag | OHB | EKT field (if EKT is in use) |
    /// ```
    /// The inner layer is still in place: nothing here is media.
    public struct OpenedPacket: Sendable, Equatable {
        /// Length of the opened packet in the buffer.
        public let length: Int
        public let ssrc: UInt32
        /// The header values as received on the ingress.
        public let payloadType: UInt8
        public let sequenceNumber: UInt16
        public let marker: Bool
        /// The sender's values as the OHB records them (the received ones where it records
        /// none). Claims of earlier hops: only receivers verify them, end to end.
        public let originalPayloadType: UInt8
        public let originalSequenceNumber: UInt16
        public let originalMarker: Bool
    }
}
