/// The unit a benchmark times: a batch of operations, readied untimed by `prepareBatch` and
/// processed timed by `runBatch`. A workload owns everything it needs (sessions, key stores,
/// buffers) and keeps its state across batches, so batch after batch is fresh for its receiver.
public protocol BenchWorkload: AnyObject {
    /// Operations (packets) per batch.
    var batchSize: Int { get }
    /// Readies the next batch (writes plaintext, or protects fresh packets for an unprotect
    /// case). Not timed.
    func prepareBatch() throws(BenchError)
    /// Processes the batch readied last. Timed.
    func runBatch() throws(BenchError)
}

/// A benchmark that could not run: an operation failed where it must succeed.
public struct BenchError: Error, CustomStringConvertible {
    public let description: String

    init(_ description: String) {
        self.description = description
    }
}

/// One in-place packet transform on some implementation: protect, unprotect or relay.
protocol PacketOperation {
    /// Transforms the packet of `length` octets in `packet` (whose count is its capacity) and
    /// returns the new length. `index` is the packet's ROC‖SEQ (RTP) or SRTCP index, which only
    /// the raw baselines, having no stream state, need.
    func apply(_ packet: UnsafeMutableRawBufferPointer, length: Int, index: UInt64)
        throws(BenchError) -> Int
}

/// Packets on a ring of buffers, one operation each per batch.
///
/// Fresh packets every batch: `prepareBatch` writes the plaintext template into every slot with
/// the next indices (SEQ increasing across batches, so the receiver's replay window sees each
/// index once) and, for an unprotect or relay case, runs `sender` on it. `runBatch` then applies
/// `operation` to every slot, nothing else. The same method serves every implementation, the
/// baselines included, so ratios compare like with like.
///
/// The class is not generic: its loops are closures made in the generic `init`, which the
/// compiler specialises for each operation type, so every packet is a direct call (a generic
/// class called through `any BenchWorkload` would run unspecialised code, copying the operation
/// through value witnesses).
final class RingWorkload: BenchWorkload {
    typealias Step = (UnsafeMutableRawBufferPointer, Int, UInt64) throws(BenchError) -> Int

    private let ring: PacketRing
    private let packet: BenchPacket
    private let process: (PacketRing, [Int], UInt64) throws(BenchError) -> Void
    private let sender: Step?
    /// Index of the first packet of the next batch.
    private var nextIndex: UInt64
    /// Index of the first packet of the batch readied last.
    private var batchIndex: UInt64 = 0
    private var lengths: [Int]
    /// Objects the operations need alive (the key store of a session).
    private let retained: [AnyObject]

    var batchSize: Int { ring.count }

    /// - Parameters:
    ///   - sender: runs on each fresh plaintext before the batch (protects it for an unprotect or
    ///     relay case); nil to hand `operation` the plaintext (protect cases).
    ///   - firstIndex: the first packet's index; RTCP indices start at 1, as libsrtp2 numbers.
    ///   - retaining: objects to keep alive as long as the workload.
    init<Operation: PacketOperation, Sender: PacketOperation>(
        packet: BenchPacket, batchSize: Int, operation: Operation, sender: Sender?,
        firstIndex: UInt64 = 0, retaining: [AnyObject] = []
    ) {
        // Room for the largest overhead: a relayed double packet adds 35 octets.
        ring = PacketRing(count: batchSize, capacity: packet.length + 64)
        self.packet = packet
        process = { ring, lengths, first throws(BenchError) in
            for i in 0..<ring.count {
                _ = try operation.apply(ring.slot(i), length: lengths[i], index: first + UInt64(i))
            }
        }
        if let sender {
            self.sender = { packet, length, index throws(BenchError) in
                try sender.apply(packet, length: length, index: index)
            }
        } else {
            self.sender = nil
        }
        nextIndex = firstIndex
        lengths = Array(repeating: 0, count: batchSize)
        retained = retaining
    }

    /// A protect case: `operation` gets the plaintext.
    convenience init<Operation: PacketOperation>(
        packet: BenchPacket, batchSize: Int, operation: Operation, firstIndex: UInt64 = 0,
        retaining: [AnyObject] = []
    ) {
        self.init(
            packet: packet, batchSize: batchSize, operation: operation,
            sender: Operation?.none, firstIndex: firstIndex, retaining: retaining)
    }

    func prepareBatch() throws(BenchError) {
        batchIndex = nextIndex
        for i in 0..<ring.count {
            let slot = ring.slot(i)
            let index = batchIndex + UInt64(i)
            let plain = packet.write(into: slot, index: index)
            lengths[i] = try sender?(slot, plain, index) ?? plain
        }
        nextIndex += UInt64(ring.count)
    }

    func runBatch() throws(BenchError) {
        try process(ring, lengths, batchIndex)
    }
}
