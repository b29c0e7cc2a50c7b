import Testing

@testable import PERCDemo

@Suite struct PlaceholderTests {
    @Test func builds() {}
}
