import PERC

/// `SRTPSession` calls through the public in-place API, exactly as an application makes them:
/// header parsing, the session lock, the engine, the stream state.
struct SessionProtectRTP: PacketOperation {
    let session: SRTPSession

    @inline(__always)
    func apply(_ packet: UnsafeMutableRawBufferPointer, length: Int, index: UInt64)
        throws(BenchError) -> Int
    {
        do {
            return try session.protectRTP(packet, length: length)
        } catch {
            throw BenchError("protectRTP failed: \(error)")
        }
    }
}

struct SessionUnprotectRTP: PacketOperation {
    let session: SRTPSession

    @inline(__always)
    func apply(_ packet: UnsafeMutableRawBufferPointer, length: Int, index: UInt64)
        throws(BenchError) -> Int
    {
        do {
            return try session.unprotectRTP(packet, length: length)
        } catch {
            throw BenchError("unprotectRTP failed: \(error)")
        }
    }
}

struct SessionProtectRTCP: PacketOperation {
    let session: SRTPSession

    @inline(__always)
    func apply(_ packet: UnsafeMutableRawBufferPointer, length: Int, index: UInt64)
        throws(BenchError) -> Int
    {
        do {
            return try session.protectRTCP(packet, length: length)
        } catch {
            throw BenchError("protectRTCP failed: \(error)")
        }
    }
}

struct SessionUnprotectRTCP: PacketOperation {
    let session: SRTPSession

    @inline(__always)
    func apply(_ packet: UnsafeMutableRawBufferPointer, length: Int, index: UInt64)
        throws(BenchError) -> Int
    {
        do {
            return try session.unprotectRTCP(packet, length: length)
        } catch {
            throw BenchError("unprotectRTCP failed: \(error)")
        }
    }
}

/// A sender and a receiver session on one engine, keyed from the same master key through a key
/// store (the store must outlive the sessions: closing it wipes them).
struct SessionPair {
    let store: KeyStore
    let sender: SRTPSession
    let receiver: SRTPSession

    init(profile: SRTPProfile, engine: SRTPEngineKind) throws(BenchError) {
        store = KeyStore()
        let keys = BenchKeys(profile: profile)
        do {
            let key = try store.importSRTPMasterKey(
                keys.masterKey, salt: keys.masterSalt, for: profile)
            let configuration = SRTPSession.Configuration(profile: profile, engine: engine)
            sender = try SRTPSession(key: key, in: store, configuration: configuration)
            receiver = try SRTPSession(key: key, in: store, configuration: configuration)
        } catch {
            throw BenchError("\(engine) session for \(profile): \(error)")
        }
    }
}

/// Fixed key material, so every run protects the same bytes. Not secret: benchmarks only.
struct BenchKeys {
    let masterKey: [UInt8]
    let masterSalt: [UInt8]

    /// `seed` gives independent keys of the same profile (the double SRTP key and hops).
    init(profile: SRTPProfile, seed: UInt8 = 0) {
        masterKey = (0..<profile.masterKeyLength).map {
            UInt8(truncatingIfNeeded: 0x10 + Int(seed) + $0)
        }
        masterSalt = (0..<profile.masterSaltLength).map {
            UInt8(truncatingIfNeeded: 0x40 + Int(seed) + $0)
        }
    }

    var master: [UInt8] { masterKey + masterSalt }
}
