import PERC

extension KMF {
    /// Test hooks for the demo's bad-input phase: faults the KMF injects into its own responses
    /// on request.
    public final class Faults: Sendable {
        private let malformedHeaderFor = Locked(Set<String>())

        init() {}

        /// The next key response to `identity` carries a syntactically broken `Encryption-Key`
        /// value (its `key` is not base64url), once. The broken value holds no key bytes at all.
        public func malformEncryptionKeyHeader(for identity: String) {
            malformedHeaderFor.withLock { _ = $0.insert(identity) }
        }

        /// Whether a malformed header is pending for `identity`; consumes it.
        func takeMalformedHeader(for identity: String) -> Bool {
            malformedHeaderFor.withLock { $0.remove(identity) != nil }
        }

        /// An `Encryption-Key` value of the right shape whose `key` parameter is not base64url
        /// (`*` is outside the alphabet, RFC 4648 §5): an endpoint must refuse it and import
        /// nothing.
        static func malformedEncryptionKey(keyID: String, spi: UInt16) -> String {
            let salt = Base64URL.encode([UInt8](repeating: 0, count: 12))
            return "keyid=\"\(keyID)\"; key=\"*not*base64url*\"; usage=\"EKT\"; spi=\(spi); "
                + "salt=\"\(salt)\"; cipher=\"\(EKTCipher.aeskw128.rawValue)\""
        }
    }
}
