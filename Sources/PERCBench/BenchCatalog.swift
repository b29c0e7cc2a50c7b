import PERC

/// Every benchmark case, in table order. `perc bench` and the Benchmarks/ package both run these.
///
/// To add a family of cases, write its operations as a `PacketOperation` (or a `BenchWorkload`),
/// build its workloads in `PacketWorkloads`, list its cases in a `static func …Cases()` and append
/// that in `all`. Double SRTP and the relay: `BenchCatalog+DoubleSRTP.swift`.
public enum BenchCatalog {
    /// The SRTP profiles compared against the baselines.
    public static let srtpProfiles: [SRTPProfile] = [
        .aeadAES128GCM, .aeadAES256GCM, .aesCM128HMACSHA1_80,
    ]

    /// The implementations of an SRTP/SRTCP group, floor first.
    public static let srtpImplementations: [BenchImplementation] = [
        .rawEVP, .openSSLEngine, .rawLibSRTP, .libsrtp2Engine,
    ]

    public static func all() -> [BenchCase] {
        srtpCases() + srtcpCases() + doubleSRTPCases() + ektCases()
    }

    /// SRTP protect and unprotect of every profile on every packet of `BenchPacket.rtpSet`.
    public static func srtpCases(packets: [BenchPacket] = BenchPacket.rtpSet) -> [BenchCase] {
        srtpProfiles.flatMap { profile in
            BenchDirection.endpoint.flatMap { direction in
                packets.flatMap { packet in
                    srtpImplementations.map { srtpCase(profile, direction, packet, $0) }
                }
            }
        }
    }

    /// SRTCP with AEAD_AES_128_GCM on a 52-octet sender report.
    public static func srtcpCases() -> [BenchCase] {
        BenchDirection.endpoint.flatMap { direction in
            srtpImplementations.map {
                srtpCase(.aeadAES128GCM, direction, .rtcpSenderReport, $0)
            }
        }
    }

    /// EKT (RFC 8870) FullEKTField build and parse+unwrap; no baseline.
    public static func ektCases() -> [BenchCase] {
        [
            BenchCase(
                group: "EKT FullEKTField build (AESKW_128)", implementation: .library,
                payloadLength: nil,
                make: { batchSize throws(BenchError) in
                    try EKTBuildWorkload(batchSize: batchSize)
                }),
            BenchCase(
                group: "EKT FullEKTField parse+unwrap (AESKW_128)", implementation: .library,
                payloadLength: nil,
                make: { batchSize throws(BenchError) in
                    try EKTUnwrapWorkload(batchSize: batchSize)
                }),
        ]
    }

    /// The group name of a packet case: "AEAD_AES_128_GCM protect 1200 B",
    /// "SRTCP AEAD_AES_128_GCM unprotect SR 52 B".
    public static func group(
        _ profile: SRTPProfile, _ direction: BenchDirection, _ packet: BenchPacket
    ) -> String {
        let prefix = packet.kind == .rtcp ? "SRTCP " : ""
        return "\(prefix)\(profile) \(direction) \(packet.name)"
    }

    /// One SRTP or SRTCP case.
    public static func srtpCase(
        _ profile: SRTPProfile, _ direction: BenchDirection, _ packet: BenchPacket,
        _ implementation: BenchImplementation
    ) -> BenchCase {
        BenchCase(
            group: group(profile, direction, packet), implementation: implementation,
            payloadLength: packet.payloadLength,
            make: { batchSize throws(BenchError) in
                try PacketWorkloads.make(
                    profile, direction, packet, implementation, batchSize: batchSize)
            })
    }
}
