import NIOSSL
import Testing

@testable import PERCDemo

@Suite struct SelfSignedCertificateTests {
    @Test func parsesBackWithSANAndFingerprint() throws {
        let generated = try SelfSignedCertificate.generate(
            commonName: "PERC demo KMF", ipAddress: "127.0.0.1", validFor: .seconds(3600))
        // Parsed by BoringSSL (NIOSSL), an implementation independent of the OpenSSL that made it.
        let certificate = try NIOSSLCertificate(bytes: generated.certificateDER, format: .der)
        let fromPEM = try NIOSSLCertificate(
            bytes: Array(generated.certificatePEM.utf8), format: .pem)
        #expect(certificate == fromPEM)
        #expect(try certificate.toDERBytes() == generated.certificateDER)
        #expect(certificate.description.contains("common_name=PERC demo KMF"))
        let names = Array(certificate._subjectAlternativeNames())
        #expect(names.count == 1)
        #expect(names.first?.nameType == .ipAddress)
        #expect(names.first.map { Array($0.contents) } == [127, 0, 0, 1])
        #expect(certificate.notValidAfter - certificate.notValidBefore == 3600)
        #expect(certificate.serialNumber.count == 16)
        #expect(generated.sha256Fingerprint == (try DemoCrypto.sha256(generated.certificateDER)))
        #expect(generated.description.contains("sha256"))
    }

    @Test func carriesServerExtensions() throws {
        let der = try SelfSignedCertificate.generate(
            commonName: "kmf", ipAddress: "::1", validFor: .seconds(60)
        ).certificateDER
        // DER of the extension OIDs (RFC 5280 §4.2.1.9, §4.2.1.3, §4.2.1.12 id-kp-serverAuth).
        let basicConstraints: [UInt8] = [0x06, 0x03, 0x55, 0x1D, 0x13]
        let keyUsage: [UInt8] = [0x06, 0x03, 0x55, 0x1D, 0x0F]
        let serverAuth: [UInt8] = [0x06, 0x08, 0x2B, 0x06, 0x01, 0x05, 0x05, 0x07, 0x03, 0x01]
        for oid in [basicConstraints, keyUsage, serverAuth] {
            #expect(der.firstRange(of: oid) != nil)
        }
        let certificate = try NIOSSLCertificate(bytes: der, format: .der)
        let address = try #require(certificate._subjectAlternativeNames().first)
        #expect(Array(address.contents) == Array(repeating: 0, count: 15) + [1])
    }

    @Test func privateKeyMatchesCertificate() throws {
        let generated = try SelfSignedCertificate.generate(
            commonName: "kmf", ipAddress: "127.0.0.1", validFor: .seconds(60))
        let key = try generated.withPrivateKeyPEM { pem in
            #expect(String(decoding: pem, as: UTF8.self).hasPrefix("-----BEGIN PRIVATE KEY-----"))
            return try NIOSSLPrivateKey(bytes: pem, format: .pem)
        }
        // The certificate's public point (the SPKI's last 65 octets, 04 ‖ x ‖ y) is the one the
        // key's own encoding carries.
        let spki = try NIOSSLCertificate(bytes: generated.certificateDER, format: .der)
            .extractPublicKey().toSPKIBytes()
        let point = Array(spki.suffix(65))
        #expect(point.first == 0x04)
        #expect(try key.derBytes.firstRange(of: point) != nil)
    }

    @Test func badIPAddressRefused() {
        #expect(throws: AuthError.self) {
            try SelfSignedCertificate.generate(
                commonName: "kmf", ipAddress: "127.0.0.1,DNS:evil", validFor: .seconds(60))
        }
    }
}
