/// What a key may be used for. A key is bound to exactly one usage when it enters the store;
/// using it for anything else is `KeyStoreError.keyUsageNotPermitted`.
public struct KeyUsage: Hashable, Sendable, CustomStringConvertible {
    let name: String

    /// An SRTP master key and its master salt: keys SRTP/SRTCP sessions.
    public static let srtpMaster = KeyUsage(name: "SRTP master key")
    /// A hop-by-hop (outer) key of double SRTP (RFC 8723 §3) and its master salt: keys the outer
    /// layer of one hop only. The one kind of key a Media Distributor holds (RFC 8871 §4.4, §6.2);
    /// it never keys an `SRTPSession` or the end-to-end layer. See `HopKeyHandle`.
    public static let srtpHopByHop = KeyUsage(name: "SRTP hop-by-hop key")
    /// An EKT key (RFC 8870): wraps and unwraps EKT fields only.
    public static let ekt = KeyUsage(name: "EKT key")

    public var description: String { name }
}

/// The scope a key belongs to, such as one conference. `KeyStore.endConference(_:)` wipes every
/// key of a scope and every session keyed from them.
public struct KeyScope: Hashable, Sendable, CustomStringConvertible {
    public let name: String

    public init(_ name: String) {
        self.name = name
    }

    /// Keys that belong to no conference; wiped only by revocation, expiry or store teardown.
    public static let unscoped = KeyScope("")

    public var description: String { name.isEmpty ? "unscoped" : name }
}

/// An opaque reference to a key held by a `KeyStore`. It carries no key bytes.
public struct KeyHandle: Hashable, Sendable, CustomStringConvertible {
    let id: UInt64
    let storeID: UInt64
    /// The one usage this key is bound to.
    public let usage: KeyUsage

    public var description: String { "KeyHandle(#\(id), \(usage))" }
}
