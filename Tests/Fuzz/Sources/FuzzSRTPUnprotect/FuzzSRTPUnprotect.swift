import FuzzSupport

/// SRTP unprotect on untrusted packets, every profile and mode, both engines.
///
/// Input: selector octet (`SessionSelector`: profile, authentication only, MKI; target bits 3 =
/// libsrtp2, else OpenSSL) ‖ the SRTP packet. Checks `UnprotectChecker`'s invariants: a rejected
/// packet leaves buffer, ROCs and replay state unchanged (the probe stream's next packet still
/// unprotects); an accepted one shrinks by exactly the overhead.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzSRTPUnprotect(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    guard let (selector, packet) = FuzzInput(data, size).selectorAndBody,
        let checker = UnprotectChecker.checker(selector: selector, kind: .rtp)
    else { return 0 }
    checker.check(packet)
    return 0
}
