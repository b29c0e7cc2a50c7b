internal import CPERCShims

/// An SRTP/SRTCP session: protects outbound and unprotects inbound RTP and RTCP packets for any
/// number of SSRCs under one master key, in place on caller buffers.
///
/// Streams are created per SSRC on their first packet (inbound ones only once that packet
/// authenticates). Every failing call throws an `SRTPError` and leaves the buffer, the replay
/// windows, the ROCs and the stream table unchanged.
///
/// A session is safe to share between threads; calls are serialised by a per-session lock, so give
/// each thread its own session for parallel throughput. When its key is revoked, expires, or its
/// conference ends, the session wipes its contexts at once and every later call throws.
public final class SRTPSession: Sendable {
    public let configuration: Configuration
    /// Expiry deadline of the key, in coarse monotonic nanoseconds; `UInt64.max` for none.
    private let deadline: UInt64
    private let engine: any SRTPEngine
    /// nil while keyed; the error every call throws once invalidated.
    private let state: Locked<SRTPError?>

    public var profile: SRTPProfile { configuration.profile }

    /// Creates a session keyed from an SRTP master key held by `store`.
    ///
    /// Throws `KeyStoreError` for a key that is unknown, revoked, expired, bound to another usage or
    /// sized for another profile, and `SRTPError` for an invalid configuration or a mode the engine
    /// cannot express.
    public convenience init(key: KeyHandle, in store: KeyStore, configuration: Configuration)
        throws
    {
        try configuration.validate()
        let (engine, deadline) = try store.withUnsealedKey(key, for: .srtpMaster) {
            bytes, keyLength throws -> any SRTPEngine in
            let profile = configuration.profile
            guard keyLength == profile.masterKeyLength else {
                throw KeyStoreError.invalidKeyLength(
                    expected: profile.masterKeyLength, actual: keyLength)
            }
            guard bytes.count - keyLength == profile.masterSaltLength else {
                throw KeyStoreError.invalidKeyLength(
                    expected: profile.masterSaltLength, actual: bytes.count - keyLength)
            }
            return try Self.makeEngine(
                configuration,
                keys: .master(
                    key: UnsafeRawBufferPointer(rebasing: bytes[..<keyLength]),
                    salt: UnsafeRawBufferPointer(rebasing: bytes[keyLength...])))
        }
        self.init(engine: engine, configuration: configuration, deadline: deadline ?? .max)
        store.register(self, for: key)
    }

    /// A session around an engine already keyed for `configuration`.
    init(engine: any SRTPEngine, configuration: Configuration, deadline: UInt64 = .max) {
        self.configuration = configuration
        self.deadline = deadline
        self.engine = engine
        state = Locked(nil)
    }

    static func makeEngine(_ configuration: Configuration, keys: SessionKeying) throws
        -> any SRTPEngine
    {
        switch configuration.engine {
        case .openSSL: try OpenSSLEngine(configuration: configuration, keys: keys)
        case .libsrtp2: try LibSRTPEngine(configuration: configuration, keys: keys)
        }
    }

    /// Octets protection adds to an RTP packet; size buffers with this much spare capacity.
    public var maxRTPOverhead: Int { configuration.maxRTPOverhead }
    /// Octets protection adds to an RTCP packet.
    public var maxRTCPOverhead: Int { configuration.maxRTCPOverhead }

    // MARK: In place on caller buffers

    /// Protects the RTP packet in the first `length` octets of `buffer` and returns the SRTP length.
    /// `buffer.count` must leave `maxRTPOverhead` octets of room.
    public func protectRTP(_ buffer: UnsafeMutableRawBufferPointer, length: Int)
        throws(SRTPError) -> Int
    {
        let header = try RTPHeader(parsing: UnsafeRawBufferPointer(buffer), length: length)
        try header.validatePadding(UnsafeRawBufferPointer(buffer), packetLength: length)
        guard buffer.count >= length + maxRTPOverhead else {
            throw .bufferTooSmall(needed: length + maxRTPOverhead)
        }
        return try withEngine { engine throws(SRTPError) in
            try engine.protectRTP(buffer, length: length, header: header)
        }
    }

    /// Unprotects the SRTP packet in the first `length` octets of `buffer` and returns the RTP
    /// length.
    public func unprotectRTP(_ buffer: UnsafeMutableRawBufferPointer, length: Int)
        throws(SRTPError) -> Int
    {
        let header = try RTPHeader(parsing: UnsafeRawBufferPointer(buffer), length: length)
        guard length >= header.length + maxRTPOverhead else { throw .malformed(.truncated) }
        return try withEngine { engine throws(SRTPError) in
            try engine.unprotectRTP(buffer, length: length, header: header)
        }
    }

