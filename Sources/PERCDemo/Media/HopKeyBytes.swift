import PERC

/// One hop key and salt as octets (the outer half of a double key, RFC 8723 §3), the way the demo
/// hands the same key to an endpoint and to the Media Distributor. In a real deployment the two
/// sides get it from DTLS-SRTP with the Key Distributor (RFC 8871 §6.2); that is out of scope
/// here. Both sides import it into their own `KeyStore`, then the setup calls `wipe()`.
public struct HopKeyBytes: Sendable {
    private(set) var key: [UInt8]
    private(set) var salt: [UInt8]

    /// Random key and salt for one hop of `profile`, from the system CSPRNG (getrandom on Linux).
    public static func random(for profile: DoubleSRTPProfile) -> HopKeyBytes {
        func randomBytes(_ count: Int) -> [UInt8] {
            var generator = SystemRandomNumberGenerator()
            return (0..<count).map { _ in UInt8.random(in: .min ... .max, using: &generator) }
        }
        let half = profile.halfProfile
        return HopKeyBytes(
            key: randomBytes(half.masterKeyLength), salt: randomBytes(half.masterSaltLength))
    }

    /// Zeroes both arrays (this copy; Swift copies made before are beyond reach).
    public mutating func wipe() {
        for index in key.indices { key[index] = 0 }
        for index in salt.indices { salt[index] = 0 }
        key = []
        salt = []
    }

    /// Imports a participant's two hop keys into `store` (usage `.srtpHopByHop`): `up` for its
    /// packets to the distributor, `down` for the distributor's to it. The two must be
    /// independent keys (RFC 8723 §5.2, §9: two hops never share a GCM key); the store tells
    /// handles apart, not bytes, so equal bytes are refused here. Nothing stays imported on
    /// failure.
    static func importKeys(
        up: HopKeyBytes, down: HopKeyBytes, into store: KeyStore, for profile: DoubleSRTPProfile
    ) throws(MediaPlaneError) -> (up: HopKeyHandle, down: HopKeyHandle) {
        guard up.key != down.key else {
            throw .invalidArgument("the up and down hop keys are the same key")
        }
        do throws(KeyStoreError) {
            let upKey = try store.importHopKey(up.key, salt: up.salt, for: profile)
            do throws(KeyStoreError) {
                return (upKey, try store.importHopKey(down.key, salt: down.salt, for: profile))
            } catch {
                store.revoke(upKey)
                throw error
            }
        } catch {
            throw .keyStore(error)
        }
    }
}

/// Prints redacted: no key or salt octet in `description`, `debugDescription` or `dump`.
extension HopKeyBytes: CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    public var description: String { "HopKeyBytes(\(key.count)-octet key redacted)" }
    public var debugDescription: String { description }
    public var customMirror: Mirror { Mirror(self, children: [:]) }
}
