/// EKTPlaintext, what the EKT cipher wraps (RFC 8870 §4.1). Never on the wire; only ever held in
/// sealed bytes.
///
/// ```
/// +--------+---------------------------------+----------+----------+
/// | keylen |  SRTP master key (keylen, ≥ 1)  | SSRC (4) | ROC (4)  |
/// +--------+---------------------------------+----------+----------+
/// ```
/// All integers in network order.
struct EKTPlaintext {
    /// Where the master key sits in the parsed plaintext.
    let keyRange: Range<Int>
    let ssrc: UInt32
    let roc: UInt32

    /// Reads an unwrapped plaintext; its length must be exactly `1 + keylen + 8` (our check,
    /// spec/ekt.md §6 step 5).
    init(parsing plain: UnsafeRawBufferPointer) throws(EKTError) {
        guard plain.count >= 1 + 1 + 8 else { throw .malformed(.plaintextLength) }
        let keyLength = Int(plain[0])
        guard keyLength >= 1, plain.count == 1 + keyLength + 8 else {
            throw .malformed(.plaintextLength)
        }
        keyRange = 1..<1 + keyLength
        ssrc = plain.loadBigEndianUInt32(at: keyRange.upperBound)
        roc = plain.loadBigEndianUInt32(at: keyRange.upperBound + 4)
    }

    /// Lays out the plaintext for `masterKey` in new sealed bytes. The master key must leave the
    /// wrapped result within a FullEKTField's ciphertext bounds.
    static func seal(masterKey: UnsafeRawBufferPointer, ssrc: UInt32, roc: UInt32)
        throws(EKTError) -> SealedBytes
    {
        let count = 1 + masterKey.count + 8
        guard masterKey.count <= Int(UInt8.max),
            FullEKTField.isValidCiphertextLength(
                EKTCipher.ciphertextLength(plaintextLength: count))
        else {
            throw .invalidArgument("SRTP master key too long for a FullEKTField")
        }
        do {
            return try SealedBytes(count: count) { plain in
                plain[0] = UInt8(masterKey.count)
                UnsafeMutableRawBufferPointer(rebasing: plain[1..<1 + masterKey.count])
                    .copyMemory(from: masterKey)
                plain.storeBigEndian(ssrc, at: 1 + masterKey.count)
                plain.storeBigEndian(roc, at: 1 + masterKey.count + 4)
            }
        } catch {
            throw .keyStore(error)
        }
    }
}
