internal import CPERCShims

/// The session keys of one direction of SRTP or SRTCP, keyed into OpenSSL once.
///
/// Wraps a C `perc_srtp_ctx`: an `EVP_CIPHER_CTX` with the key schedule already computed (per
/// packet only the IV is set), the HMAC-SHA1 inner and outer states precomputed from k_a, and the
/// session salt. The raw keys are not kept. Each method is one C call on caller-owned memory and
/// allocates nothing. `free()` wipes and releases everything; the owner calls it exactly once.
struct OpenSSLCryptoContext {
    private let context: OpaquePointer

    /// Keys a context. `encryptionKey` is ignored for the NULL cipher; `authenticationKey` is
    /// empty for GCM.
    init(
        cipher: SRTPProfile.Cipher, sealing: Bool, encryptionKey: UnsafeRawBufferPointer,
        salt: UnsafeRawBufferPointer, authenticationKey: UnsafeRawBufferPointer
    ) throws(SRTPError) {
        let kind: Int32
        switch cipher {
        case .null: kind = PERC_CIPHER_NULL
        case .aesCounter: kind = PERC_CIPHER_AES_CM
        case .aesGCM: kind = PERC_CIPHER_AES_GCM
        }
        guard
            let context = perc_srtp_ctx_new(
                kind, sealing ? 1 : 0, encryptionKey.octets, encryptionKey.count, salt.octets,
                salt.count, authenticationKey.octets, authenticationKey.count)
        else { throw .underlying(library: "OpenSSL", code: PERC_ERROR) }
        self.context = context
    }

    func free() {
        perc_srtp_ctx_free(context)
    }

    /// AES-CM: XORs the keystream of (SSRC, index) into `region` (RFC 3711 §4.1.1).
    @inline(__always)
    func xorKeystream(ssrc: UInt32, index: UInt64, _ region: UnsafeMutableRawBufferPointer)
        throws(SRTPError)
    {
        let status = perc_ctr_xor(context, ssrc, index, region.octets, region.count)
        guard status == PERC_OK else { throw .underlying(library: "OpenSSL", code: status) }
    }

    /// Writes the leftmost `tag.count` octets of HMAC-SHA1(k_a, message ‖ ROC?) (RFC 3711 §4.2.1).
    @inline(__always)
    func writeTag(
        over message: UnsafeRawBufferPointer, roc: UInt32?, to tag: UnsafeMutableRawBufferPointer
    ) {
        perc_hmac_sha1_tag(
            context, message.octets, message.count, roc ?? 0, roc == nil ? 0 : 1, tag.octets,
            tag.count)
    }

    /// Recomputes the tag and compares it in constant time.
    @inline(__always)
    func verifyTag(over message: UnsafeRawBufferPointer, roc: UInt32?, tag: UnsafeRawBufferPointer)
        throws(SRTPError)
    {
        let status = perc_hmac_sha1_verify(
            context, message.octets, message.count, roc ?? 0, roc == nil ? 0 : 1, tag.octets,
            tag.count)
        try Self.check(status)
    }

    /// AES-GCM: encrypts `data` in place with AAD `aad ‖ aad2` and writes the 16-octet tag.
    @inline(__always)
    func seal(
        ssrc: UInt32, index: UInt64, aad: UnsafeRawBufferPointer,
        aad2: UnsafeRawBufferPointer = .empty, data: UnsafeMutableRawBufferPointer = .empty,
        tag: UnsafeMutableRawBufferPointer
    ) throws(SRTPError) {
        let status = perc_gcm_seal(
            context, ssrc, index, aad.octets, aad.count, aad2.octets, aad2.count, data.octets,
            data.count, tag.octets)
        guard status == PERC_OK else { throw .underlying(library: "OpenSSL", code: status) }
    }

    /// AES-GCM: verifies the tag and decrypts `data` in place; on failure `data` is unchanged.
    @inline(__always)
    func open(
        ssrc: UInt32, index: UInt64, aad: UnsafeRawBufferPointer,
        aad2: UnsafeRawBufferPointer = .empty, data: UnsafeMutableRawBufferPointer,
        tag: UnsafeRawBufferPointer
    ) throws(SRTPError) {
        let status = perc_gcm_open(
            context, ssrc, index, aad.octets, aad.count, aad2.octets, aad2.count, data.octets,
            data.count, tag.octets)
        try Self.check(status)
    }

    @inline(__always)
    private static func check(_ status: Int32) throws(SRTPError) {
        switch status {
        case PERC_OK: return
        case PERC_AUTH_FAILED: throw .authenticationFailed
        default: throw .underlying(library: "OpenSSL", code: status)
        }
    }
}

/// The two directions of SRTP or SRTCP keying.
struct OpenSSLCryptoContextPair {
    let seal: OpenSSLCryptoContext
    let open: OpenSSLCryptoContext

    init(
        cipher: SRTPProfile.Cipher, encryptionKey: UnsafeRawBufferPointer,
        salt: UnsafeRawBufferPointer, authenticationKey: UnsafeRawBufferPointer
    ) throws(SRTPError) {
        seal = try OpenSSLCryptoContext(
            cipher: cipher, sealing: true, encryptionKey: encryptionKey, salt: salt,
            authenticationKey: authenticationKey)
        do {
            open = try OpenSSLCryptoContext(
                cipher: cipher, sealing: false, encryptionKey: encryptionKey, salt: salt,
                authenticationKey: authenticationKey)
        } catch {
            seal.free()
            throw error
        }
    }

    func free() {
        seal.free()
        open.free()
    }
}

extension UnsafeRawBufferPointer {
    /// No octets (a C call sees NULL, 0).
    static var empty: Self { Self(start: nil, count: 0) }

    /// The start as the `const uint8_t *` C expects (nil for an empty buffer without storage).
    @inline(__always)
    var octets: UnsafePointer<UInt8>? { baseAddress?.assumingMemoryBound(to: UInt8.self) }
}

extension UnsafeMutableRawBufferPointer {
    /// No octets (a C call sees NULL, 0).
    static var empty: Self { Self(start: nil, count: 0) }

    /// The start as the `uint8_t *` C expects (nil for an empty buffer without storage).
    @inline(__always)
    var octets: UnsafeMutablePointer<UInt8>? {
        baseAddress?.assumingMemoryBound(to: UInt8.self)
    }
}
