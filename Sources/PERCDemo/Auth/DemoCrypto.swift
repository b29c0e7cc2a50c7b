internal import CPERCDemoCrypto
import PERC

/// Thin Swift wrappers over the shim's hashing, randomness, comparison and wiping calls.
enum DemoCrypto {
    /// SHA-256 of `bytes`.
    static func sha256(_ bytes: some Sequence<UInt8>) throws(AuthError) -> [UInt8] {
        let message = Array(bytes)
        var digest = [UInt8](repeating: 0, count: Int(PERC_DEMO_SHA256_LEN))
        let ok = message.withUnsafeBufferPointer { input in
            digest.withUnsafeMutableBufferPointer { output in
                perc_demo_sha256(input.baseAddress, input.count, output.baseAddress)
            }
        }
        guard ok == 1 else { throw takeError("SHA-256") }
        return digest
    }

    /// `count` octets from the OpenSSL CSPRNG.
    static func randomBytes(count: Int) throws(AuthError) -> [UInt8] {
        var bytes = [UInt8](repeating: 0, count: count)
        let ok = bytes.withUnsafeMutableBufferPointer {
            perc_demo_random($0.baseAddress, $0.count)
        }
        guard ok == 1 else { throw takeError("RAND_bytes") }
        return bytes
    }

    /// A random identifier for `jti` claims (RFC 7519 §4.1.7: collisions negligible): base64url
    /// of 16 random octets.
    static func randomIdentifier() throws(AuthError) -> String {
        Base64URL.encode(try randomBytes(count: 16))
    }

    /// Whether `a` and `b` are equal, in time independent of their contents (lengths are public).
    static func constantTimeEqual(_ a: [UInt8], _ b: [UInt8]) -> Bool {
        guard a.count == b.count else { return false }
        return a.withUnsafeBufferPointer { left in
            b.withUnsafeBufferPointer { right in
                perc_demo_equal(left.baseAddress, right.baseAddress, left.count) == 1
            }
        }
    }

    /// Zeroes the storage of `bytes` in place, through a read-only view so that copy-on-write
    /// cannot redirect the wipe to a fresh copy.
    static func wipe(_ bytes: inout [UInt8]) {
        bytes.withUnsafeBytes {
            perc_demo_cleanse(UnsafeMutableRawPointer(mutating: $0.baseAddress), $0.count)
        }
    }

    /// `.crypto` with OpenSSL's oldest queued error for the failed `operation`; clears the queue.
    static func takeError(_ operation: String) -> AuthError {
        var text = [CChar](repeating: 0, count: 256)
        text.withUnsafeMutableBufferPointer { perc_demo_take_error($0.baseAddress, $0.count) }
        let detail = String(
            decoding: text.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) },
            as: UTF8.self)
        return .crypto("\(operation): \(detail)")
    }
}
