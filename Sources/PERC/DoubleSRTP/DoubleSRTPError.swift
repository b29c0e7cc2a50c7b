/// The two SRTP layers of a double packet (RFC 8723 §3).
public enum DoubleSRTPLayer: Sendable, Equatable, CustomStringConvertible {
    /// The hop-by-hop layer, keyed per hop (endpoint ↔ Media Distributor, MD ↔ MD).
    case outer
    /// The end-to-end layer, keyed by the sending endpoint.
    case inner

    public var description: String {
        switch self {
        case .outer: "outer (hop-by-hop)"
        case .inner: "inner (end-to-end)"
        }
    }
}

/// Errors from double SRTP (RFC 8723) endpoints and the Media Distributor. Cases are stable so
/// callers can match on them; every failing call leaves the buffer and all state unchanged,
/// except `.underlying` (an OpenSSL-internal failure), after which the payload is unspecified.
///
/// Failures of one layer name the layer, so an endpoint can tell a network attacker (outer) from a
/// misbehaving Media Distributor (inner): `catch DoubleSRTPError.authenticationFailed(.inner)`.
public enum DoubleSRTPError: Error, Sendable, Equatable, CustomStringConvertible {
    /// Why an Original Header Block is refused (RFC 8723 §4).
    public enum OHBDefect: Sendable, Equatable {
        /// A reserved bit (mask 0xF0) of the Config octet is set.
        case reservedBits
        /// B (original marker, 0x08) is set while M (marker present, 0x04) is clear. RFC 8723 §4
        /// writes this rule as "(C & 0x0C) MUST NOT have the value 0x80", a text error: the
        /// intended value is 0x08.
        case markerValueWithoutFlag
        /// The PT octet has its high bit set; an RTP payload type is 7 bits.
        case payloadTypeHighBit
    }

    /// The packet cannot be parsed (RTP header, or too short for both tags and an OHB).
    case malformed(SRTPError.MalformedReason)
    /// The Original Header Block is invalid (RFC 8723 §4).
    case invalidOriginalHeaderBlock(OHBDefect)
    /// A layer's AEAD tag did not verify (RFC 8723 §5.2 step 1, §5.3 steps 1 and 5).
    case authenticationFailed(DoubleSRTPLayer)
    /// The layer's packet index was already received (RFC 3711 §3.3.2; RFC 8871 §4.4, §8.2.2).
    case replayed(DoubleSRTPLayer)
    /// The layer's packet index is behind the replay window (RFC 3711 §3.3.2).
    case tooOld(DoubleSRTPLayer)
    /// Sending would exhaust the layer's 2^48 SRTP or 2^31 SRTCP index (RFC 3711 §9.2): rekey.
    case indexExhausted(DoubleSRTPLayer)
    /// No end-to-end key is known for this SSRC (RFC 8871 §4.3: receivers keep one per SSRC).
    case unknownSSRC(UInt32)
    /// The Media Distributor has no such ingress or egress (never added, or removed).
    case unknownLeg
    /// The buffer cannot hold the result.
    case bufferTooSmall(needed: Int)
    /// A key was revoked or its conference ended; the object is wiped.
    case keyRevoked
    /// A key passed its expiry; the object is wiped.
    case keyExpired
    /// The EKT field after a relayed packet cannot be parsed (RFC 8870 §4.1).
    case ektField(EKTError)
    /// An invalid configuration or argument.
    case invalidArgument(String)
    /// A failure reported by the underlying library, with its status code.
    case underlying(library: String, code: Int32)

    /// The error an SRTP layer reported, attributed to `layer`.
    init(_ error: SRTPError, layer: DoubleSRTPLayer) {
        switch error {
        case .malformed(let reason): self = .malformed(reason)
        case .authenticationFailed: self = .authenticationFailed(layer)
        case .replayed: self = .replayed(layer)
        case .tooOld: self = .tooOld(layer)
        case .indexExhausted: self = .indexExhausted(layer)
        case .bufferTooSmall(let needed): self = .bufferTooSmall(needed: needed)
        case .keyRevoked: self = .keyRevoked
        case .keyExpired: self = .keyExpired
        case .unsupported(let what): self = .invalidArgument("unsupported: \(what)")
        case .invalidArgument(let what): self = .invalidArgument(what)
        case .underlying(let library, let code): self = .underlying(library: library, code: code)
        }
    }

    public var description: String {
        switch self {
        case .malformed(let reason): "malformed packet (\(reason))"
        case .invalidOriginalHeaderBlock(let defect): "invalid Original Header Block (\(defect))"
        case .authenticationFailed(let layer): "\(layer) authentication failed"
        case .replayed(let layer): "\(layer) replayed packet"
        case .tooOld(let layer): "\(layer) packet too old for the replay window"
        case .indexExhausted(let layer): "\(layer) packet index exhausted; rekey required"
        case .unknownSSRC(let ssrc): "no end-to-end key for SSRC \(ssrc)"
        case .unknownLeg: "unknown Media Distributor ingress or egress"
        case .bufferTooSmall(let needed): "buffer too small; \(needed) octets needed"
        case .keyRevoked: "key revoked"
        case .keyExpired: "key expired"
        case .ektField(let error): "EKT field: \(error)"
        case .invalidArgument(let what): "invalid argument: \(what)"
        case .underlying(let library, let code): "\(library) error \(code)"
        }
    }
}

/// Runs one SRTP-layer step and attributes its error to `layer`.
@inline(__always)
func inLayer<R>(_ layer: DoubleSRTPLayer, _ body: () throws(SRTPError) -> R)
    throws(DoubleSRTPError) -> R
{
    do {
        return try body()
    } catch {
        throw DoubleSRTPError(error, layer: layer)
    }
}
