extension UDPMediaDistributor {
    /// What the distributor did, since it started.
    public struct Counters: Sendable, Equatable, CustomStringConvertible {
        /// Datagrams received on the socket.
        public var datagramsIn = 0
        /// Copies sent to receivers (one per receiver per packet).
        public var forwarded = 0
        /// Packets received and opened but forwarded to no one: the sender is dropped
        /// (selective forwarding), or the hold-back queue was full.
        public var dropped = 0
        /// Datagrams from an address that is no participant's (or no longer a sender).
        public var unknownSource = 0
        /// Datagrams whose hop (outer) tag did not verify with the sender's ingress key.
        public var refusedByOuterAuth = 0
        /// Datagrams refused on the ingress for another reason (replay, malformed, EKT field).
        public var refusedOther = 0
        /// Copies that could not be sealed for a receiver.
        public var forwardFailures = 0
        /// Copies whose inner ciphertext was altered on purpose (`tamperNext`).
        public var tampered = 0
        /// Packets held back now (`holdBack`).
        public var held = 0
        /// Opened packets in which a synthetic frame's plaintext marker was visible: must stay 0.
        public var plaintextSeen = 0
        /// Live `.srtpMaster` and `.ekt` keys in the distributor's store: must stay 0.
        public var endToEndKeysHeld = 0

        public var description: String {
            "in \(datagramsIn), forwarded \(forwarded), dropped \(dropped), unknown source "
                + "\(unknownSource), outer auth refused \(refusedByOuterAuth), other refused "
                + "\(refusedOther), forward failures \(forwardFailures), tampered \(tampered), "
                + "held \(held), plaintext seen \(plaintextSeen), end-to-end keys held "
                + "\(endToEndKeysHeld)"
        }
    }
}