    /// Protects the RTCP compound packet in the first `length` octets of `buffer` and returns the
    /// SRTCP length. `buffer.count` must leave `maxRTCPOverhead` octets of room.
    public func protectRTCP(_ buffer: UnsafeMutableRawBufferPointer, length: Int)
        throws(SRTPError) -> Int
    {
        let header = try RTCPHeader(parsing: UnsafeRawBufferPointer(buffer), length: length)
        guard buffer.count >= length + maxRTCPOverhead else {
            throw .bufferTooSmall(needed: length + maxRTCPOverhead)
        }
        return try withEngine { engine throws(SRTPError) in
            try engine.protectRTCP(buffer, length: length, header: header)
        }
    }

    /// Unprotects the SRTCP packet in the first `length` octets of `buffer` and returns the RTCP
    /// length.
    public func unprotectRTCP(_ buffer: UnsafeMutableRawBufferPointer, length: Int)
        throws(SRTPError) -> Int
    {
        let header = try RTCPHeader(parsing: UnsafeRawBufferPointer(buffer), length: length)
        guard length >= RTCPHeader.clearLength + maxRTCPOverhead else {
            throw .malformed(.truncated)
        }
        return try withEngine { engine throws(SRTPError) in
            try engine.unprotectRTCP(buffer, length: length, header: header)
        }
    }

    // MARK: Convenience on byte arrays

    /// Protects an RTP packet held in `packet`, appending the tag (and MKI). Reserve
    /// `maxRTPOverhead` spare capacity to avoid a reallocation.
    public func protectRTP(_ packet: inout [UInt8]) throws(SRTPError) {
        try InPlaceTransform.apply(&packet, growth: maxRTPOverhead, protectRTP)
    }

    /// Unprotects an SRTP packet held in `packet`, removing the tag (and MKI).
    public func unprotectRTP(_ packet: inout [UInt8]) throws(SRTPError) {
        try InPlaceTransform.apply(&packet, growth: 0, unprotectRTP)
    }

    /// Protects an RTCP compound packet held in `packet`.
    public func protectRTCP(_ packet: inout [UInt8]) throws(SRTPError) {
        try InPlaceTransform.apply(&packet, growth: maxRTCPOverhead, protectRTCP)
    }

    /// Unprotects an SRTCP packet held in `packet`.
    public func unprotectRTCP(_ packet: inout [UInt8]) throws(SRTPError) {
        try InPlaceTransform.apply(&packet, growth: 0, unprotectRTCP)
    }

    // MARK: Streams

    /// The rollover counter of a stream, or nil if the stream has seen no packet yet.
    public func rolloverCounter(ssrc: UInt32, direction: StreamDirection) throws(SRTPError)
        -> UInt32?
    {
        try withEngine { engine throws(SRTPError) in
            engine.rolloverCounter(ssrc: ssrc, direction: direction)
        }
    }

    /// Sets the rollover counter of a stream (a receiver joining late MUST be given it, RFC 3711
    /// §3.3.1; EKT carries it). Creates the stream if needed.
    public func setRolloverCounter(_ roc: UInt32, ssrc: UInt32, direction: StreamDirection)
        throws(SRTPError)
    {
        try withEngine { engine throws(SRTPError) in
            try engine.setRolloverCounter(roc, ssrc: ssrc, direction: direction)
        }
    }

    // MARK: Key lifetime

    @inline(__always)
    func withEngine<R>(_ body: (any SRTPEngine) throws(SRTPError) -> R)
        throws(SRTPError) -> R
    {
        if deadline != .max, perc_coarse_monotonic_ns() >= deadline {
            invalidate(.keyExpired)
        }
        return try state.withLock { invalidation throws(SRTPError) -> R in
            if let invalidation { throw invalidation }
            return try body(engine)
        }
    }

    private func invalidate(_ error: SRTPError) {
        let first: Bool = state.withLock { invalidation in
            guard invalidation == nil else { return false }
            invalidation = error
            return true
        }
        if first { engine.wipe() }
    }
}

extension SRTPSession: KeyDependent {
    func keyInvalidated(_ reason: KeyInvalidation) {
        invalidate(reason == .expired ? .keyExpired : .keyRevoked)
    }
}

extension SRTPSession: CustomStringConvertible {
    public var description: String {
        "SRTPSession(\(configuration.profile), \(configuration.engine), keys redacted)"
    }
}

/// What keys a new engine: a master key and salt to derive session keys from, or session keys
/// given directly (RFC 7714 test vectors; the conformance runner).
enum SessionKeying {
    case master(key: UnsafeRawBufferPointer, salt: UnsafeRawBufferPointer)
    case session(
        encryption: UnsafeRawBufferPointer, salt: UnsafeRawBufferPointer,
        authentication: UnsafeRawBufferPointer)
}
