import Testing

@testable import PERCDemo

/// The token request form and the 401 challenge, as the client and the KMF read them.
@Suite struct KMFWireFormatTests {
    @Test func formRoundTripsAndEscapes() throws {
        let encoded = FormURLEncoding.encode([
            ("grant_type", "password"), ("username", "alice@example.com"),
            ("password", "p&ss=wörd +~"),
        ])
        #expect(
            encoded == "grant_type=password&username=alice%40example.com"
                + "&password=p%26ss%3Dw%C3%B6rd%20%2B~")
        let decoded = try #require(FormURLEncoding.decode(Array(encoded.utf8)))
        #expect(
            decoded == [
                "grant_type": "password", "username": "alice@example.com",
                "password": "p&ss=wörd +~",
            ])
        #expect(FormURLEncoding.decode(Array("a=b+c".utf8)) == ["a": "b c"])
    }

    @Test func formRefusesRepeatsAndBadEscapes() {
        // RFC 6749 §3.2: a parameter must not be sent twice.
        #expect(FormURLEncoding.decode(Array("username=a&username=b".utf8)) == nil)
        #expect(FormURLEncoding.decode(Array("a=%G1".utf8)) == nil)
        #expect(FormURLEncoding.decode(Array("a=%4".utf8)) == nil)
        #expect(FormURLEncoding.decode(Array("a=%FF".utf8)) == nil)
    }

    @Test func challengeErrorParameter() {
        #expect(
            KMFClient.errorParameter(of: #"DPoP error="invalid_token", algs="ES256""#)
                == "invalid_token")
        #expect(
            KMFClient.errorParameter(of: #"DPoP algs="ES256", error="invalid_dpop_proof""#)
                == "invalid_dpop_proof")
        #expect(
            KMFClient.errorParameter(
                of: #"DPoP error_description="say \"error=x\"", error=invalid_token"#)
                == "invalid_token")
        #expect(KMFClient.errorParameter(of: #"DPoP algs="ES256""#) == nil)
        #expect(KMFClient.errorParameter(of: "DPoP") == nil)
    }
}
