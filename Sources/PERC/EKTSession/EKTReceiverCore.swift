/// The receive rules of EKT (RFC 8870 §4.3.2, §4.1; spec/ekt.md §6) for any transform: what
/// `EKTReceiver` runs for single SRTP, and what `PERCReceiver` runs for double SRTP with its own
/// `EKTReceiveKeying`. Not thread-safe: the owner serialises calls.
///
/// Per RTP packet, in order:
/// 1. The last octet names the EKT tag: Short (strip 1), Full (read backwards, never trusting a
///    length past the packet), an extension type with a length (discarded, RFC 8870 §4.1), or a
///    type without one (typed error). The rest is the SRTP packet, whose header gives the SSRC.
/// 2. Short: the SSRC's installed context unprotects the packet (`noKey` without one).
/// 3. Full, repeating the EKTCiphertext of the installed or pending key: no unwrap.
/// 4. Otherwise the SPI selects a live EKT key of the scope; the store unwraps and checks the
///    SSRC and the key length (RFC 8870 §4.3.2 steps 2–6). Every failure drops the packet; for
///    an SSRC mismatch step 5 would allow processing it, but a field moved between streams is a
///    sign of tampering.
/// 5. The key, by its fingerprint and epoch, is the installed one (process normally), an older
///    one (ignore the tag, process with the installed context: no rollback, RFC 8870 §4.1), or a
///    new one: a candidate context is built, takes over the SSRC's replay history, starts at the
///    field's ROC and must authenticate the packet; only then is it installed and the old one
///    wiped. A failing candidate is wiped, unless the packet authenticates with the installed key
///    instead — the sender announced its next key early — in which case it is held as pending.
///
/// Any failure throws and leaves the packet and every piece of state as they were.
struct EKTReceiverCore<Keying: EKTReceiveKeying>: Sendable {
    typealias Context = Keying.Context
    typealias Failure = EKTReceiveFailure<Context.Failure>

    let keying: Keying
    let store: KeyStore
    let scope: KeyScope
    let fingerprinter: EKTKeyFingerprinter
    /// How many replaced key fingerprints each SSRC remembers.
    let historyLimit: Int
    private(set) var streams: [UInt32: EKTReceiverState<Context>] = [:]
    private(set) var rekeys: EKTRekeyOverlap

    init(
        keying: Keying, store: KeyStore, scope: KeyScope, overlap: UInt64, historyLimit: Int
    ) throws(Failure) {
        self.keying = keying
        self.store = store
        self.scope = scope
        self.historyLimit = historyLimit
        rekeys = EKTRekeyOverlap(overlap: overlap)
        do {
            fingerprinter = try EKTKeyFingerprinter()
        } catch {
            throw .ekt(.keyStore(error))
        }
    }

    // MARK: RTP

    mutating func unprotectRTP(_ packet: UnsafeMutableRawBufferPointer, length: Int, now: UInt64)
        throws(Failure) -> Context.Received
    {
        retireOlderEKTKeys(now: now)
        let bytes = UnsafeRawBufferPointer(packet)
        let tag = try Self.ekt { () throws(EKTError) in
            try EKTReceivedTag(endingAt: length, in: bytes)
        }
        let srtpLength = length - tag.length
        let ssrc: UInt32
        do {
            ssrc = try Context.ssrc(ofRTP: bytes, length: srtpLength)
        } catch {
            throw .transform(error)
        }
        guard case .full(let location) = tag else {
            return try unprotectWithInstalled(packet, length: srtpLength, ssrc: ssrc, now: now)
        }
        // RFC 8870 §4.3.2: a receiver MAY compare the EKTCiphertext with the last one instead of
        // unwrapping; under one SPI the same ciphertext is the same key, SSRC and ROC.
        if let state = streams[ssrc] {
            if state.installed.isRepeated(by: location, in: bytes) {
                return try unprotectWithInstalled(packet, length: srtpLength, ssrc: ssrc, now: now)
            }
            if let pending = state.pending, pending.isRepeated(by: location, in: bytes) {
                return try trial(
                    pending, isPending: true, roc: pending.roc, packet, length: srtpLength,
                    ssrc: ssrc, now: now)
            }
        }
        return try unprotect(
            packet, length: srtpLength, ssrc: ssrc, carrying: location, now: now)
    }

