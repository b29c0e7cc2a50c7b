/// The per-packet EKT work of a sender, for any transform: which EKT tag each packet gets
/// (`EKTSenderSchedule`), the ROC that goes into a Full field, and the Full fields themselves,
/// wrapped once per SSRC, key and ROC. `EKTSender` runs it around an `SRTPSession`; a double SRTP
/// endpoint runs it with its inner (end-to-end) key, `wrappedKeyLength` set to the inner key's
/// length and the inner SEQ (RFC 8723 §5.1, RFC 8870 §4.3.2 step 6). Not thread-safe: the owner
/// serialises calls.
///
/// Per packet: `prepare` (before protecting; changes nothing), protect, `Tag.write` after the
/// protected packet, then `commit`.
struct EKTSenderTags: Sendable {
    /// RFC 8870 §4.4.1: an AESKW EKT key wraps at most T = 2^48 FullEKTFields.
    static let wrapLimit: UInt64 = 1 << 48

    let schedule: EKTSenderSchedule
    private(set) var streams: [UInt32: EKTSenderStream] = [:]
    /// FullEKTFields wrapped under the current EKT key; a cached field re-sent counts once
    /// (RFC 8870 §4.4). Reset with `ektKeyChanged()`.
    private(set) var wraps: UInt64 = 0

    init(schedule: EKTSenderSchedule) {
        self.schedule = schedule
    }

    /// The length of the FullEKTField of a `wrappedKeyLength`-octet master key with its SSRC and
    /// ROC (RFC 8870 §4.1): 47 octets for 16-octet keys, 63 for 32.
    static func fullFieldLength(wrappedKeyLength: Int) -> Int {
        EKTCipher.ciphertextLength(plaintextLength: 1 + wrappedKeyLength + 8)
            + FullEKTField.trailerLength
    }

    /// The key the tags carry.
    struct Key {
        let ektKey: KeyHandle
        /// The SRTP master key; for double, the whole double key.
        let masterKey: KeyHandle
        /// RFC 8870 §4.1: keys sent under the EKT key before this one.
        let epoch: UInt16
        /// Counts keys over the sender's life; a stream notices a new key by it.
        let generation: UInt64
        /// Wrap only the leading octets of the master key (double: the inner half); nil: all.
        var wrappedKeyLength: Int? = nil
    }

    /// The tag decided for one packet, and the stream state to commit once it is protected.
    struct Tag {
        let ssrc: UInt32
        /// The packet's index: its ROC is what the Full field carries (RFC 8870 §4.3.1 step 2).
        let estimate: RolloverEstimator.Estimate
        /// The Full field, or nil for a ShortEKTField.
        let field: EKTFullFieldCache?
        /// The stream's first packet under a new key: the transform's context for the key has
        /// not seen the stream yet and must continue it at `estimate.roc`.
        let isFirstUnderKey: Bool
        fileprivate let stream: EKTSenderStream

        /// Octets the tag takes.
        var length: Int { field?.bytes.count ?? 1 }

        /// Writes the tag at `offset`, right after the protected packet (RFC 8870 §4: after the
        /// authentication tag), and returns the end. The caller checked the room.
        func write(into buffer: UnsafeMutableRawBufferPointer, at offset: Int) -> Int {
            guard let field else {
                buffer[offset] = EKTField.MessageType.short  // RFC 8870 §4.1
                return offset + 1
            }
            let end = offset + field.bytes.count
            UnsafeMutableRawBufferPointer(rebasing: buffer[offset..<end]).copyBytes(
                from: field.bytes)
            return end
        }
    }

    /// Decides the tag for the next packet of `ssrc` with SEQ `sequence` at `now`, wrapping a new
    /// Full field if the cached one is for another key or ROC. Changes nothing.
    func prepare(
        ssrc: UInt32, sequence: UInt16, key: Key, store: KeyStore, now: UInt64
    ) throws(EKTSessionError) -> Tag {
        var stream =
            streams[ssrc] ?? EKTSenderStream(schedule: schedule, generation: key.generation)
        let isFirstUnderKey = stream.generation != key.generation
        if isFirstUnderKey { schedule.keyChanged(&stream.schedule) }  // RFC 8870 §4.6: rekey
        guard let estimate = stream.index.estimate(sequence) else { throw .srtp(.indexExhausted) }
        let field =
            schedule.wantsFull(stream.schedule, now: now)
            ? try fullField(
                cached: stream.fullField, ssrc: ssrc, roc: estimate.roc, key: key, store: store)
            : nil
        return Tag(
            ssrc: ssrc, estimate: estimate, field: field, isFirstUnderKey: isFirstUnderKey,
            stream: stream)
    }

    /// Records a packet sent with `tag` under `key`.
    mutating func commit(_ tag: Tag, key: Key, now: UInt64) {
        var stream = tag.stream
        stream.index.update(tag.estimate)
        schedule.record(&stream.schedule, full: tag.field != nil, now: now)
        stream.generation = key.generation
        if let field = tag.field, field !== stream.fullField {
            wraps += 1
            stream.fullField = field
        }
        streams[tag.ssrc] = stream
    }

    /// A new EKT key: the usage count starts again.
    mutating func ektKeyChanged() {
        wraps = 0
    }

    /// The FullEKTField for `key` and `roc`: `cached` if it is that one, else a new one wrapped
    /// now (RFC 8870 §4.3.1: the ciphertext only changes with the key or the ROC).
    private func fullField(
        cached: EKTFullFieldCache?, ssrc: UInt32, roc: UInt32, key: Key, store: KeyStore
    ) throws(EKTSessionError) -> EKTFullFieldCache {
        if let cached, cached.generation == key.generation, cached.roc == roc { return cached }
        // RFC 8870 §4.4: at most T encryptions under one EKT key; rekey beyond.
        guard wraps < Self.wrapLimit else {
            throw .ekt(.invalidArgument("EKT key usage limit reached; rekey"))
        }
        let field: FullEKTField
        do {
            field = try store.makeFullEKTField(
                ektKey: key.ektKey, srtpMasterKey: key.masterKey, ssrc: ssrc, roc: roc,
                epoch: key.epoch, wrappedKeyLength: key.wrappedKeyLength)
        } catch {
            throw .ekt(error)
        }
        return EKTFullFieldCache(generation: key.generation, roc: roc, bytes: field.bytes)
    }
}

/// Per-SSRC state of an EKT sender.
struct EKTSenderStream: Sendable {
    /// The stream's ROC and highest SEQ, as the transform tracks them: the sender needs the ROC
    /// of each packet before protecting it, to put it in the Full field (RFC 8870 §4.3.1).
    var index = RolloverEstimator()
    var schedule: EKTSenderSchedule.Stream
    /// The key generation of the stream's last packet.
    var generation: UInt64
    var fullField: EKTFullFieldCache?

    init(schedule: EKTSenderSchedule, generation: UInt64) {
        self.schedule = EKTSenderSchedule.Stream(schedule: schedule)
        self.generation = generation
    }
}

/// The FullEKTField of one SSRC, as it goes on the wire. RFC 8870 §4.3.1: the ciphertext is the
/// same for the same EKT key, master key, SSRC and ROC, so it is wrapped once and re-sent until
/// the key (`generation`) or the ROC changes. Nothing in it is secret. A class, so a packet
/// re-sending it only retains it.
final class EKTFullFieldCache: Sendable {
    let generation: UInt64
    let roc: UInt32
    let bytes: [UInt8]

    init(generation: UInt64, roc: UInt32, bytes: [UInt8]) {
        self.generation = generation
        self.roc = roc
        self.bytes = bytes
    }
}
