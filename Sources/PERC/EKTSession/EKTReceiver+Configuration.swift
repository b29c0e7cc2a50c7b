extension EKTReceiver {
    /// How an EKT receiver unprotects packets and handles rekeys.
    public struct Configuration: Sendable, Equatable {
        /// The SRTP settings of every sender's stream (profile, replay window, encryption flags).
        /// The engine must be `.openSSL`, and `mki` nil: EKT is not combined with an MKI
        /// (RFC 8870 §4).
        public var srtp: SRTPSession.Configuration
        /// How long older EKT keys stay accepted after the receiver learns of a newer one, so
        /// endpoints that move to the new key at different moments keep hearing each other.
        /// Default 2 s: RFC 8870 §4.6 has senders switch within 250 ms of announcing a key, and
        /// a Key Distributor reaches every endpoint over DTLS within a few round trips; raise it
        /// for slow or lossy signalling.
        public var rekeyOverlap: Duration
        /// How many replaced master keys each SSRC remembers (by keyed fingerprint) to refuse
        /// them if they come back with a forged epoch. Default 32.
        public var retiredKeyHistory: Int

        public init(
            srtp: SRTPSession.Configuration, rekeyOverlap: Duration = .seconds(2),
            retiredKeyHistory: Int = 32
        ) {
            self.srtp = srtp
            self.rekeyOverlap = rekeyOverlap
            self.retiredKeyHistory = retiredKeyHistory
        }

        public init(
            profile: SRTPProfile, rekeyOverlap: Duration = .seconds(2),
            retiredKeyHistory: Int = 32
        ) {
            self.init(
                srtp: .init(profile: profile), rekeyOverlap: rekeyOverlap,
                retiredKeyHistory: retiredKeyHistory)
        }

        public var profile: SRTPProfile { srtp.profile }

        func validate() throws(EKTSessionError) {
            guard srtp.mki == nil else {
                throw .ekt(.invalidArgument("EKT cannot be combined with an SRTP MKI"))
            }
            // Key changes carry the stream's replay history over, which needs the engine's state.
            guard srtp.engine == .openSSL else {
                throw .srtp(.unsupported("EKT receivers run on the OpenSSL engine"))
            }
            do {
                try srtp.validate()
            } catch {
                throw .srtp(error)
            }
            do {
                try Self.validate(rekeyOverlap: rekeyOverlap, retiredKeyHistory: retiredKeyHistory)
            } catch {
                throw .ekt(error)
            }
        }

        /// The checks of the rekey settings, shared with `PERCReceiver.Configuration`.
        static func validate(rekeyOverlap: Duration, retiredKeyHistory: Int) throws(EKTError) {
            guard rekeyOverlap >= .zero else {
                throw .invalidArgument("rekey overlap must not be negative")
            }
            guard retiredKeyHistory >= 1 else {
                throw .invalidArgument("retired key history must hold at least 1 key")
            }
        }
    }
}
