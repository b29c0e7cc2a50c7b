/// Entry points that only the benchmarks use (`@_spi(Benchmarks)`), for internal steps that have
/// no public call of their own yet. Each runs the library's real code path, unchanged.
extension KeyStore {
    /// RFC 8870 §4.3.2 steps 2–6 exactly as an EKT receiver runs them on a FullEKTField received
    /// in `scope`: finds the EKT key by SPI, unwraps, checks the SSRC and the master key length.
    /// The unwrapped key is wiped on return; only what is not secret comes back.
    @_spi(Benchmarks) public func benchmarkUnwrapFullEKTField(
        _ field: FullEKTField, scope: KeyScope, packetSSRC: UInt32, expectedMasterKeyLength: Int
    ) throws(EKTError) -> (ssrc: UInt32, roc: UInt32) {
        let unwrapped = try unwrapFullEKTField(
            field, scope: scope, packetSSRC: packetSSRC,
            expectedMasterKeyLength: expectedMasterKeyLength)
        defer {
            unwrapped.masterKey.wipe()
            unwrapped.masterSalt.wipe()
        }
        return (unwrapped.ssrc, unwrapped.roc)
    }
}
