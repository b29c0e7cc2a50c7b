import PERC

/// SRTP sessions keyed with the vector keys (`VectorKeys.srtpMaster`), from one key store that
/// lives for the process.
public enum FuzzSessions {
    static let store = KeyStore()
    nonisolated(unsafe) private static var handles: [SRTPProfile: KeyHandle] = [:]

    /// A new session for `configuration`, or nil when the engine cannot express it (libsrtp2
    /// refuses some modes with `SRTPError.unsupported`). Any other failure stops the process.
    public static func make(_ configuration: SRTPSession.Configuration) -> SRTPSession? {
        do {
            return try SRTPSession(
                key: handle(for: configuration.profile), in: store, configuration: configuration)
        } catch SRTPError.unsupported {
            return nil
        } catch {
            fatalError("cannot create a fuzz session for \(configuration): \(error)")
        }
    }

    private static func handle(for profile: SRTPProfile) throws -> KeyHandle {
        if let handle = handles[profile] { return handle }
        let master = VectorKeys.srtpMaster[profile]!
        let handle = try store.importSRTPMasterKey(master.key, salt: master.salt, for: profile)
        handles[profile] = handle
        return handle
    }
}
