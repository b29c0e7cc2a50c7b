internal import CPERCShims

/// A keyed fingerprint of an SRTP master key: HMAC-SHA-256 under a key private to one receiver.
/// It lets a receiver recognise a key it has already installed or replaced without keeping the
/// key's bytes, and is useless to anyone else (nobody else has the fingerprint key, and two
/// receivers fingerprint the same key differently).
struct EKTKeyFingerprint: Equatable, Sendable {
    private let words: (UInt64, UInt64, UInt64, UInt64)

    fileprivate init(_ bytes: UnsafeRawBufferPointer) {
        func word(_ i: Int) -> UInt64 {
            (0..<8).reduce(0) { $0 << 8 | UInt64(bytes[8 * i + $1]) }
        }
        words = (word(0), word(1), word(2), word(3))
    }

    /// Compares without an early exit.
    static func == (a: Self, b: Self) -> Bool {
        (a.words.0 ^ b.words.0) | (a.words.1 ^ b.words.1) | (a.words.2 ^ b.words.2)
            | (a.words.3 ^ b.words.3) == 0
    }
}

/// Makes `EKTKeyFingerprint`s under a random key drawn at creation and wiped with it.
final class EKTKeyFingerprinter: Sendable {
    private let key: SealedBytes

    init() throws(KeyStoreError) {
        key = try SealedBytes(randomCount: Int(PERC_FINGERPRINT_LEN))
    }

    func fingerprint(of secret: SealedBytes) throws(EKTError) -> EKTKeyFingerprint {
        try withEKTErrors {
            try key.withUnsealed { key in
                try secret.withUnsealed { secret in
                    try withUnsafeTemporaryAllocation(
                        byteCount: Int(PERC_FINGERPRINT_LEN), alignment: 8
                    ) { out in
                        defer { perc_wipe(out.baseAddress, out.count) }
                        guard
                            perc_key_fingerprint(
                                key.octets, key.count, secret.octets, secret.count,
                                out.baseAddress?.assumingMemoryBound(to: UInt8.self)) == 1
                        else { throw EKTError.underlying(library: "OpenSSL", code: 0) }
                        return EKTKeyFingerprint(UnsafeRawBufferPointer(out))
                    }
                }
            }
        }
    }
}
