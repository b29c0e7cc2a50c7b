import FuzzSupport

/// SRTCP unprotect on untrusted packets, every profile and mode, both engines.
///
/// Input: selector octet (`SessionSelector`: profile, authentication only, MKI; target bits 3 =
/// libsrtp2, else OpenSSL) ‖ the SRTCP packet. Checks `UnprotectChecker`'s invariants: a rejected
/// packet leaves buffer and replay state unchanged (the probe stream's next SRTCP index still
/// unprotects); an accepted one shrinks by exactly the overhead.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzSRTCPUnprotect(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    guard let (selector, packet) = FuzzInput(data, size).selectorAndBody,
        let checker = UnprotectChecker.checker(selector: selector, kind: .rtcp)
    else { return 0 }
    checker.check(packet)
    return 0
}
