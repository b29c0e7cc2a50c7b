@_spi(Conformance) import PERC

/// `aes_kw` (vectors/SCHEMA.md): wrap(`key_data`) == `ciphertext` and unwrap(`ciphertext`) ==
/// `key_data`, RFC 5649 with `padding`, RFC 3394 without.
struct AESKeyWrapVectors: VectorExecutor {
    let kinds: Set<String> = ["aes_kw"]

    func execute(_ vector: Vector) throws -> VectorOutcome {
        let fields = vector.fields
        let kek = try fields.hex("kek")
        let keyData = try fields.hex("key_data")
        let ciphertext = try fields.hex("ciphertext")
        let padding = try fields.bool("padding", default: true)
        var outcome = VectorOutcome()
        if let difference = mismatch(
            "wrap",
            expected: ciphertext,
            actual: try EKTConformance.aesKeyWrap(kek: kek, keyData: keyData, padding: padding))
        {
            outcome.failures.append(difference)
        }
        if let difference = mismatch(
            "unwrap", expected: keyData,
            actual: try EKTConformance.aesKeyUnwrap(
                kek: kek, ciphertext: ciphertext, padding: padding), secret: true)
        {
            outcome.failures.append(difference)
        }
        return outcome
    }
}

/// `ekt_field` (vectors/SCHEMA.md, RFC 8870 §4.1): building a FullEKTField through the key store
/// gives `field`; parsing and unwrapping `field` gives back the master key, SSRC, ROC, SPI, epoch.
struct EKTFieldVectors: VectorExecutor {
    let kinds: Set<String> = ["ekt_field"]

    func execute(_ vector: Vector) throws -> VectorOutcome {
        let fields = vector.fields
        let cipherName = try fields.string("cipher")
        guard let cipher = EKTCipher(rawValue: cipherName) else {
            throw VectorFieldError.invalid(field: "cipher", reason: "unknown cipher \(cipherName)")
        }
        let ektKey = try fields.hex("ekt_key")
        let spi = try fields.integer("spi", as: UInt16.self)
        let epoch = try fields.integer("epoch", as: UInt16.self)
        let masterKey = try fields.hex("srtp_master_key")
        let ssrc = try fields.integer("ssrc", as: UInt32.self)
        let roc = try fields.integer("roc", as: UInt32.self)
        let field = try fields.hex("field")

        var outcome = VectorOutcome()
        let built = try EKTConformance.buildFullEKTField(
            cipher: cipher, ektKey: ektKey, spi: spi, epoch: epoch, srtpMasterKey: masterKey,
            ssrc: ssrc, roc: roc)
        if let difference = mismatch("build", expected: field, actual: built) {
            outcome.failures.append(difference)
        }
        let parsed = try EKTConformance.parseFullEKTField(
            field, cipher: cipher, ektKey: ektKey, spi: spi)
        if let difference = mismatch(
            "parsed master key", expected: masterKey, actual: parsed.srtpMasterKey, secret: true)
        {
            outcome.failures.append(difference)
        }
        let expected = (ssrc: ssrc, roc: roc, spi: spi, epoch: epoch)
        let actual = (ssrc: parsed.ssrc, roc: parsed.roc, spi: parsed.spi, epoch: parsed.epoch)
        if expected != actual {
            outcome.failures.append(
                "parsed (ssrc, roc, spi, epoch) \(actual), expected \(expected)")
        }
        return outcome
    }
}
