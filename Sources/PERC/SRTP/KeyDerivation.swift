internal import CPERCShims

/// The SRTP key derivation function (RFC 3711 §4.3; RFC 6188 §3 for AES-192/256).
///
/// The PRF is AES in counter mode keyed with the master key, so its AES key size is the master
/// key's size (AES_128_CM_PRF, AES_192_CM_PRF, AES_256_CM_PRF). The first counter block is
/// (RFC 3711 §4.3.1, RFC 6188 Figure 2):
/// ```
/// octet: 0  1  2  3  4  5  6  7 | 8 .. 13          | 14 15
///       00 00 00 00 00 00 00 LB | index DIV kdr    | b_c (0, 1, 2, …)
///  XOR [           master salt (14 octets)         ] 00 00
/// ```
/// A 12-octet GCM master salt is padded with two zero octets first, as libsrtp does (RFC 7714
/// §11 keeps the RFC 3711 KDF and does not spell this out).
enum SRTPKeyDerivation {
    /// Key derivation labels (RFC 3711 §4.3.2); declared with the conformance entry points.
    typealias Label = SRTPPrimitives.KDFLabel

    static let saltLength = 14
    static let maxRate: UInt64 = 1 << 24
    static let indexLimit: UInt64 = 1 << 48

    /// `r = index DIV key_derivation_rate` (RFC 3711 §4.3.1; "DIV 0" is 0). The rate is 0 or a
    /// power of two up to 2^24; `index` is a 48-bit SRTP or 31-bit SRTCP index.
    static func r(index: UInt64, keyDerivationRate: UInt64) throws(SRTPError) -> UInt64 {
        guard index < indexLimit else { throw .invalidArgument("index beyond 48 bits") }
        if keyDerivationRate == 0 { return 0 }
        guard keyDerivationRate <= maxRate, keyDerivationRate & (keyDerivationRate - 1) == 0 else {
            throw .invalidArgument("key derivation rate must be 0 or a power of two ≤ 2^24")
        }
        return index / keyDerivationRate
    }

    /// Fills `output` with the key for `label` (any length: the PRF output is prefix-stable).
    /// `masterKey` is 16, 24 or 32 octets, `masterSalt` 14 or 12 (padded) octets.
    static func derive(
        masterKey: UnsafeRawBufferPointer, masterSalt: UnsafeRawBufferPointer, label: UInt8,
        r: UInt64 = 0, into output: UnsafeMutableRawBufferPointer
    ) throws(SRTPError) {
        guard [16, 24, 32].contains(masterKey.count) else {
            throw .invalidArgument("master key must be 16, 24 or 32 octets")
        }
        guard masterSalt.count == 14 || masterSalt.count == 12 else {
            throw .invalidArgument("master salt must be 14 or 12 octets")
        }
        guard r < indexLimit else { throw .invalidArgument("r beyond 48 bits") }
        // The counter block holds the master salt: wipe it after use.
        var counter: (UInt64, UInt64) = (0, 0)
        defer { withUnsafeMutableBytes(of: &counter) { perc_wipe($0.baseAddress, $0.count) } }
        let status = withUnsafeMutableBytes(of: &counter) { iv in
            iv.copyMemory(from: masterSalt)  // a 12-octet salt leaves octets 12 and 13 zero
            iv[7] ^= label
            for octet in 0..<6 { iv[8 + octet] ^= UInt8(truncatingIfNeeded: r >> (40 - 8 * octet)) }
            return perc_aes_ctr_keystream(
                masterKey.baseAddress, masterKey.count, iv.baseAddress, output.baseAddress,
                output.count)
        }
        guard status == PERC_OK else { throw .underlying(library: "OpenSSL", code: status) }
    }
}
