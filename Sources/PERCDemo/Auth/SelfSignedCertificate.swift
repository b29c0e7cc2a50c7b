internal import CPERCDemoCrypto

/// A self-signed X.509 v3 certificate and its P-256 key for the KMF's TLS server (RFC 5280):
/// SAN iPAddress, CA:FALSE, digitalSignature, serverAuth. Clients pin `sha256Fingerprint`.
public struct SelfSignedCertificate: Sendable, CustomStringConvertible {
    /// The certificate, PEM ("BEGIN CERTIFICATE").
    public let certificatePEM: String
    /// The certificate, DER.
    public let certificateDER: [UInt8]
    /// SHA-256 of `certificateDER`.
    public let sha256Fingerprint: [UInt8]
    private let key: ES256PrivateKey

    /// A new key and a certificate for it named `commonName`, with SAN `ipAddress` (IPv4 or IPv6
    /// text), valid from now for `validFor`.
    public static func generate(commonName: String, ipAddress: String, validFor: Duration)
        throws(AuthError) -> SelfSignedCertificate
    {
        let key = try ES256PrivateKey()
        guard key.withPKCS8PEM({ !$0.isEmpty }) else {
            throw .crypto("private key PEM export failed")
        }
        let seconds = NumericDate.seconds(validFor)
        guard seconds > 0 else { throw .malformed("certificate validity must be positive") }
        guard
            let certificate = key.withKeyHandle({
                perc_demo_x509_self_signed($0, commonName, ipAddress, seconds)
            })
        else { throw DemoCrypto.takeError("self-signed certificate (check the IP address)") }
        defer { perc_demo_x509_free(certificate) }
        let der = try export(certificate, perc_demo_x509_der, "certificate DER")
        let pem = try export(certificate, perc_demo_x509_pem, "certificate PEM")
        return SelfSignedCertificate(
            certificatePEM: String(decoding: pem, as: UTF8.self), certificateDER: der,
            sha256Fingerprint: try DemoCrypto.sha256(der), key: key)
    }

    /// The private key PEM, handed to `body` and wiped after it returns (for NIOSSLPrivateKey).
    public func withPrivateKeyPEM<R>(_ body: ([UInt8]) throws -> R) rethrows -> R {
        try key.withPKCS8PEM(body)
    }

    /// The fingerprint only; the key is never printed.
    public var description: String {
        "SelfSignedCertificate(sha256 \(sha256Fingerprint.map { hex($0) }.joined(separator: ":")))"
    }

    private func hex(_ byte: UInt8) -> String {
        let digits = String(byte, radix: 16, uppercase: true)
        return byte < 16 ? "0\(digits)" : digits
    }

    /// One encoding of `certificate` through `exporter` (the shim's DER or PEM writer).
    private static func export(
        _ certificate: OpaquePointer,
        _ exporter: (OpaquePointer?, UnsafeMutablePointer<UInt8>?, Int, UnsafeMutablePointer<Int>?)
            -> Int32,
        _ what: String
    ) throws(AuthError) -> [UInt8] {
        var buffer = [UInt8](repeating: 0, count: 8192)
        var length = 0
        guard exporter(certificate, &buffer, buffer.count, &length) == 1 else {
            throw DemoCrypto.takeError(what)
        }
        return Array(buffer.prefix(length))
    }
}
