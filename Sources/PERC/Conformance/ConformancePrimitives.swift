internal import CPERCShims

/// Entry points that only the conformance runner and tests use: they take or return raw key
/// material, so they sit behind `@_spi(Conformance)` and are not part of the library's API.
@_spi(Conformance) public enum SRTPPrimitives {
    /// Key derivation labels (RFC 3711 §4.3.2).
    public enum KDFLabel: UInt8, Sendable, CaseIterable {
        case rtpEncryption = 0x00
        case rtpAuthentication = 0x01
        case rtpSalt = 0x02
        case rtcpEncryption = 0x03
        case rtcpAuthentication = 0x04
        case rtcpSalt = 0x05
    }

    /// The first `length` octets the SRTP KDF derives for `label` (RFC 3711 §4.3.1, RFC 6188 §3).
    /// The PRF's AES key size is the master key's length (16, 24 or 32 octets); `masterSalt` is 14
    /// octets, or 12 (GCM) padded with two zero octets.
    public static func deriveSessionKey(
        masterKey: [UInt8], masterSalt: [UInt8], label: KDFLabel, index: UInt64,
        keyDerivationRate: UInt64, length: Int
    ) throws(SRTPError) -> [UInt8] {
        guard length >= 0 else { throw .invalidArgument("negative length") }
        let r = try SRTPKeyDerivation.r(index: index, keyDerivationRate: keyDerivationRate)
        var output = [UInt8](repeating: 0, count: length)
        let status = output.withUnsafeMutableBytes { out in
            masterKey.withUnsafeBytes { key in
                masterSalt.withUnsafeBytes { salt in
                    Result { () throws(SRTPError) in
                        try SRTPKeyDerivation.derive(
                            masterKey: key, masterSalt: salt, label: label.rawValue, r: r,
                            into: out)
                    }
                }
            }
        }
        try status.get()
        return output
    }

    /// One 16-octet AES counter-mode keystream block: AES(key, (iv + block) mod 2^128)
    /// (RFC 3711 §4.1.1). `key` is 16, 24 or 32 octets; `iv` 16 octets.
    public static func aesCounterKeystreamBlock(key: [UInt8], iv: [UInt8], block: UInt64)
        throws(SRTPError) -> [UInt8]
    {
        guard [16, 24, 32].contains(key.count) else {
            throw .invalidArgument("key must be 16, 24 or 32 octets")
        }
        guard iv.count == 16 else { throw .invalidArgument("IV must be 16 octets") }
        // The counter block (iv + block) mod 2^128, big-endian.
        var counter = iv
        var carry = block
        for position in stride(from: 15, through: 0, by: -1) where carry != 0 {
            let sum = UInt64(counter[position]) + (carry & 0xFF)
            counter[position] = UInt8(truncatingIfNeeded: sum)
            carry = (carry >> 8) + (sum >> 8)
        }
        var output = [UInt8](repeating: 0, count: 16)
        let status = output.withUnsafeMutableBytes { out in
            key.withUnsafeBytes { k in
                counter.withUnsafeBytes { c in
                    perc_aes_ctr_keystream(k.octets, k.count, c.octets, out.octets, out.count)
                }
            }
        }
        guard status == PERC_OK else { throw .underlying(library: "OpenSSL", code: status) }
        return output
    }

    /// The 12-octet SRTP AEAD IV (RFC 7714 §8.1); empty if `salt` is not 12 octets.
    public static func rtpAEADNonce(salt: [UInt8], ssrc: UInt32, roc: UInt32, sequence: UInt16)
        -> [UInt8]
    {
        aeadNonce(salt: salt, ssrc: ssrc, index: UInt64(roc) << 16 | UInt64(sequence))
    }

    /// The 12-octet SRTCP AEAD IV (RFC 7714 §9.1); empty if `salt` is not 12 octets or the index
    /// exceeds 31 bits.
    public static func rtcpAEADNonce(salt: [UInt8], ssrc: UInt32, srtcpIndex: UInt32) -> [UInt8] {
        guard srtcpIndex < OutboundStream.srtcpIndexLimit else { return [] }
        return aeadNonce(salt: salt, ssrc: ssrc, index: UInt64(srtcpIndex))
    }

    private static func aeadNonce(salt: [UInt8], ssrc: UInt32, index: UInt64) -> [UInt8] {
        guard salt.count == 12 else { return [] }
        var iv = [UInt8](repeating: 0, count: 12)
        iv.withUnsafeMutableBytes { out in
            salt.withUnsafeBytes { perc_srtp_gcm_iv($0.octets, ssrc, index, out.octets) }
        }
        return iv
    }
}

extension SRTPSession {
    /// A session keyed with session keys given directly instead of derived from a master key, as
    /// the RFC 7714 test vectors do. The same keys serve SRTP and SRTCP (RFC 7714 vectors); the
    /// authentication key is empty for AEAD profiles. The OpenSSL engine only.
    @_spi(Conformance) public convenience init(
        sessionEncryptionKey: [UInt8], sessionSalt: [UInt8], sessionAuthenticationKey: [UInt8],
        configuration: Configuration
    ) throws {
        try configuration.validate()
        guard configuration.engine == .openSSL else {
            throw SRTPError.unsupported("session keys are accepted by the OpenSSL engine only")
        }
        let engine = try sessionEncryptionKey.withUnsafeBytes { encryption in
            try sessionSalt.withUnsafeBytes { salt in
                try sessionAuthenticationKey.withUnsafeBytes { authentication in
                    try OpenSSLEngine(
                        configuration: configuration,
                        keys: .session(
                            encryption: encryption, salt: salt, authentication: authentication))
                }
            }
        }
        self.init(engine: engine, configuration: configuration)
    }

    /// Sets the SRTCP index the next RTCP packet protected for `ssrc` carries (known-answer
    /// vectors such as RFC 7714 §17 use index 0x5d4). The libsrtp2 engine numbers SRTCP itself
    /// and accepts only the index it would send next anyway.
    @_spi(Conformance) public func setNextSRTCPIndex(_ index: UInt32, ssrc: UInt32)
        throws(SRTPError)
    {
        try withEngine { engine throws(SRTPError) in
            try engine.setNextSRTCPIndex(index, ssrc: ssrc)
        }
    }
}
