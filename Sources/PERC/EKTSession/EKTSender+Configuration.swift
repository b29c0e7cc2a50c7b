extension EKTSender {
    /// How an EKT sender protects its packets and when it sends FullEKTFields.
    public struct Configuration: Sendable, Equatable {
        /// The SRTP settings of the sender's session (profile, engine, replay window, encryption
        /// flags). `mki` must be nil: EKT MUST NOT be combined with an MKI (RFC 8870 §4).
        public var srtp: SRTPSession.Configuration
        /// When FullEKTFields go out (RFC 8870 §4.6).
        public var schedule: EKTSenderSchedule

        public init(srtp: SRTPSession.Configuration, schedule: EKTSenderSchedule = .init()) {
            self.srtp = srtp
            self.schedule = schedule
        }

        public init(profile: SRTPProfile, schedule: EKTSenderSchedule = .init()) {
            self.init(srtp: .init(profile: profile), schedule: schedule)
        }

        public var profile: SRTPProfile { srtp.profile }

        func validate() throws(EKTSessionError) {
            // RFC 8870 §4: senders MUST NOT put an MKI in packets of an EKT stream.
            guard srtp.mki == nil else {
                throw .ekt(.invalidArgument("EKT cannot be combined with an SRTP MKI"))
            }
            do {
                try srtp.validate()
            } catch {
                throw .srtp(error)
            }
            do {
                try schedule.validate()
            } catch {
                throw .ekt(error)
            }
        }

        /// The longest FullEKTField this sender appends: the wrapped master key of the profile
        /// with its SSRC and ROC (RFC 8870 §4.1; 47 octets for 16-octet keys, 63 for 32).
        var fullFieldLength: Int {
            EKTSenderTags.fullFieldLength(wrappedKeyLength: profile.masterKeyLength)
        }
    }
}
