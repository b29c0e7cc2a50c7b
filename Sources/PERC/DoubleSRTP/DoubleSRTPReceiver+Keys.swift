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
        let ((context, material), deadline) = try profile.withEndToEndKey(key, in: store) {
            key, salt in
            (
                try profile.innerContext(masterKey: key, masterSalt: salt, sealing: false),
                EndToEndKeyMaterial(
                    key: try SealedBytes(copying: key), salt: try SealedBytes(copying: salt))
            )
        }
        let sender = try layers.withLayers { layers in
            let sender = InnerReceiveStream(
                ssrc: ssrc, context: context, material: material, rolloverCounter: rolloverCounter,
                replayWindow: layers.outer.replayWindowSize, deadline: deadline,
                owner: self.layers)
            layers.install(sender)
            return sender
        }
        // Outside the lock: a key revoked meanwhile removes the sender at once.
        store.register(sender, for: key)
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

    /// Receives a packet trying `candidate` as its sender's end-to-end key — the key just learned
    /// from the packet's FullEKTField (RFC 8870 §4.3.2) — and installs the candidate for the
    /// packet's SSRC only if both layers verify ("trial on this packet, commit on success").
    /// On any failure nothing changes: not the buffer, not the installed key, not any state.
    ///
    /// A candidate equal to the key installed for the SSRC (the same FullEKTField repeated, or
    /// the same key with a new ROC) is that key: the installed stream and its ROC and replay list
    /// are used, never reset. A different key's stream starts at the candidate's ROC with an empty
    /// replay window: when to try one at all (new SSRC, new epoch or SPI, not an older key a
    /// distributor replays with old packets) is the EKT policy's decision, made before this call.
    func receive(
        _ buffer: UnsafeMutableRawBufferPointer, length: Int, candidate: EndToEndKeyCandidate
    ) throws(DoubleSRTPError) -> DoubleSRTPReceived {
        let header = try DoubleSRTPPacket.header(buffer, length: length)
        try candidate.validate(for: profile)
        return try layers.withLayers { layers throws(DoubleSRTPError) in
            try layers.receive(buffer, length: length, header: header, candidate: candidate)
        }
    }
}

/// An end-to-end key and salt, kept sealed with the stream they keyed, so that a candidate can be
/// recognised as the key already installed.
struct EndToEndKeyMaterial {
    let key: SealedBytes
    /// The salt; only its first `profile.halfProfile.masterSaltLength` octets are used (an EKT
    /// key's salt may be longer, RFC 8870 §4.3.2 step 4).
    let salt: SealedBytes

    /// Whether both hold the same key and the same used salt, compared in constant time.
    func matches(_ other: EndToEndKeyMaterial, saltLength: Int) -> Bool {
        let sameKey = key.count == other.key.count && Self.equal(key, other.key, prefix: key.count)
        let sameSalt = Self.equal(salt, other.salt, prefix: saltLength)
        return sameKey && sameSalt
    }

    /// Whether the first `prefix` octets of `a` and `b` are equal. One region is unsealed at a
    /// time per object, so the same object on both sides is simply equal (its lock is not
    /// recursive).
    private static func equal(_ a: SealedBytes, _ b: SealedBytes, prefix: Int) -> Bool {
        if a === b { return true }
        guard a.count >= prefix, b.count >= prefix else { return false }
        let same = try? a.withUnsealed { a in
            try b.withUnsealed { b in
                constantTimeEqual(
                    UnsafeRawBufferPointer(rebasing: a[..<prefix]),
                    UnsafeRawBufferPointer(rebasing: b[..<prefix]))
            }
        }
        return same ?? false
    }
}

/// `a == b` for equally long secrets, in time independent of where they differ.
func constantTimeEqual(_ a: UnsafeRawBufferPointer, _ b: UnsafeRawBufferPointer) -> Bool {
    guard a.count == b.count else { return false }
    var difference: UInt8 = 0
    for i in 0..<a.count { difference |= a[i] ^ b[i] }
    return difference == 0
}

/// An end-to-end key to try on one packet, as EKT delivers it (RFC 8870 §4.3.2 steps 4 and 6;
/// RFC 8723 §5.1): the sender's inner master key, the EKT key's SRTP master salt (the transform
/// uses its first 12 octets) and the sender's inner ROC.
struct EndToEndKeyCandidate {
    let material: EndToEndKeyMaterial
    let rolloverCounter: UInt32

    init(masterKey: SealedBytes, masterSalt: SealedBytes, rolloverCounter: UInt32) {
        material = EndToEndKeyMaterial(key: masterKey, salt: masterSalt)
        self.rolloverCounter = rolloverCounter
    }

    /// The key a FullEKTField carried (`KeyStore.unwrapFullEKTField`).
    init(_ unwrapped: UnwrappedSRTPKey) {
        self.init(
            masterKey: unwrapped.masterKey, masterSalt: unwrapped.masterSalt,
            rolloverCounter: unwrapped.roc)
    }

    /// Refuses a key or salt that cannot key `profile`'s inner layer.
    func validate(for profile: DoubleSRTPProfile) throws(DoubleSRTPError) {
        let half = profile.halfProfile
        guard material.key.count == half.masterKeyLength else {
            throw .invalidArgument("end-to-end key must be \(half.masterKeyLength) octets")
        }
        guard material.salt.count >= half.masterSaltLength else {
            throw .invalidArgument("master salt must have at least \(half.masterSaltLength) octets")
        }
    }

    /// A new inner stream keyed with the candidate, not yet installed (no key store key backs it:
    /// its lifetime is the EKT layer's to manage).
    func stream(ssrc: UInt32, profile: DoubleSRTPProfile, replayWindow: Int)
        throws(DoubleSRTPError) -> InnerReceiveStream
    {
        let saltLength = profile.halfProfile.masterSaltLength
        let context = try withDoubleSRTPErrors {
            try material.key.withUnsealed { key in
                try material.salt.withUnsealed { salt in
                    try profile.innerContext(
                        masterKey: key,
                        masterSalt: UnsafeRawBufferPointer(rebasing: salt[..<saltLength]),
                        sealing: false)
                }
            }
        }
        return InnerReceiveStream(
            ssrc: ssrc, context: context, material: material, rolloverCounter: rolloverCounter,
            replayWindow: replayWindow, deadline: .max, owner: nil)
    }
}

/// Runs `body`, which throws only `DoubleSRTPError` or `KeyStoreError` (the sealed-bytes closures
/// are untyped), and reports either as a `DoubleSRTPError`.
func withDoubleSRTPErrors<R>(_ body: () throws -> R) throws(DoubleSRTPError) -> R {
    do {
        return try body()
    } catch let error as DoubleSRTPError {
        throw error
    } catch KeyStoreError.keyExpired {
        throw .keyExpired
    } catch is KeyStoreError {
        throw .keyRevoked
    } catch {
        throw .invalidArgument("unexpected error \(type(of: error))")
    }
}
