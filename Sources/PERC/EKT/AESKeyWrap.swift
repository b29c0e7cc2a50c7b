internal import CPERCShims

/// AES key wrap on OpenSSL: RFC 3394, and RFC 5649 with padding (the EKT ciphers, RFC 8870
/// §4.4.1). The KEK is 16, 24 or 32 octets. Callers own every buffer and wipe what is secret.
enum AESKeyWrap {
    /// Wraps `plaintext` under `kek` into the front of `output`; returns the ciphertext length,
    /// `EKTCipher.ciphertextLength(plaintextLength:)` with padding, `plaintext.count + 8` without.
    static func wrap(
        kek: UnsafeRawBufferPointer, plaintext: UnsafeRawBufferPointer, padding: Bool,
        into output: UnsafeMutableRawBufferPointer
    ) throws(EKTError) -> Int {
        try run(perc_aes_key_wrap, kek: kek, input: plaintext, padding: padding, output: output)
    }

    /// Unwraps `ciphertext` under `kek` into the front of `output` (at least
    /// `ciphertext.count − 8` octets) and returns the plaintext length. An integrity failure is
    /// `EKTError.authenticationFailed` and leaves `output` zeroed.
    static func unwrap(
        kek: UnsafeRawBufferPointer, ciphertext: UnsafeRawBufferPointer, padding: Bool,
        into output: UnsafeMutableRawBufferPointer
    ) throws(EKTError) -> Int {
        try run(perc_aes_key_unwrap, kek: kek, input: ciphertext, padding: padding, output: output)
    }

    private typealias Operation = (
        UnsafePointer<UInt8>?, Int, Int32, UnsafePointer<UInt8>?, Int, UnsafeMutablePointer<UInt8>?,
        Int, UnsafeMutablePointer<Int>?
    ) -> Int32

    private static func run(
        _ operation: Operation, kek: UnsafeRawBufferPointer, input: UnsafeRawBufferPointer,
        padding: Bool, output: UnsafeMutableRawBufferPointer
    ) throws(EKTError) -> Int {
        guard [16, 24, 32].contains(kek.count) else {
            throw .invalidArgument("AES key wrap KEK must be 16, 24 or 32 octets")
        }
        var length = 0
        let status = operation(
            kek.baseAddress?.assumingMemoryBound(to: UInt8.self), kek.count, padding ? 1 : 0,
            input.baseAddress?.assumingMemoryBound(to: UInt8.self), input.count,
            output.baseAddress?.assumingMemoryBound(to: UInt8.self), output.count, &length)
        switch status {
        case Int32(PERC_KW_OK): return length
        case Int32(PERC_KW_INTEGRITY): throw .authenticationFailed
        case Int32(PERC_KW_BAD_LENGTH):
            throw .invalidArgument("AES key wrap input or output length")
        default: throw .underlying(library: "OpenSSL", code: status)
        }
    }
}
