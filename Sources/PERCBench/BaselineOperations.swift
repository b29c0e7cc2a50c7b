internal import CPERCBenchBaselines
import PERC

/// Session keys for the raw EVP baseline, fixed like `BenchKeys`. The baseline takes session keys
/// (it has no KDF); the library's engines derive theirs from a master key once, at keying.
struct BaselineSessionKeys {
    let encryption: [UInt8]
    let salt: [UInt8]
    let authentication: [UInt8]

    init(encryption: [UInt8], salt: [UInt8], authentication: [UInt8] = []) {
        self.encryption = encryption
        self.salt = salt
        self.authentication = authentication
    }

    /// `seed` gives independent keys of the same profile (the double SRTP layers and hops).
    init(profile: SRTPProfile, seed: UInt8 = 0) {
        func bytes(_ count: Int, from start: Int) -> [UInt8] {
            (0..<count).map { UInt8(truncatingIfNeeded: start + Int(seed) + $0) }
        }
        encryption = bytes(profile.sessionKeyLength, from: 0x20)
        salt = bytes(profile.sessionSaltLength, from: 0x60)
        authentication = bytes(profile.sessionAuthKeyLength, from: 0x80)
    }
}

/// One direction of the raw EVP baseline (`perc_bench_evp`).
final class EVPBaseline {
    fileprivate let context: OpaquePointer

    init(profile: SRTPProfile, sealing: Bool, keys: BaselineSessionKeys) throws(BenchError) {
        let kind = try baselineKind(profile)
        let made = keys.encryption.withUnsafeBufferPointer { key in
            keys.salt.withUnsafeBufferPointer { salt in
                keys.authentication.withUnsafeBufferPointer { auth in
                    perc_bench_evp_new(
                        kind, sealing ? 1 : 0, key.baseAddress, key.count, salt.baseAddress,
                        salt.count, auth.baseAddress, auth.count)
                }
            }
        }
        guard let made else { throw BenchError("raw EVP context for \(profile)") }
        context = made
    }

    deinit { perc_bench_evp_free(context) }
}

/// Raw EVP SRTP protect: IV, AAD/HMAC and cipher calls only; the header length and SSRC are known.
struct EVPProtectRTP: PacketOperation {
    let baseline: EVPBaseline
    let headerLength: Int
    let ssrc: UInt32

    @inline(__always)
    func apply(_ packet: UnsafeMutableRawBufferPointer, length: Int, index: UInt64)
        throws(BenchError) -> Int
    {
        try checked(
            perc_bench_evp_protect(
                baseline.context, packet.octets, headerLength, length, ssrc, index), "EVP protect")
    }
}

struct EVPUnprotectRTP: PacketOperation {
    let baseline: EVPBaseline
    let headerLength: Int
    let ssrc: UInt32

    @inline(__always)
    func apply(_ packet: UnsafeMutableRawBufferPointer, length: Int, index: UInt64)
        throws(BenchError) -> Int
    {
        try checked(
            perc_bench_evp_unprotect(
                baseline.context, packet.octets, headerLength, length, ssrc, index),
            "EVP unprotect")
    }
}

struct EVPProtectRTCP: PacketOperation {
    let baseline: EVPBaseline
    let ssrc: UInt32

    @inline(__always)
    func apply(_ packet: UnsafeMutableRawBufferPointer, length: Int, index: UInt64)
        throws(BenchError) -> Int
    {
        try checked(
            perc_bench_evp_protect_rtcp(
                baseline.context, packet.octets, length, ssrc, UInt32(truncatingIfNeeded: index)),
            "EVP protect RTCP")
    }
}

struct EVPUnprotectRTCP: PacketOperation {
    let baseline: EVPBaseline
    let ssrc: UInt32

    @inline(__always)
    func apply(_ packet: UnsafeMutableRawBufferPointer, length: Int, index: UInt64)
        throws(BenchError) -> Int
    {
        try checked(
            perc_bench_evp_unprotect_rtcp(baseline.context, packet.octets, length, ssrc),
            "EVP unprotect RTCP")
    }
}

/// Raw EVP double SRTP send (RFC 8723 §5.1): inner GCM over the synthetic packet, empty OHB,
/// outer GCM.
struct EVPDoubleProtect: PacketOperation {
    let inner: EVPBaseline
    let outer: EVPBaseline
    let headerLength: Int
    let ssrc: UInt32

    @inline(__always)
    func apply(_ packet: UnsafeMutableRawBufferPointer, length: Int, index: UInt64)
        throws(BenchError) -> Int
    {
        try checked(
            perc_bench_evp_double_protect(
                inner.context, outer.context, packet.octets, headerLength, length, ssrc, index),
            "EVP double protect")
    }
}

