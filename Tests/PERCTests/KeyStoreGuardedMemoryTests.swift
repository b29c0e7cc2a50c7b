import CPERCShims
import Dispatch
import Glibc
import Testing

@testable import PERC

/// The guarded mapping under every sealed key: layout, kernel flags, faults, reported protection.
@Suite(.serialized) struct KeyStoreGuardedMemoryTests {
    typealias Support = KeyStoreTestSupport
    let pageSize = Int(sysconf(Int32(_SC_PAGESIZE)))

    @Test(arguments: [1, 30, 46, 4096, 5000])
    func secretEndsAtTheTrailingGuardPage(count: Int) throws {
        let sealed = try SealedBytes(count: count)
        try sealed.withUnsealed { bytes in
            #expect(bytes.count == count)
            let end = UInt(bitPattern: bytes.baseAddress! + count)
            #expect(end % UInt(pageSize) == 0)
            #expect(bytes.allSatisfy { $0 == 0 })
        }
    }

    @Test func smapsShowsLockedAndNotDumped() throws {
        let store = KeyStore()
        let handle = try store.generateSRTPMasterKey(for: .aeadAES256GCM)
        let flags = try #require(MemoryScanner.vmFlags(containing: store.keyAddress(handle)))
        // At rest: no access at all.
        #expect(!flags.contains("rd") && !flags.contains("wr"))
        #expect(flags.contains("dd"), "MADV_DONTDUMP")
        #expect(flags.contains("wf"), "MADV_WIPEONFORK")
        if GuardedRegion.runningUnderSanitizer {
            // A sanitizer's mlock reports success and does nothing; the store says so instead.
            withKnownIssue("mlock is a no-op under ASan and TSan; `lo` cannot be checked") {
                #expect(flags.contains("lo"))
            }
            #expect(!store.memoryProtection.locked)
        } else {
            #expect(flags.contains("lo"), "mlock")
            #expect(store.memoryProtection == .full)
            #expect(store.memoryProtection.warnings.isEmpty)
        }
    }

    @Test func readableOnlyWhileUnsealed() throws {
        let sealed = try SealedBytes(randomCount: 30)
        try sealed.withUnsealed { bytes in
            let flags = try #require(MemoryScanner.vmFlags(containing: bytes.baseAddress!))
            #expect(flags.contains("rd") && !flags.contains("wr"))
        }
        try sealed.withMutableBytes { bytes in
            let flags = MemoryScanner.vmFlags(containing: bytes.baseAddress!)
            #expect(flags?.contains("rd") == true && flags?.contains("wr") == true)
        }
        let address = try sealed.withUnsealed { UnsafeRawPointer($0.baseAddress!) }
        let flags = try #require(MemoryScanner.vmFlags(containing: address))
        #expect(!flags.contains("rd") && !flags.contains("wr"))
    }

    @Test func guardPagesAreNeverAccessible() throws {
        let sealed = try SealedBytes(count: 30)
        try sealed.withMutableBytes { bytes in
            let trailing = MemoryScanner.vmFlags(containing: bytes.baseAddress! + bytes.count)
            let leading = MemoryScanner.vmFlags(
                containing: bytes.baseAddress! + bytes.count - pageSize - 1)
            #expect(trailing.map { !$0.contains("rd") && !$0.contains("wr") } == true)
            #expect(leading.map { !$0.contains("rd") && !$0.contains("wr") } == true)
        }
    }

    @Test func zeroingClearsEveryDataPage() throws {
        let region = try GuardedRegion(count: 5000)
        try region.protect(.readWrite)
        region.bytes.initializeMemory(as: UInt8.self, repeating: 0xA5)
        try region.protect(.none)
        let zeroed = region.zero()
        #expect(zeroed)
        // Whole data pages, slack included, are zero and left writable.
        let pages = UnsafeRawBufferPointer(
            start: region.bytes.baseAddress! + region.count - 2 * pageSize, count: 2 * pageSize)
        #expect(pages.allSatisfy { $0 == 0 })
        region.release()
    }

    @Test func wipedBytesAreGone() throws {
        let sealed = try SealedBytes(randomCount: 30)
        sealed.wipe()
        #expect(sealed.isWiped)
        #expect(throws: KeyStoreError.keyRevoked) { try sealed.withUnsealed { _ in () } }
        #expect(throws: KeyStoreError.keyRevoked) { try sealed.withMutableBytes { _ in () } }
        sealed.wipe()  // idempotent
    }

