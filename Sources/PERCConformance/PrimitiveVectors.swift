@_spi(Conformance) import PERC

/// `aes_cm_keystream` (vectors/SCHEMA.md): each row's keystream block is AES(key, iv + block)
/// (RFC 3711 §4.1.1). A row's `counter`, when given, must be that counter value, which checks
/// the vector itself.
struct AESCounterKeystreamVectors: VectorExecutor {
    let kinds: Set<String> = ["aes_cm_keystream"]

    func execute(_ vector: Vector) throws -> VectorOutcome {
        let fields = vector.fields
        let key = try fields.hex("key")
        let iv = try fields.hex("iv", count: 16)
        let rows = try fields.objects("rows").map { row throws(VectorFieldError) in
            (
                path: row.path, block: try row.integer("block", as: UInt64.self),
                counter: try row.optionalHex("counter"), keystream: try row.hex("keystream")
            )
        }
        guard !rows.isEmpty else {
            throw VectorFieldError.invalid(field: "rows", reason: "no rows")
        }
        var outcome = VectorOutcome()
        for row in rows {
            if let counter = row.counter, counter != Self.add(row.block, to: iv) {
                outcome.failures.append("\(row.path): counter is not iv + block")
            }
            do {
                let block = try SRTPPrimitives.aesCounterKeystreamBlock(
                    key: key, iv: iv, block: row.block)
                if let difference = mismatch(
                    "\(row.path) keystream", expected: row.keystream, actual: block, secret: true)
                {
                    outcome.failures.append(difference)
                }
            } catch {
                outcome.failures.append("\(row.path): \(error)")
                break  // an error, not a mismatch: the primitive is unavailable
            }
        }
        return outcome
    }

    /// (iv + block) mod 2^128 on 16 big-endian octets.
    static func add(_ block: UInt64, to iv: [UInt8]) -> [UInt8] {
        var result = iv
        var carry = UInt(block)
        for position in result.indices.reversed() where carry != 0 {
            let sum = UInt(result[position]) + (carry & 0xFF)
            result[position] = UInt8(truncatingIfNeeded: sum)
            carry = (carry >> 8) + (sum >> 8)
        }
        return result
    }
}

/// `aead_iv` (vectors/SCHEMA.md): the RFC 7714 IV for SRTP (`ssrc`, `roc`, `seq`, §8.1) or
/// SRTCP (`rtcp_ssrc`, `srtcp_index`, §9.1). Those fields may be hex strings or integers.
struct AEADIVVectors: VectorExecutor {
    let kinds: Set<String> = ["aead_iv"]

    func execute(_ vector: Vector) throws -> VectorOutcome {
        let fields = vector.fields
        let salt = try fields.hex("salt", count: 12)
        let expected = try fields.hex("iv", count: 12)
        let iv: [UInt8]
        if fields.contains("ssrc") {
            iv = SRTPPrimitives.rtpAEADNonce(
                salt: salt, ssrc: try fields.integerOrHex("ssrc"),
                roc: try fields.integerOrHex("roc"),
                sequence: try fields.integerOrHex("seq"))
        } else {
            iv = SRTPPrimitives.rtcpAEADNonce(
                salt: salt, ssrc: try fields.integerOrHex("rtcp_ssrc"),
                srtcpIndex: try fields.integerOrHex("srtcp_index"))
        }
        return VectorOutcome(
            failures: [mismatch("iv", expected: expected, actual: iv)].compactMap { $0 })
    }
}
