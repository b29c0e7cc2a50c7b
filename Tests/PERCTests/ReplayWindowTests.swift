import Testing

@testable import PERC

/// The sliding replay window (RFC 3711 §3.3.2).
@Suite struct ReplayWindowTests {
    @Test(arguments: [64, 100, 1024, 32768])
    func freshReplayedAndTooOld(size: Int) {
        var window = ReplayWindow(size: size)
        #expect(window.check(5) == .fresh)
        window.accept(5)
        #expect(window.check(5) == .replayed)
        #expect(window.check(4) == .fresh)  // behind but inside the window, unseen
        let highest = UInt64(size) * 3
        window.accept(highest)
        #expect(window.check(highest) == .replayed)
        #expect(window.check(highest + 1) == .fresh)
        #expect(window.check(highest - UInt64(size) + 1) == .fresh)  // oldest slot in the window
        #expect(window.check(highest - UInt64(size)) == .tooOld)
        #expect(window.check(0) == .tooOld)
    }

    @Test func checkDoesNotChangeState() {
        var window = ReplayWindow(size: 64)
        window.accept(10)
        for _ in 0..<3 { #expect(window.check(11) == .fresh) }
        #expect(window.check(10) == .replayed)
    }

    @Test func reorderedPacketsInsideTheWindowAreAcceptedOnce() {
        var window = ReplayWindow(size: 64)
        for index: UInt64 in [10, 12, 11, 9, 40, 20] {
            #expect(window.check(index) == .fresh, "index \(index)")
            window.accept(index)
        }
        for index: UInt64 in [9, 10, 11, 12, 20, 40] { #expect(window.check(index) == .replayed) }
        #expect(window.check(13) == .fresh)
    }

    /// Moving forward clears the ring slots that the new indices reuse.
    @Test func advancingClearsReusedSlots() {
        var window = ReplayWindow(size: 64)
        for index: UInt64 in 0...63 { window.accept(index) }
        window.accept(100)
        #expect(window.check(36) == .tooOld)
        for index: UInt64 in 37...63 { #expect(window.check(index) == .replayed) }
        for index: UInt64 in 64...99 { #expect(window.check(index) == .fresh, "index \(index)") }
        #expect(window.check(100) == .replayed)
    }

    @Test func jumpBeyondTheCapacityClearsEverything() {
        var window = ReplayWindow(size: 128)
        for index: UInt64 in 0..<128 { window.accept(index) }
        window.accept(10_000)
        for index: UInt64 in (10_000 - 127)..<10_000 { #expect(window.check(index) == .fresh) }
    }

    @Test func largeWindowTracksEverySlot() {
        var window = ReplayWindow(size: 32768)
        for index: UInt64 in stride(from: 0, to: 40000, by: 3) { window.accept(index) }
        #expect(window.check(39999) == .replayed)
        #expect(window.check(39998) == .fresh)
        #expect(window.check(39999 - 32767) == .fresh)  // 7232: oldest slot, never accepted
        #expect(window.check(39999 - 32766) == .replayed)  // 7233 = 3 · 2411
        #expect(window.check(39999 - 32768) == .tooOld)
    }

    @Test func acceptIgnoresIndicesTooOldToRecord() {
        var window = ReplayWindow(size: 64)
        window.accept(200)
        window.accept(73)  // 127 behind; its ring slot (73 mod 64 = 9) is the one of 201
        #expect(window.check(201) == .fresh)
        #expect(window.check(73) == .tooOld)
    }
}
