/// A receive context and the EKT facts of the key it was built from.
struct EKTKeyedContext<Context: EKTReceiveContext>: Sendable {
    let context: Context
    /// The EKT key whose FullEKTField delivered the key, and its SPI.
    let ektKey: KeyHandle
    let spi: UInt16
    /// The epoch the key was announced with (RFC 8870 §4.1). Not authenticated by anything.
    let epoch: UInt16
    /// The ROC the Full field carried.
    let roc: UInt32
    let fingerprint: EKTKeyFingerprint
    /// The EKTCiphertext that last delivered this key under `spi`: a Full field repeating it is
    /// the same key, SSRC and ROC and needs no unwrap (RFC 8870 §4.3.2; §6: CPU cost).
    var ciphertext: [UInt8]

    /// Whether the Full field at `location` in `packet` repeats `ciphertext` under `spi`.
    func isRepeated(by location: FullEKTField.Location, in packet: UnsafeRawBufferPointer) -> Bool {
        location.spi == spi && location.ciphertext.count == ciphertext.count
            && UnsafeRawBufferPointer(rebasing: packet[location.ciphertext]).elementsEqual(
                ciphertext)
    }
}

/// What a receiver knows about one SSRC of an EKT stream.
struct EKTReceiverState<Context: EKTReceiveContext>: Sendable {
    /// The key the SSRC's packets authenticate with, and its context.
    private(set) var installed: EKTKeyedContext<Context>
    /// A key announced in a FullEKTField whose packet still authenticated with `installed`: a
    /// sender following RFC 8870 §4.6's 250 ms recommendation announces a key before using it. It
    /// replaces `installed` when a packet first authenticates with it (RFC 8870 §4.3.2: receivers
    /// MAY trial-decrypt with the old and the new key).
    private(set) var pending: EKTKeyedContext<Context>?
    /// RFC 8870 §4.1: per SPI, the highest epoch installed for this SSRC.
    private(set) var epochs: [UInt16: UInt16]
    /// Fingerprints of the keys this SSRC replaced, oldest first. The epoch is not authenticated:
    /// anyone can raise it on a replayed Full field, so an old key is refused by its fingerprint
    /// whatever epoch it comes with.
    private(set) var retired: [EKTKeyFingerprint] = []

    init(installed: EKTKeyedContext<Context>) {
        self.installed = installed
        epochs = [installed.spi: installed.epoch]
    }

    /// How a key offered in a FullEKTField relates to what the SSRC has.
    enum Judgement: Equatable {
        /// The installed key: nothing new.
        case installed
        /// The key held as pending.
        case pending
        /// An older key: RFC 8870 §4.1 — ignore the tag, keep the installed key.
        case stale
        /// A key to trial.
        case new
    }

    func judge(_ fingerprint: EKTKeyFingerprint, spi: UInt16, epoch: UInt16) -> Judgement {
        if fingerprint == installed.fingerprint { return .installed }
        if let pending, fingerprint == pending.fingerprint { return .pending }
        if retired.contains(fingerprint) { return .stale }
        // RFC 8870 §4.1: an epoch ≤ one already seen for this SPI and SSRC is rejected.
        if let seen = epochs[spi], epoch <= seen { return .stale }
        return .new
    }

    /// Makes `key` the installed key and returns the contexts it replaced, for the caller to
    /// discard. At most `historyLimit` retired fingerprints are kept.
    mutating func install(_ key: EKTKeyedContext<Context>, historyLimit: Int) -> [Context] {
        var replaced = [installed.context]
        retired.append(installed.fingerprint)
        if retired.count > historyLimit { retired.removeFirst(retired.count - historyLimit) }
        if let pending, pending.context !== key.context { replaced.append(pending.context) }
        pending = nil
        installed = key
        epochs[key.spi] = max(epochs[key.spi] ?? 0, key.epoch)
        return replaced
    }

    /// Holds `key` as pending; returns the pending context it replaced, if any.
    mutating func hold(_ key: EKTKeyedContext<Context>) -> Context? {
        defer { pending = key }
        return pending.map(\.context)
    }

    /// Remembers the newest EKTCiphertext of the installed key (it changes with the ROC), if the
    /// installed key is still the one with `fingerprint`.
    mutating func noteRepeat(ciphertext: [UInt8], of fingerprint: EKTKeyFingerprint) {
        guard installed.fingerprint == fingerprint else { return }
        installed.ciphertext = ciphertext
    }

    /// Drops what came under retired EKT keys: the pending key if its EKT key is in `ektKeys`,
    /// and the epochs of `spis`, which may be given to new EKT keys later. Returns the pending
    /// context dropped, if any.
    mutating func forget(ektKeys: Set<KeyHandle>, spis: Set<UInt16>) -> Context? {
        for spi in spis { epochs[spi] = nil }
        guard let pending, ektKeys.contains(pending.ektKey) else { return nil }
        self.pending = nil
        return pending.context
    }
}