    /// Steps 4 and 5 for a FullEKTField not seen before on this SSRC.
    private mutating func unprotect(
        _ packet: UnsafeMutableRawBufferPointer, length: Int, ssrc: UInt32,
        carrying location: FullEKTField.Location, now: UInt64
    ) throws(Failure) -> Context.Received {
        let (field, ektKey, unwrapped) = try Self.ekt { () throws(EKTError) in
            let field = try FullEKTField(at: location, in: UnsafeRawBufferPointer(packet))
            // RFC 8870 §4.3.2 step 2: no parameter set for the SPI → authentication failure.
            // Expired EKT keys are not listed (RFC 8870 §5.2.2: not used after ekt_ttl).
            guard let ektKey = store.ektKey(spi: field.spi, scope: scope) else {
                throw .unknownSPI(field.spi)
            }
            // Steps 3–6: unwrap (integrity), SSRC, key length; the salt comes with the EKT key.
            let unwrapped = try store.unwrapFullEKTField(
                field, ektKey: ektKey, packetSSRC: ssrc,
                expectedMasterKeyLength: keying.masterKeyLength)
            return (field, ektKey, unwrapped)
        }
        defer {
            unwrapped.masterKey.wipe()
            unwrapped.masterSalt.wipe()
        }
        let fingerprint = try Self.ekt { () throws(EKTError) in
            try fingerprinter.fingerprint(of: unwrapped.masterKey)
        }
        switch streams[ssrc]?.judge(fingerprint, spi: field.spi, epoch: field.epoch) ?? .new {
        case .installed:
            // The same key with another ciphertext: the ROC moved on. Remember the new one.
            let received = try unprotectWithInstalled(packet, length: length, ssrc: ssrc, now: now)
            streams[ssrc]?.noteRepeat(ciphertext: field.ciphertext, of: fingerprint)
            rekeys.note(.init(handle: ektKey, spi: field.spi), now: now)
            return received
        case .pending:
            // The held key, with the ROC of this field.
            return try trial(
                streams[ssrc]!.pending!, isPending: true, roc: unwrapped.roc, packet,
                length: length, ssrc: ssrc, now: now)
        case .stale:
            // RFC 8870 §4.1: no rollback; the tag is ignored and the packet processed as is.
            do {
                return try unprotectWithInstalled(packet, length: length, ssrc: ssrc, now: now)
            } catch {
                if case .transform(let failure) = error,
                    Context.trialFailure(failure) == .authentication
                {
                    throw .staleKey(ssrc: ssrc, spi: field.spi, epoch: field.epoch)
                }
                throw error
            }
        case .new:
            let candidate = EKTKeyedContext(
                context: try keying.makeContext(from: unwrapped, store: store, scope: scope),
                ektKey: ektKey, spi: field.spi, epoch: field.epoch, roc: unwrapped.roc,
                fingerprint: fingerprint, ciphertext: field.ciphertext)
            return try trial(
                candidate, isPending: false, roc: candidate.roc, packet, length: length,
                ssrc: ssrc, now: now)
        }
    }

    /// Unprotects with the SSRC's installed context; if that fails to authenticate and a key was
    /// announced early (pending), trials that one.
    private mutating func unprotectWithInstalled(
        _ packet: UnsafeMutableRawBufferPointer, length: Int, ssrc: UInt32, now: UInt64
    ) throws(Failure) -> Context.Received {
        guard let state = streams[ssrc] else { throw .noKey(ssrc: ssrc) }
        do {
            return try state.installed.context.unprotectRTP(packet, length: length)
        } catch {
            if Context.trialFailure(error) == .authentication, let pending = state.pending,
                let received = try? attempt(pending.context, roc: nil, packet, length, ssrc)
            {
                commit(pending, ssrc: ssrc, now: now)
                return received
            }
            throw .transform(error)
        }
    }

    /// Trials `candidate` on the packet that carried its key with the ROC `roc` from the field,
    /// and installs it on success.
    private mutating func trial(
        _ candidate: EKTKeyedContext<Context>, isPending: Bool, roc: UInt32,
        _ packet: UnsafeMutableRawBufferPointer, length: Int, ssrc: UInt32, now: UInt64
    ) throws(Failure) -> Context.Received {
        do {
            let received = try attempt(candidate.context, roc: roc, packet, length, ssrc)
            commit(candidate, ssrc: ssrc, now: now)
            return received
        } catch {
            // Not the candidate's packet: it may still be the installed key's, with the new key
            // announced early (RFC 8870 §4.3.2 and the 250 ms of §4.6), or a late packet.
            let failure = Context.trialFailure(error)
            if failure != nil, let installed = streams[ssrc]?.installed,
                let received = try? installed.context.unprotectRTP(packet, length: length)
            {
                // A key whose packet was ahead of the stream but under the installed key is the
                // sender's next key: hold it. One behind the stream cannot be.
                if !isPending {
                    if failure == .authentication {
                        streams[ssrc]?.hold(candidate)?.discard()
                    } else {
                        candidate.context.discard()
                    }
                }
                return received
            }
            if !isPending { candidate.context.discard() }
            throw .transform(error)
        }
    }

    /// Unprotects with `context` continuing the SSRC's stream, without committing anything.
    private func attempt(
        _ context: Context, roc: UInt32?, _ packet: UnsafeMutableRawBufferPointer, _ length: Int,
        _ ssrc: UInt32
    ) throws(Context.Failure) -> Context.Received {
        try context.continueStream(
            ssrc, from: streams[ssrc]?.installed.context, roc: roc,
            packet: UnsafeRawBufferPointer(packet), length: length)
        return try context.unprotectRTP(packet, length: length)
    }

