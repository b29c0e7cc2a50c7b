import PERC

/// Double SRTP (RFC 8723) with DOUBLE_AEAD_AES_128_GCM_AEAD_AES_128_GCM: endpoint send and
/// receive, and the Media Distributor relay, on 160 B and 1200 B payloads.
///
/// Only the raw EVP floors exist so far. To add the library's rows: add `.openSSLEngine` to
/// `doubleImplementations` and build its operations in `PacketWorkloads.makeDouble` (a
/// `PacketOperation` around the endpoint's protect/unprotect and around the relay call; the relay
/// case's `sender` is the endpoint's protect, so it relays freshly sent packets).
extension BenchCatalog {
    public static let doubleProfileName = "DOUBLE_AEAD_AES_128_GCM_AEAD_AES_128_GCM"

    static let doubleImplementations: [BenchImplementation] = [.rawEVP]

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
