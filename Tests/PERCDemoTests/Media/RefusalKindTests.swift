import PERC
import Testing

@testable import PERCDemo

@Suite struct RefusalKindTests {
    @Test func groupsPERCErrorsByWhatTheyTellAboutThePath() {
        let cases: [(PERCError, RefusalKind)] = [
            (.doubleSRTP(.authenticationFailed(.inner)), .authentication),
            (.doubleSRTP(.authenticationFailed(.outer)), .authentication),
            (.ekt(.authenticationFailed), .authentication),
            (.ekt(.unknownSPI(2)), .unknownKey),
            (.noKey(ssrc: 1), .unknownKey),
            (.staleKey(ssrc: 1, spi: 1, epoch: 0), .unknownKey),
            (.doubleSRTP(.replayed(.inner)), .replay),
            (.doubleSRTP(.tooOld(.outer)), .replay),
            (.doubleSRTP(.malformed(.truncated)), .malformed),
            (.doubleSRTP(.invalidOriginalHeaderBlock(.reservedBits)), .malformed),
            (.doubleSRTP(.ektField(.malformed(.truncated))), .malformed),
            (.doubleSRTP(.bufferTooSmall(needed: 9)), .other),
        ]
        for (error, kind) in cases { #expect(RefusalKind(error) == kind, "\(error)") }
    }
}
