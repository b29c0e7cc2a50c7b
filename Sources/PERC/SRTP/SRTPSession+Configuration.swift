extension SRTPSession {
    /// How a session protects packets. Fixed for the session's life.
    public struct Configuration: Sendable, Equatable {
        public var profile: SRTPProfile
        /// The implementation doing the cryptography; `.openSSL` unless checking against libsrtp2.
        public var engine: SRTPEngineKind
        /// Replay window in packets, 64...32768 (RFC 3711 §3.3.2 requires at least 64). The default
        /// 1024 keeps NACK retransmissions that arrive up to a second late at 1000 packets/s.
        public var replayWindow: Int
        /// Encrypt SRTP payloads; `false` is authentication-only (RFC 3711 §3.1; RFC 7714 §7.1).
        public var encryptRTP: Bool
        /// Encrypt SRTCP; `false` sends the E bit clear (RFC 3711 §3.4).
        public var encryptRTCP: Bool
        /// The Master Key Identifier carried on every packet, if any (RFC 3711 §3.1), 1...128 octets.
        public var mki: [UInt8]?

        public init(
            profile: SRTPProfile, engine: SRTPEngineKind = .openSSL, replayWindow: Int = 1024,
            encryptRTP: Bool = true, encryptRTCP: Bool = true, mki: [UInt8]? = nil
        ) {
            self.profile = profile
            self.engine = engine
            self.replayWindow = replayWindow
            self.encryptRTP = encryptRTP
            self.encryptRTCP = encryptRTCP
            self.mki = mki
        }

        func validate() throws(SRTPError) {
            guard ReplayWindow.sizes.contains(replayWindow) else {
                throw .invalidArgument(
                    "replay window \(replayWindow) outside \(ReplayWindow.sizes)")
            }
            if let mki, !(1...128).contains(mki.count) {
                throw .invalidArgument("MKI length \(mki.count) outside 1...128")
            }
        }

        var mkiLength: Int { mki?.count ?? 0 }

        /// Octets SRTP adds to an RTP packet: tag and MKI.
        public var maxRTPOverhead: Int { profile.rtpTagLength + mkiLength }
        /// Octets SRTCP adds to an RTCP packet: E‖index word, tag and MKI.
        public var maxRTCPOverhead: Int { 4 + profile.rtcpTagLength + mkiLength }
    }
}