    /// RFC 8870 §4.3.2 step 9: the key authenticated its packet; it becomes the SSRC's key, and
    /// the key (and context) it replaces is wiped.
    private mutating func commit(_ key: EKTKeyedContext<Context>, ssrc: UInt32, now: UInt64) {
        rekeys.note(.init(handle: key.ektKey, spi: key.spi), now: now)
        guard streams[ssrc] != nil else {
            streams[ssrc] = EKTReceiverState(installed: key)
            return
        }
        let replaced = streams[ssrc]!.install(key, historyLimit: historyLimit)
        for context in replaced { context.discard() }
    }

    private static func ekt<R>(_ body: () throws(EKTError) -> R) throws(Failure) -> R {
        do {
            return try body()
        } catch {
            throw .ekt(error)
        }
    }

    // MARK: Rekey overlap

    /// The application added `ektKey` to the scope: it is the newest key from `now` on.
    mutating func ektKeyAdded(_ ektKey: KeyHandle, now: UInt64) throws(Failure) {
        let info: KeyStore.EKTKeyInfo
        do {
            info = try store.ektKeyInfo(ektKey)
        } catch {
            throw .ekt(error)
        }
        guard info.scope == scope else {
            throw .ekt(.invalidArgument("EKT key of scope \(info.scope), receiver of \(scope)"))
        }
        rekeys.note(.init(handle: ektKey, spi: info.spi), now: now)
    }

    /// Once the overlap after the newest EKT key has passed: revokes the older EKT keys, wipes the
    /// SSRCs keyed under them (a sender still on an old key is no longer heard; RFC 8870 §6: an
    /// endpoint that missed a rekey must not keep going) and forgets their SPIs' epochs.
    /// What the receiver has learned for `ssrc`, after retiring EKT keys past their overlap.
    mutating func stream(ssrc: UInt32, now: UInt64) -> EKTReceivedStream? {
        retireOlderEKTKeys(now: now)
        return streams[ssrc].map { state in
            EKTReceivedStream(
                ssrc: ssrc, spi: state.installed.spi, epoch: state.installed.epoch,
                rolloverCounter: state.installed.context.rolloverCounter(ssrc: ssrc),
                hasAnnouncedKey: state.pending != nil)
        }
    }

    /// The SSRCs the receiver has a key for, after retiring EKT keys past their overlap.
    mutating func ssrcs(now: UInt64) -> [UInt32] {
        retireOlderEKTKeys(now: now)
        return Array(streams.keys)
    }

    mutating func retireOlderEKTKeys(now: UInt64) {
        guard let deadline = rekeys.deadline, now >= deadline else { return }
        let retired = rekeys.takeRetired(now: now)
        let handles = Set(retired.map(\.handle))
        var spis = Set(retired.map(\.spi))
        if let newest = rekeys.newest { spis.remove(newest.key.spi) }
        for key in retired { store.revoke(key.handle) }
        for ssrc in Array(streams.keys) {
            if handles.contains(streams[ssrc]!.installed.ektKey) {
                forget(ssrc: ssrc)
            } else if let dropped = streams[ssrc]!.forget(ektKeys: handles, spis: spis) {
                dropped.discard()
            }
        }
    }

    // MARK: Streams

    /// Wipes the contexts of `ssrc` and forgets it.
    mutating func forget(ssrc: UInt32) {
        guard let state = streams.removeValue(forKey: ssrc) else { return }
        state.installed.context.discard()
        state.pending?.context.discard()
    }

    /// Wipes every context.
    mutating func forgetAll() {
        for ssrc in Array(streams.keys) { forget(ssrc: ssrc) }
    }
}

/// The EKT tag at the end of a received packet (RFC 8870 §4.1), located without copying.
enum EKTReceivedTag {
    case short
    case full(FullEKTField.Location)
    /// An ExtensionEKTField of a type this library does not know: RFC 8870 §4.1 — the receiver
    /// MUST discard the whole tag; its length precedes the type.
    case discarded(length: Int)

    /// Octets the tag takes at the end of the packet.
    var length: Int {
        switch self {
        case .short: 1
        case .full(let location): location.encodedLength
        case .discarded(let length): length
        }
    }

    /// Throws `EKTError.malformed` for an unparseable Full field and
    /// `EKTError.unknownMessageType` for a type without a length (1, 255) or whose length does
    /// not fit the packet.
    init(endingAt length: Int, in packet: UnsafeRawBufferPointer) throws(EKTError) {
        guard length >= 1, length <= packet.count else { throw .malformed(.truncated) }
        switch packet[length - 1] {
        case EKTField.MessageType.short:
            self = .short
        case EKTField.MessageType.full:
            self = .full(try FullEKTField.Location(endingAt: length, in: packet))
        default:
            do {
                _ = try EKTField.parse(packet, length: length)
                preconditionFailure("EKTField.parse accepted an unknown message type")
            } catch .unknownMessageType(_, let tagLength?) {
                self = .discarded(length: tagLength)
            }
        }
    }
}
