/// The contract of every receiving transform in the library (README "Errors"), checked on one
/// untrusted packet: `receive` runs in place on a guarded copy of `packet` followed by `room`
/// spare octets (what the call may grow into, e.g. a relay's `maxGrowth`), and
/// - whatever the outcome, nothing is written past that room;
/// - when it throws, the packet and the room are byte-identical and `snapshot()` (the receiver
///   state a failure must not change: ROCs, replay windows, stream tables) is unchanged.
///
/// Returns the outcome for the target's own checks. Any receiver with an in-place
/// `(buffer, length) throws -> length` call can use it: SRTP and SRTCP unprotect here, double
/// SRTP receive and the Media Distributor relay next.
public func checkReceive<Snapshot: Equatable, Failure: Error>(
    _ packet: UnsafeRawBufferPointer, room: Int = 0, snapshot: () -> Snapshot,
    _ receive: (UnsafeMutableRawBufferPointer, Int) throws(Failure) -> Int
) -> Result<Int, Failure> {
    let before = snapshot()
    let guarded = GuardedPacket(copying: packet, extra: room)
    let outcome = Result { () throws(Failure) -> Int in try receive(guarded.buffer, packet.count) }
    fuzzCheck(guarded.canaryIntact, "the receiver wrote past the buffer it was given")
    if case .failure(let error) = outcome {
        fuzzCheck(guarded.isUnchanged(from: packet), "rejection (\(error)) changed the buffer")
        fuzzCheck(snapshot() == before, "rejection (\(error)) changed the receiver's state")
    }
    return outcome
}
