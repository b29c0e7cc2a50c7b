import PERC

/// Double SRTP (RFC 8723) with DOUBLE_AEAD_AES_128_GCM_AEAD_AES_128_GCM: endpoint send and
/// receive, and the Media Distributor relay, on 160 B and 1200 B payloads: the raw EVP floor
/// (both GCM passes, nothing else) and the library (`DoubleSRTPSender.protect`,
/// `DoubleSRTPReceiver.receive`, `MediaDistributor.relay`, `DoubleSRTPOperations.swift`). The
/// relay case relays packets the library's sender protected fresh before each batch.
extension BenchCatalog {
    public static let doubleProfileName = "DOUBLE_AEAD_AES_128_GCM_AEAD_AES_128_GCM"

    static let doubleImplementations: [BenchImplementation] = [.rawEVP, .openSSLEngine]

    public static func doubleSRTPCases() -> [BenchCase] {
        BenchDirection.allCases.flatMap { direction in
            [160, 1200].flatMap { payloadLength in
                doubleImplementations.map { implementation in
                    let packet = BenchPacket.synthetic(payloadLength: payloadLength)
                    return BenchCase(
                        group: "\(doubleProfileName) \(direction) \(packet.name)",
                        implementation: implementation, payloadLength: packet.payloadLength,
                        make: { batchSize throws(BenchError) in
                            try PacketWorkloads.makeDouble(
                                direction, packet, implementation, batchSize: batchSize)
                        })
                }
            }
        }
    }
}
