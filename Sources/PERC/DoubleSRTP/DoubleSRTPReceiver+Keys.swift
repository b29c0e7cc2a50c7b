/// End-to-end keys of the senders a receiver hears (RFC 8871 §4.3: receivers keep each SSRC's key).
extension DoubleSRTPReceiver {
    /// Installs the end-to-end key of the sender of `ssrc` (usage `.srtpMaster`, sized for
    /// `profile.halfProfile`), replacing the key the SSRC had: its inner stream starts afresh at
    /// ROC `rolloverCounter` with an empty replay window. Revoking the key removes the SSRC.
    ///
    /// Throws `KeyStoreError` for a key that is unknown, revoked, expired, of another usage or size.
    public func setEndToEndKey(
        _ key: KeyHandle, in store: KeyStore, ssrc: UInt32, rolloverCounter: UInt32 = 0
    ) throws {
        let sender = try innerStream(
            key: key, in: store, ssrc: ssrc, rolloverCounter: rolloverCounter)
        try layers.withLayers { layers in layers.install(sender) }
        // Outside the lock: a key revoked meanwhile removes the sender at once.
        store.register(sender.keyWatch, for: key)
    }

    /// Forgets the end-to-end key and inner state of `ssrc` (RFC 8871 §4.3: discard old keys no
    /// later than leaving the conference).
    public func removeSender(ssrc: UInt32) throws(DoubleSRTPError) {
        try layers.withLayers { layers in layers.removeSender(ssrc: ssrc) }
    }

    /// Whether an end-to-end key is installed for `ssrc`.
    public func hasEndToEndKey(ssrc: UInt32) throws(DoubleSRTPError) -> Bool {
        try layers.withLayers { layers in layers.senders[ssrc] != nil }
    }

    /// A new inner stream of `ssrc` keyed with the end-to-end key `key`, starting at ROC
    /// `rolloverCounter`; not installed, not registered with the store (the caller registers it,
    /// so that revoking the key wipes it).
    func innerStream(key: KeyHandle, in store: KeyStore, ssrc: UInt32, rolloverCounter: UInt32)
        throws -> InnerReceiveStream
    {
        let (context, deadline) = try profile.withEndToEndKey(key, in: store) { key, salt in
            try profile.innerContext(masterKey: key, masterSalt: salt, sealing: false)
        }
        let replayWindow = try layers.withLayers { layers in layers.outer.replayWindowSize }
        return InnerReceiveStream(
            ssrc: ssrc, context: context, rolloverCounter: rolloverCounter,
            replayWindow: replayWindow, deadline: deadline, owner: layers)
    }
}
