import Foundation
import FuzzSupport
import PERC

/// An `Encryption-Key` header value (the input, as UTF-8 with invalid sequences replaced)
/// imported into a fresh key store. Checks: a failed import leaves the store empty; an imported
/// key is the store's only key, with the SPI and cipher reported; exporting it and importing the
/// export into another store gives the same key description (same keyid, key, salt, SPI,
/// cipher), and exporting fails only for a keyid that is not printable ASCII or a key with less
/// than a second to live (`ttl=1`).
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzEncryptionKeyHeader(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let value = String(decoding: FuzzInput(data, size).bytes, as: UTF8.self)
    let store = KeyStore()
    let imported: EncryptionKeyHeader.ImportedKey
    do {
        imported = try store.importEKTKey(fromEncryptionKeyHeader: value)
    } catch {
        fuzzCheck(store.liveKeyCount == 0, "a failed import (\(error)) left a key")
        return 0
    }
    fuzzCheck(store.liveKeyCount == 1, "one import, \(store.liveKeyCount) keys")
    let parameters = Result { () throws(EKTError) in try store.ektParameters(of: imported.handle) }
    fuzzCheck(
        (try? parameters.get()).map { $0 == (imported.cipher, imported.spi) } == true,
        "parameters \(parameters) of \(imported)")

    let printable = imported.keyID.utf8.allSatisfy { $0 == 0x09 || (0x20...0x7E).contains($0) }
    let exported: String
    do {
        exported = try EncryptionKeyHeader.exportForDelivery(
            ektKey: imported.handle, keyID: imported.keyID, from: store)
    } catch .ekt(.keyStore(.keyExpired)) {
        return 0
    } catch {
        fuzzCheck(!printable, "export of \(imported) failed: \(error)")
        return 0
    }
    fuzzCheck(printable, "exported a keyid that is not printable ASCII")

    let second = KeyStore()
    do {
        let again = try second.importEKTKey(fromEncryptionKeyHeader: exported)
        fuzzCheck(
            again.keyID == imported.keyID && again.cipher == imported.cipher
                && again.spi == imported.spi, "re-import \(again) of \(imported)")
        let reexported = try EncryptionKeyHeader.exportForDelivery(
            ektKey: again.handle, keyID: again.keyID, from: second)
        fuzzCheck(
            withoutTTL(reexported) == withoutTTL(exported), "the export changed on re-import")
    } catch EncryptionKeyHeaderError.ekt(.keyStore(.keyExpired)) {
        return 0
    } catch {
        fuzzCheck(false, "re-importing an export failed: \(error)")
    }
    return 0
}

/// The header value without its `ttl` parameter (always last in an export): the remaining
/// lifetime drops by a second while the check runs.
func withoutTTL(_ value: String) -> Substring {
    guard let range = value.range(of: "; ttl=", options: .backwards) else { return value[...] }
    return value[..<range.lowerBound]
}
