/// The contract of every receiving transform in the library (README "Errors"), checked on one
/// untrusted packet: `receive` runs in place on a guarded copy of `packet` with `spare` octets of
/// room behind it, and
/// - whatever the outcome, nothing is written behind the packet;
/// - when it throws, the packet is byte-identical and `snapshot()` (the receiver state a failure
///   must not change: ROCs, replay windows, stream tables) is unchanged.
///
/// Returns the outcome for the target's own checks. Any receiver with an in-place
/// `(buffer, length) throws -> length` call can use it: SRTP and SRTCP unprotect here, double
/// SRTP receive and the Media Distributor relay next.
public func checkReceive<Snapshot: Equatable, Failure: Error>(
    _ packet: UnsafeRawBufferPointer, spare: Int = 16, snapshot: () -> Snapshot,
    _ receive: (UnsafeMutableRawBufferPointer, Int) throws(Failure) -> Int
) -> Result<Int, Failure> {
    let before = snapshot()
    let guarded = GuardedPacket(copying: packet, extra: spare)
    let outcome = Result { () throws(Failure) -> Int in try receive(guarded.buffer, packet.count) }
    fuzzCheck(guarded.canaryIntact && guarded.spareIntact, "the receiver wrote past the packet")
    if case .failure(let error) = outcome {
        fuzzCheck(guarded.isUnchanged(from: packet), "rejection (\(error)) changed the packet")
        fuzzCheck(snapshot() == before, "rejection (\(error)) changed the receiver's state")
    }
    return outcome
}
