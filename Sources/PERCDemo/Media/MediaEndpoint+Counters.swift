extension MediaEndpoint {
    /// What one endpoint sent and received, since it started.
    public struct Counters: Sendable, Equatable, CustomStringConvertible {
        /// Frames protected and sent to the distributor.
        public var framesSent = 0
        /// Frames the sender refused to protect (e.g. its EKT key was revoked).
        public var sendFailures = 0
        /// Per sender SSRC (as the packet header names it).
        public var senders: [UInt32: SenderCounters] = [:]
        /// Refused datagrams too short to name an SSRC.
        public var unattributedRefusals = 0
        /// Datagrams from an address other than the distributor's, ignored.
        public var foreignDatagrams = 0

        /// Frames verified end to end, from every sender.
        public var verified: Int { senders.values.reduce(0) { $0 + $1.verified } }

        /// Frames verified under an EKT key whose SPI is in `spis`, from every sender.
        public func verified(underAnyOf spis: Set<UInt16>) -> Int {
            senders.values.reduce(0) { sum, sender in
                sum + sender.verifiedBySPI.filter { spis.contains($0.key) }.values.reduce(0, +)
            }
        }

        /// Refusals of `kind`, from every sender.
        public func refused(_ kind: RefusalKind) -> Int {
            senders.values.reduce(0) { $0 + $1.refused[kind, default: 0] }
        }

        /// Every refusal, attributed or not.
        public var refusedTotal: Int {
            senders.values.reduce(unattributedRefusals) { $0 + $1.refusedTotal }
        }

        public var description: String {
            "sent \(framesSent), verified \(verified), refused \(refusedTotal) ("
                + RefusalKind.allCases.map { "\($0) \(refused($0))" }.joined(separator: ", ")
                + ")"
        }
    }

    /// What an endpoint received from one sender SSRC.
    public struct SenderCounters: Sendable, Equatable {
        /// Datagrams naming this SSRC.
        public var received = 0
        /// Frames that passed both layers and the payload check.
        public var verified = 0
        /// Verified frames per SPI of the EKT key that delivered their end-to-end key.
        public var verifiedBySPI: [UInt16: Int] = [:]
        /// Refused datagrams by kind.
        public var refused: [RefusalKind: Int] = [:]
        /// Verified frames per PT as the distributor sent it (the sender's PT is checked end to
        /// end by the payload check).
        public var outerPayloadTypes: [UInt8: Int] = [:]
        /// Verified frames whose outer SEQ is not the previous verified one + 1: the
        /// distributor's numbering is contiguous unless packets were lost or refused.
        public var outerSequenceBreaks = 0
        /// The outer SEQs skipped between consecutive verified frames, in all: the packets the
        /// distributor numbered for this receiver that were lost or refused.
        public var missingOuterSequenceNumbers = 0
        /// The outer SEQ of the last verified frame.
        public var lastOuterSequenceNumber: UInt16?
        /// The frame number of the last verified frame.
        public var lastFrameNumber: UInt64?

        public var refusedTotal: Int { refused.values.reduce(0, +) }
    }

    /// A frame verified end to end, as the endpoint's `onVerifiedFrame` hook reports it.
    public struct VerifiedFrame: Sendable, Equatable {
        public let ssrc: UInt32
        public let frameNumber: UInt64
        public let kind: SyntheticFrame.Kind
        /// The SPI and epoch of the key that authenticated it (RFC 8870 §4.1, §4.2).
        public let spi: UInt16
        public let epoch: UInt16
        /// The header as the distributor sent it, and the sender's PT and SEQ (from the OHB,
        /// verified end to end).
        public let outerPayloadType: UInt8
        public let outerSequenceNumber: UInt16
        public let originalPayloadType: UInt8
        public let originalSequenceNumber: UInt16
    }
}
