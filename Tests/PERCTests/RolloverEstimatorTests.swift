import Testing

@testable import PERC

/// Index estimation (RFC 3711 §3.3.1, Appendix A).
@Suite struct RolloverEstimatorTests {
    private func seen(_ sequences: UInt16..., roc: UInt32 = 0) -> RolloverEstimator {
        var estimator = RolloverEstimator(roc: roc)
        for sequence in sequences { estimator.update(estimator.estimate(sequence)!) }
        return estimator
    }

    @Test func firstPacketUsesTheCurrentROC() {
        #expect(RolloverEstimator().estimate(0xabcd) == .init(roc: 0, index: 0xabcd))
        #expect(
            RolloverEstimator(roc: 7).estimate(0x0102) == .init(roc: 7, index: 7 << 16 | 0x0102))
    }

    @Test func inOrderPacketsKeepTheROC() {
        let estimator = seen(1, 2, 3)
        #expect(estimator.estimate(4) == .init(roc: 0, index: 4))
        #expect(estimator.highestSequence == 3)
    }

    @Test func sequenceWrapAdvancesTheROC() {
        var estimator = seen(0xfffe, 0xffff, roc: 3)
        let next = estimator.estimate(0)!
        #expect(next == .init(roc: 4, index: 4 << 16))
        estimator.update(next)
        #expect(estimator.roc == 4)
        #expect(estimator.highestSequence == 0)
    }

    @Test func latePacketFromBeforeTheWrapUsesROCMinusOne() {
        var estimator = seen(0xfff0, 0xffff, 2, roc: 5)
        #expect(estimator.roc == 6)
        let late = estimator.estimate(0xfff5)!
        #expect(late == .init(roc: 5, index: 5 << 16 | 0xfff5))
        estimator.update(late)  // v = ROC − 1 changes nothing
        #expect(estimator.roc == 6)
        #expect(estimator.highestSequence == 2)
    }

    @Test func olderPacketDoesNotLowerSL() {
        var estimator = seen(100)
        estimator.update(estimator.estimate(50)!)
        #expect(estimator.highestSequence == 100)
    }

    /// At ROC 0 there is no earlier ROC: like libsrtp, a far-behind SEQ stays in ROC 0.
    @Test func noROCBelowZero() {
        let estimator = seen(100)
        #expect(estimator.estimate(40000) == .init(roc: 0, index: 40000))
    }

    /// The 48-bit index must not wrap (RFC 3711 §3.3.1, §9.2).
    @Test func wrappingPastTheLastROCIsRefused() {
        let estimator = seen(0xffff, roc: .max)
        #expect(estimator.estimate(0) == nil)
        #expect(estimator.estimate(0x8000) != nil)  // s_l − 2^15 ≤ SEQ: same ROC
    }

    @Test func resetLetsTheNextSequenceStartAgain() {
        var estimator = seen(10, 11)
        estimator.reset(roc: 9)
        #expect(estimator.highestSequence == nil)
        #expect(estimator.estimate(0xff00) == .init(roc: 9, index: 9 << 16 | 0xff00))
    }

    /// Appendix A's boundaries: SEQ − s_l = 2^15 keeps the ROC, 2^15 + 1 takes ROC − 1.
    @Test func medianBoundaries() {
        let low = seen(1000, roc: 4)
        #expect(low.estimate(1000 + 32768)?.roc == 4)
        #expect(low.estimate(1000 + 32769)?.roc == 3)
        let high = seen(40000, roc: 4)
        #expect(high.estimate(40000 - 32768)?.roc == 4)
        #expect(high.estimate(40000 - 32769)?.roc == 5)
    }
}
