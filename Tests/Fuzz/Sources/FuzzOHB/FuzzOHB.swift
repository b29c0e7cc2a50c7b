@_spi(Fuzzing) import PERC
import FuzzSupport

/// The Original Header Block parser (RFC 8723 §4) on untrusted bytes: the block is read backwards
/// from the end of the input. Either a typed error, or a block that re-encodes to exactly the
/// octets it was parsed from (the parse is canonical: no two encodings of one block).
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOHB(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = UnsafeRawBufferPointer(start: data, count: size)
    guard let encoded = try? FuzzingEntryPoints.reencodeOriginalHeaderBlock(bytes) else {
        return 0
    }
    fuzzCheck(
        (1...4).contains(encoded.count) && bytes.suffix(encoded.count).elementsEqual(encoded),
        "an accepted OHB did not re-encode to its own octets")
    return 0
}
