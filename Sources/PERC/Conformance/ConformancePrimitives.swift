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
        throw .unsupported("key derivation not built yet")
    }

    /// One 16-octet AES counter-mode keystream block: AES(key, (iv + block) mod 2^128)
    /// (RFC 3711 §4.1.1). `key` is 16, 24 or 32 octets; `iv` 16 octets.
    public static func aesCounterKeystreamBlock(key: [UInt8], iv: [UInt8], block: UInt64)
        throws(SRTPError) -> [UInt8]
    {
        throw .unsupported("AES-CM keystream not built yet")
    }

    /// The 12-octet SRTP AEAD IV (RFC 7714 §8.1).
    public static func rtpAEADNonce(salt: [UInt8], ssrc: UInt32, roc: UInt32, sequence: UInt16)
        -> [UInt8]
    {
        []
    }

    /// The 12-octet SRTCP AEAD IV (RFC 7714 §9.1).
    public static func rtcpAEADNonce(salt: [UInt8], ssrc: UInt32, srtcpIndex: UInt32) -> [UInt8] {
        []
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
        throw SRTPError.unsupported("session keys not built yet")
    }
}

extension SRTPSession {
    /// Sets the SRTCP index the next RTCP packet protected for `ssrc` carries (RFC 3711 §3.4: the
    /// index is explicit on the wire), so a sender reproduces a vector's `srtcp_index`. Throws
    /// `.unsupported` from an engine that cannot set it.
    @_spi(Conformance) public func setNextSRTCPIndex(_ index: UInt32, ssrc: UInt32)
        throws(SRTPError)
    {
        throw .unsupported("setting the SRTCP index not built yet")
    }
}
