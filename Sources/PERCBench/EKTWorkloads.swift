@_spi(Benchmarks) import PERC

/// EKT key material for the EKT cases: an AESKW_128 EKT key (SPI 1) and an AEAD_AES_128_GCM
/// master key, both in one store.
struct EKTSetup {
    static let profile = SRTPProfile.aeadAES128GCM
    static let ssrc: UInt32 = 0xCAFE_BABE

    let store: KeyStore
    let ektKey: KeyHandle
    let masterKey: KeyHandle

    init() throws(BenchError) {
        store = KeyStore()
        let keys = BenchKeys(profile: Self.profile)
        do {
            ektKey = try store.importEKTKey(
                (0..<16).map { UInt8(0xA0 &+ $0) },
                parameters: EKTParameters(cipher: .aeskw128, spi: 1, masterSalt: keys.masterSalt))
            masterKey = try store.importSRTPMasterKey(
                keys.masterKey, salt: keys.masterSalt, for: Self.profile)
        } catch {
            throw BenchError("EKT keys: \(error)")
        }
    }

    func makeField() throws(BenchError) -> FullEKTField {
        do {
            return try store.makeFullEKTField(
                ektKey: ektKey, srtpMasterKey: masterKey, ssrc: Self.ssrc, roc: 0, epoch: 0)
        } catch {
            throw BenchError("makeFullEKTField: \(error)")
        }
    }
}

/// RFC 8870 §4.3.1: a sender builds the FullEKTField for its current master key
/// (`KeyStore.makeFullEKTField`: unseal, EKTPlaintext, AES key wrap with padding).
final class EKTBuildWorkload: BenchWorkload {
    private let setup: EKTSetup
    let batchSize: Int
    /// Keeps the result observable so the work cannot be optimised away.
    private(set) var sink = 0

    init(batchSize: Int) throws(BenchError) {
        setup = try EKTSetup()
        self.batchSize = batchSize
    }

    func prepareBatch() {}

    func runBatch() throws(BenchError) {
        for _ in 0..<batchSize {
            sink &+= try setup.makeField().encodedLength
        }
    }
}

/// RFC 8870 §4.3.2: a receiver reads the EKT field at the end of an SRTP packet
/// (`EKTField.parse`) and unwraps it (SPI lookup, AES key unwrap, SSRC and key length checks),
/// on a GCM-128 SRTP packet of 160 B payload followed by a FullEKTField.
final class EKTUnwrapWorkload: BenchWorkload {
    private let setup: EKTSetup
    private let packet: [UInt8]
    let batchSize: Int
    private(set) var sink: UInt32 = 0

    init(batchSize: Int) throws(BenchError) {
        setup = try EKTSetup()
        self.batchSize = batchSize
        let srtp = BenchPacket.synthetic(payloadLength: 160)
        packet =
            srtp.header + srtp.payload + [UInt8](repeating: 0x5A, count: 16)
            + (try setup.makeField()).bytes
    }

    func prepareBatch() {}

    func runBatch() throws(BenchError) {
        let setup = self.setup
        let outcome = packet.withUnsafeBytes { bytes in
            Result { () throws(BenchError) -> UInt32 in
                var sink: UInt32 = 0
                for _ in 0..<batchSize {
                    sink &+= try Self.parseAndUnwrap(bytes, setup: setup)
                }
                return sink
            }
        }
        sink &+= try outcome.get()
    }

    @inline(__always)
    private static func parseAndUnwrap(_ packet: UnsafeRawBufferPointer, setup: EKTSetup)
        throws(BenchError) -> UInt32
    {
        do {
            let (field, _) = try EKTField.parse(packet, length: packet.count)
            guard case .full(let full) = field else { throw BenchError("not a FullEKTField") }
            let unwrapped = try setup.store.benchmarkUnwrapFullEKTField(
                full, scope: .unscoped, packetSSRC: EKTSetup.ssrc,
                expectedMasterKeyLength: EKTSetup.profile.masterKeyLength)
            return unwrapped.roc &+ unwrapped.ssrc
        } catch let error as BenchError {
            throw error
        } catch {
            throw BenchError("EKT parse+unwrap: \(error)")
        }
    }
}