/// Raw EVP double SRTP receive: outer open, OHB, inner open.
struct EVPDoubleUnprotect: PacketOperation {
    let inner: EVPBaseline
    let outer: EVPBaseline
    let headerLength: Int
    let ssrc: UInt32

    @inline(__always)
    func apply(_ packet: UnsafeMutableRawBufferPointer, length: Int, index: UInt64)
        throws(BenchError) -> Int
    {
        try checked(
            perc_bench_evp_double_unprotect(
                inner.context, outer.context, packet.octets, headerLength, length, ssrc, index),
            "EVP double unprotect")
    }
}

/// Raw EVP Media Distributor relay (RFC 8723 §6.1): outer open with the inbound hop key, header
/// rewritten (originals kept in the OHB), outer seal with the outbound hop key. The benchmark
/// renumbers SEQ only, as an SFU switching streams does; PT and M stay.
struct EVPRelay: PacketOperation {
    let inbound: EVPBaseline
    let outbound: EVPBaseline
    let headerLength: Int
    let ssrc: UInt32
    /// Outbound index = inbound index + this, wrapping.
    var indexOffset: Int64 = 0x1000
    /// New PT and M; -1 keeps them.
    var payloadType: Int32 = -1
    var marker: Int32 = -1

    @inline(__always)
    func apply(_ packet: UnsafeMutableRawBufferPointer, length: Int, index: UInt64)
        throws(BenchError) -> Int
    {
        try checked(
            perc_bench_evp_relay(
                inbound.context, outbound.context, packet.octets, headerLength, length, ssrc,
                index, index &+ UInt64(bitPattern: indexOffset), payloadType, marker),
            "EVP relay")
    }
}

/// One raw libsrtp2 session (`srtp_create` with the library's policy code).
final class LibSRTPBaseline {
    fileprivate let session: OpaquePointer

    init(profile: SRTPProfile, outbound: Bool) throws(BenchError) {
        let kind = try baselineKind(profile)
        let master = BenchKeys(profile: profile).master
        let made = master.withUnsafeBufferPointer {
            perc_bench_libsrtp_new(kind, $0.baseAddress, $0.count, outbound ? 1 : 0)
        }
        guard let made else { throw BenchError("raw libsrtp2 session for \(profile)") }
        session = made
    }

    deinit { perc_bench_libsrtp_free(session) }
}

/// Raw `srtp_protect` / `srtp_unprotect` / `srtp_protect_rtcp` / `srtp_unprotect_rtcp`, in place.
struct LibSRTPOperation: PacketOperation {
    enum Call {
        case protectRTP, unprotectRTP, protectRTCP, unprotectRTCP
    }

    let baseline: LibSRTPBaseline
    let call: Call

    @inline(__always)
    func apply(_ packet: UnsafeMutableRawBufferPointer, length: Int, index: UInt64)
        throws(BenchError) -> Int
    {
        let session = baseline.session
        let result =
            switch call {
            case .protectRTP: perc_bench_libsrtp_protect(session, packet.octets, length)
            case .unprotectRTP: perc_bench_libsrtp_unprotect(session, packet.octets, length)
            case .protectRTCP: perc_bench_libsrtp_protect_rtcp(session, packet.octets, length)
            case .unprotectRTCP: perc_bench_libsrtp_unprotect_rtcp(session, packet.octets, length)
            }
        return try checked(result, "libsrtp2 \(call)")
    }
}

/// The baselines cover the profiles the benchmarks compare: AES-GCM and AES-CM-128 + HMAC-SHA1-80.
private func baselineKind(_ profile: SRTPProfile) throws(BenchError) -> Int32 {
    switch profile {
    case .aeadAES128GCM, .aeadAES256GCM: PERC_BENCH_GCM
    case .aesCM128HMACSHA1_80: PERC_BENCH_CM_SHA1
    default: throw BenchError("no baseline for \(profile)")
    }
}

@inline(__always)
private func checked(_ result: Int32, _ what: @autoclosure () -> String) throws(BenchError)
    -> Int
{
    guard result >= 0 else { throw BenchError("\(what()) failed") }
    return Int(result)
}

extension UnsafeMutableRawBufferPointer {
    /// The start as the `uint8_t *` C expects.
    @inline(__always)
    var octets: UnsafeMutablePointer<UInt8>? { baseAddress?.assumingMemoryBound(to: UInt8.self) }
}
