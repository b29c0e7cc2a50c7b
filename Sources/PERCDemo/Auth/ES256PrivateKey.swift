internal import CPERCDemoCrypto

/// A P-256 private key for ES256 signatures (RFC 7518 §3.4), held by OpenSSL and freed (the
/// scalar cleansed by OpenSSL) when the last reference goes. It never prints its key bytes.
public final class ES256PrivateKey: @unchecked Sendable {
    // @unchecked: `key` is set once and only read; OpenSSL 3 allows concurrent signing with one
    // EVP_PKEY (each call makes its own EVP_MD_CTX).
    private let key: OpaquePointer
    /// The matching public key.
    public let publicKey: ES256PublicKey

    /// Generates a new random P-256 key pair.
    public init() throws(AuthError) {
        guard let key = perc_demo_es256_generate() else {
            throw DemoCrypto.takeError("P-256 key generation")
        }
        var x = [UInt8](repeating: 0, count: Int(PERC_DEMO_P256_COORD_LEN))
        var y = x
        guard perc_demo_es256_public(key, &x, &y) == 1 else {
            perc_demo_es256_free(key)
            throw DemoCrypto.takeError("P-256 public key export")
        }
        do {
            self.publicKey = try ES256PublicKey(x: x, y: y)
        } catch {
            perc_demo_es256_free(key)
            throw error
        }
        self.key = key
    }

    deinit {
        perc_demo_es256_free(key)
    }

    /// The ES256 signature of `message`: ECDSA P-256 over SHA-256, as raw r ‖ s (64 octets,
    /// RFC 7518 §3.4).
    public func sign(_ message: some Sequence<UInt8>) throws(AuthError) -> [UInt8] {
        let message = Array(message)
        var signature = [UInt8](repeating: 0, count: Int(PERC_DEMO_ES256_SIG_LEN))
        let ok = message.withUnsafeBufferPointer {
            perc_demo_es256_sign(key, $0.baseAddress, $0.count, &signature)
        }
        guard ok == 1 else { throw DemoCrypto.takeError("ES256 sign") }
        return signature
    }

    /// Runs `body` with the OpenSSL key handle, keeping this object (and so the handle) alive.
    func withKeyHandle<R>(_ body: (OpaquePointer) -> R) -> R {
        withExtendedLifetime(self) { body(key) }
    }

    /// The private key as PKCS#8 PEM, handed to `body` and wiped when it returns. If OpenSSL
    /// cannot export it, `body` gets an empty buffer (which no PEM parser accepts) and the OpenSSL
    /// error queue is cleared.
    func withPKCS8PEM<R>(_ body: ([UInt8]) throws -> R) rethrows -> R {
        var buffer = [UInt8](repeating: 0, count: 1024)
        defer { DemoCrypto.wipe(&buffer) }
        var length = 0
        if perc_demo_es256_private_pem(key, &buffer, buffer.count, &length) != 1 {
            length = 0
            _ = DemoCrypto.takeError("private key PEM")
        }
        var pem = Array(buffer.prefix(length))
        defer { DemoCrypto.wipe(&pem) }
        return try body(pem)
    }
}

extension ES256PrivateKey: CustomStringConvertible, CustomDebugStringConvertible,
    CustomReflectable
{
    /// Names the key by its public thumbprint only.
    public var description: String { "ES256PrivateKey(<redacted>, jkt \(publicKey.thumbprint))" }
    public var debugDescription: String { description }
    /// No children, so `dump` shows nothing of the key either.
    public var customMirror: Mirror { Mirror(self, children: [], displayStyle: .class) }
}
