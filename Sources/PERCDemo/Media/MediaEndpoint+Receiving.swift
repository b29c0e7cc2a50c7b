import PERC

extension MediaEndpoint {
    /// The receive side's counters and hook, behind the endpoint's lock.
    struct ReceiveState {
        var counters = Counters()
        var onVerifiedFrame: (@Sendable (VerifiedFrame) -> Void)?

        /// Receives one datagram from the distributor (RFC 8871: EKT field, outer layer, OHB,
        /// inner layer), verifies the frame and counts the outcome; on the socket's event loop.
        static func receive(
            _ datagram: [UInt8], with receiver: PERCReceiver, into state: Locked<ReceiveState>
        ) {
            let ssrc = RTPHeaderLayout.ssrc(of: datagram[...])
            var packet = datagram
            let received: PERCReceived
            do {
                received = try receiver.receive(&packet)
            } catch {
                state.withLock { $0.count(RefusalKind(error), ssrc: ssrc) }
                return
            }
            let media = received.media
            let frame: SyntheticFrame
            do {
                frame = try SyntheticFrame.verify(
                    packet[media.payloadRange], ssrc: media.ssrc,
                    payloadType: media.originalPayloadType)
            } catch {
                state.withLock { $0.count(.frameMismatch, ssrc: media.ssrc) }
                return
            }
            let verified = VerifiedFrame(
                ssrc: media.ssrc, frameNumber: frame.frameNumber, kind: frame.kind,
                spi: received.spi, epoch: received.epoch, outerPayloadType: media.outerPayloadType,
                outerSequenceNumber: media.outerSequenceNumber,
                originalPayloadType: media.originalPayloadType,
                originalSequenceNumber: media.originalSequenceNumber)
            let hook = state.withLock { state in
                state.count(verified)
                return state.onVerifiedFrame
            }
            hook?(verified)
        }

        private mutating func count(_ refusal: RefusalKind, ssrc: UInt32?) {
            guard let ssrc else {
                counters.unattributedRefusals += 1
                return
            }
            counters.senders[ssrc, default: SenderCounters()].received += 1
            counters.senders[ssrc, default: SenderCounters()].refused[refusal, default: 0] += 1
        }

        private mutating func count(_ frame: VerifiedFrame) {
            var sender = counters.senders[frame.ssrc, default: SenderCounters()]
            sender.received += 1
            sender.verified += 1
            sender.verifiedBySPI[frame.spi, default: 0] += 1
            sender.outerPayloadTypes[frame.outerPayloadType, default: 0] += 1
            if let last = sender.lastOuterSequenceNumber, frame.outerSequenceNumber != last &+ 1 {
                sender.outerSequenceBreaks += 1
                sender.missingOuterSequenceNumbers += Int(frame.outerSequenceNumber &- last &- 1)
            }
            sender.lastOuterSequenceNumber = frame.outerSequenceNumber
            sender.lastFrameNumber = frame.frameNumber
            counters.senders[frame.ssrc] = sender
        }
    }
}