    /// Revocation unmaps the whole region. In a child process, where no parallel test can map
    /// something new at the freed address.
    @Test func revokeUnmapsTheRegion() async {
        await #expect(processExitsWith: .success) {
            let store = KeyStore()
            let handle = try! store.generateSRTPMasterKey(for: .aeadAES128GCM)
            let address = try! store.keyAddress(handle)
            guard MemoryScanner.isMapped(address) else { exit(3) }
            store.revoke(handle)
            exit(MemoryScanner.isMapped(address) ? 4 : 0)
        }
    }

    // MARK: Faults (exit tests)

    @Test func readingOnePastTheKeyFaults() async {
        await #expect(processExitsWith: Support.guardPageFault) {
            let sealed = try! SealedBytes(randomCount: 30)
            let past = try! sealed.withUnsealed { bytes in
                bytes.baseAddress!.load(fromByteOffset: bytes.count, as: UInt8.self)
            }
            exit(Int32(past) + 2)
        }
    }

    @Test func writingOnePastTheKeyFaults() async {
        await #expect(processExitsWith: Support.guardPageFault) {
            let sealed = try! SealedBytes(count: 30)
            let past = try! sealed.withMutableBytes { bytes in
                bytes.baseAddress!.storeBytes(of: 1, toByteOffset: bytes.count, as: UInt8.self)
                return bytes.baseAddress!.load(fromByteOffset: bytes.count, as: UInt8.self)
            }
            exit(Int32(past) + 2)
        }
    }

    @Test func touchingTheKeyAtRestFaults() async {
        await #expect(processExitsWith: Support.guardPageFault) {
            let store = KeyStore()
            let handle = try! store.generateSRTPMasterKey(for: .aesCM128HMACSHA1_80)
            let address = try! store.keyAddress(handle)
            exit(Int32(address.load(as: UInt8.self)) + 2)
        }
    }

    @Test func writingBeforeTheDataPagesFaults() async {
        await #expect(processExitsWith: Support.guardPageFault) {
            let sealed = try! SealedBytes(count: 30)
            let pageSize = Int(sysconf(Int32(_SC_PAGESIZE)))
            try! sealed.withMutableBytes { bytes in
                // Start of the data page minus one: the leading guard page.
                let front = bytes.baseAddress! + bytes.count - pageSize - 1
                front.storeBytes(of: 1, as: UInt8.self)
            }
            exit(2)
        }
    }

    // MARK: Reported protection

    /// Without CAP_IPC_LOCK and with RLIMIT_MEMLOCK 0, mlock fails: the key is still sealed and
    /// usable, and the store reports it as not locked instead of pretending.
    @Test func mlockFailureIsReported() async {
        await #expect(processExitsWith: .success) {
            guard perc_test_forbid_mlock() == 0 else { exit(3) }
            let store = KeyStore()
            let handle = try! store.generateSRTPMasterKey(for: .aesCM128HMACSHA1_80)
            let protection = store.memoryProtection
            guard !protection.locked, protection.excludedFromCoreDumps, protection.wipedOnFork,
                protection.warnings == [.notLocked]
            else { exit(4) }
            let flags = MemoryScanner.vmFlags(containing: try! store.keyAddress(handle))!
            guard !flags.contains("lo"), flags.contains("dd") else { exit(5) }
            let usable = try! store.withUnsealedKey(handle, for: .srtpMaster) { bytes, _ in
                bytes.count == 30
            }
            guard usable.result else { exit(6) }
            // The aggregate keeps the weakest protection even after the key is gone.
            store.revoke(handle)
            exit(store.memoryProtection.locked ? 7 : 0)
        }
    }

    // MARK: Concurrency

    /// Readers on many threads while the key is revoked: every read sees the whole key or throws
    /// `.keyRevoked`; no reader re-seals the pages under another (that would fault).
    @Test func concurrentUnsealsAndWipe() throws {
        let store = KeyStore()
        let handle = try store.generateSRTPMasterKey(for: .aeadAES128GCM)
        let sealed = try #require(store.sealedBytesForTesting(handle))
        let reference = try sealed.withUnsealed { bytes in bytes.reduce(0) { $0 &+ UInt32($1) } }
        // Locked, not a bare Mutex: TSan sees only the annotated lock on Linux (see Locked).
        let outcomes = Locked<(read: Int, revoked: Int, wrong: Int)>((0, 0, 0))
        DispatchQueue.concurrentPerform(iterations: 4000) { i in
            if i == 2000 { store.revoke(handle) }
            do {
                let sum = try sealed.withUnsealed { bytes in
                    bytes.reduce(0) { $0 &+ UInt32($1) }
                }
                outcomes.withLock { counts in
                    if sum == reference { counts.read += 1 } else { counts.wrong += 1 }
                }
            } catch {
                outcomes.withLock { $0.revoked += 1 }
            }
        }
        let (read, revoked, wrong) = outcomes.withLock { $0 }
        #expect(wrong == 0)
        #expect(read >= 1 && revoked >= 1 && read + revoked == 4000)
    }
}
