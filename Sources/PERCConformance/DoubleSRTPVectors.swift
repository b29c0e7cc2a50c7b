import PERC

/// `double_srtp_packet` (vectors/SCHEMA.md, RFC 8723 §5.1, §5.3): the sender keyed with the
/// vector's double key protects `plaintext` into `protected`; a receiver holding the same double
/// key recovers `plaintext`. Each side runs on a fresh store. A reject vector passes only when
/// the receiver throws a typed error.
struct DoubleSRTPPacketVectors: VectorExecutor {
    let kinds: Set<String> = ["double_srtp_packet"]

    func execute(_ vector: Vector) throws -> VectorOutcome {
        let fields = vector.fields
        let profile = try doubleProfile(fields)
        let key = try fields.hex("master_key", count: profile.masterKeyLength)
        let salt = try fields.hex("master_salt", count: profile.masterSaltLength)
        let roc = try fields.integer("roc", default: UInt32(0))
        let expectReject = try rejects(fields)
        let protected = try fields.hex("protected")
        var outcome = VectorOutcome()

        if !expectReject {
            let plaintext = try fields.hex("plaintext")
            let store = KeyStore()
            defer { store.close() }
            let keys = try store.importDoubleMasterKey(key, salt: salt, for: profile)
            let sender = try DoubleSRTPSender(
                profile: profile, endToEndKey: keys.endToEnd, hopKey: keys.hopByHop, in: store)
            var packet = plaintext
            try sender.setRolloverCounter(roc, ssrc: try ssrc(of: packet, field: "plaintext"))
            try sender.protect(&packet)
            outcome.failures += [mismatch("protect", expected: protected, actual: packet)]
                .compactMap { $0 }
            outcome.failures += receive(
                protected, profile: profile, key: key, salt: salt, roc: roc, expect: plaintext)
        } else {
            outcome.failures += receive(
                protected, profile: profile, key: key, salt: salt, roc: roc, expect: nil)
        }
        return outcome
    }

    /// Receives `packet` with a receiver holding the double key; nil `expect` means it must fail.
    private func receive(
        _ packet: [UInt8], profile: DoubleSRTPProfile, key: [UInt8], salt: [UInt8], roc: UInt32,
        expect plaintext: [UInt8]?
    ) -> [String] {
        do {
            let store = KeyStore()
            defer { store.close() }
            let keys = try store.importDoubleMasterKey(key, salt: salt, for: profile)
            let receiver = try DoubleSRTPReceiver(
                profile: profile, hopKey: keys.hopByHop, in: store)
            var packet = packet
            // A packet too short to carry an SSRC is refused by receive itself.
            let ssrc = (try? ssrc(of: packet, field: "protected")) ?? 0
            try receiver.setEndToEndKey(
                keys.endToEnd, in: store, ssrc: ssrc, rolloverCounter: roc)
            try receiver.setOuterRolloverCounter(roc, ssrc: ssrc)
            do {
                try receiver.receive(&packet)
            } catch {
                return plaintext == nil ? [] : ["receive: \(error)"]
            }
            guard let plaintext else { return ["receive accepted a packet it must reject"] }
            return [mismatch("receive", expected: plaintext, actual: packet)].compactMap { $0 }
        } catch {
            return ["receiver setup: \(error)"]
        }
    }
}

/// `double_relay` (vectors/SCHEMA.md, RFC 8723 §5.2): a Media Distributor holding only the two
/// hop keys relays `input` into `output` with the vector's rewrite; a receiver holding the
/// sender's end-to-end half and the egress hop half then recovers the payload of
/// `original_plaintext` and its original PT, SEQ and marker. A reject vector passes only when
/// the relay throws a typed error.
struct DoubleRelayVectors: VectorExecutor {
    let kinds: Set<String> = ["double_relay"]

    func execute(_ vector: Vector) throws -> VectorOutcome {
        let fields = vector.fields
        let profile = try doubleProfile(fields)
        let half = profile.halfProfile
        let ingressKey = try fields.hex("ingress_outer_key", count: half.masterKeyLength)
        let ingressSalt = try fields.hex("ingress_outer_salt", count: half.masterSaltLength)
        let egressKey = try fields.hex("egress_outer_key", count: half.masterKeyLength)
        let egressSalt = try fields.hex("egress_outer_salt", count: half.masterSaltLength)
        let rewrite = try headerRewrite(fields.object("rewrite"))
        let roc = try fields.integer("roc", default: UInt32(0))
        let input = try fields.hex("input")
        let expectReject = try rejects(fields)

        let store = KeyStore()
        defer { store.close() }
        let md = try MediaDistributor(profile: profile, ektInUse: false)
        let ingress = try md.addIngress(
            hopKey: store.importHopKey(ingressKey, salt: ingressSalt, for: profile), in: store)
        let egress = try md.addEgress(
            hopKey: store.importHopKey(egressKey, salt: egressSalt, for: profile), in: store)
        var packet = input
        var outcome = VectorOutcome()
        if expectReject {
            do {
                try md.relay(&packet, from: ingress, to: egress, rewrite: rewrite)
                outcome.failures.append("relay accepted a packet it must reject")
            } catch {}
            return outcome
        }
        let output = try fields.hex("output")
        let receiverKey = try fields.hex("receiver_master_key", count: profile.masterKeyLength)
        let receiverSalt = try fields.hex("receiver_master_salt", count: profile.masterSaltLength)
        let original = try fields.hex("original_plaintext")
        let ssrc = try ssrc(of: input, field: "input")
        try md.setRolloverCounter(roc, ssrc: ssrc, on: ingress)
        try md.setRolloverCounter(roc, ssrc: ssrc, on: egress)
        try md.relay(&packet, from: ingress, to: egress, rewrite: rewrite)
        outcome.failures += [mismatch("relay", expected: output, actual: packet)].compactMap { $0 }

        let keys = try store.importDoubleMasterKey(receiverKey, salt: receiverSalt, for: profile)
        let receiver = try DoubleSRTPReceiver(profile: profile, hopKey: keys.hopByHop, in: store)
        try receiver.setEndToEndKey(keys.endToEnd, in: store, ssrc: ssrc, rolloverCounter: roc)
        try receiver.setOuterRolloverCounter(roc, ssrc: ssrc)
        var received = output
        let result = try receiver.receive(&received)
        let headerLength = try rtpHeaderLength(of: original, field: "original_plaintext")
        if let difference = mismatch(
            "received payload", expected: Array(original[headerLength...]),
            actual: Array(received[result.payloadRange]))
        {
            outcome.failures.append(difference)
        }
        let expected = (
            pt: original[1] & 0x7F, seq: UInt16(original[2]) << 8 | UInt16(original[3]),
            marker: original[1] & 0x80 != 0
        )
        let actual = (
            pt: result.originalPayloadType, seq: result.originalSequenceNumber,
            marker: result.originalMarker
        )
        if expected != actual {
            outcome.failures.append(
                "received original (PT, SEQ, M) \(actual), expected \(expected)")
        }
        return outcome
    }

    private func headerRewrite(_ fields: VectorFields) throws -> MediaDistributor.HeaderRewrite {
        let marker: UInt8? = fields.contains("marker") ? try fields.integer("marker") : nil
        if let marker, marker > 1 {
            throw VectorFieldError.outOfRange(field: "rewrite.marker", range: "0...1")
        }
        return MediaDistributor.HeaderRewrite(
            payloadType: fields.contains("pt") ? try fields.integer("pt") : nil,
            sequenceNumber: fields.contains("seq") ? try fields.integer("seq") : nil,
            marker: marker.map { $0 == 1 })
    }
}

// MARK: Shared field readers

private func doubleProfile(_ fields: VectorFields) throws(VectorFieldError) -> DoubleSRTPProfile {
    let name = try fields.string("profile")
    guard let profile = DoubleSRTPProfile(rawValue: name) else {
        throw .invalid(field: "profile", reason: "\(name) is not a double SRTP profile")
    }
    return profile
}

private func rejects(_ fields: VectorFields) throws(VectorFieldError) -> Bool {
    switch try fields.optionalString("expect") {
    case nil, "accept": return false
    case "reject": return true
    case let other?:
        throw .invalid(field: "expect", reason: "\"\(other)\" is neither \"reject\" nor \"accept\"")
    }
}

/// The SSRC of an RTP packet (octets 8–11).
private func ssrc(of packet: [UInt8], field: String) throws(VectorFieldError) -> UInt32 {
    guard packet.count >= 12 else {
        throw .invalid(field: field, reason: "\(packet.count) octets: too short for an SSRC")
    }
    return packet[8..<12].reduce(0) { $0 << 8 | UInt32($1) }
}

/// Length of the RTP header (fixed part, CSRCs, extension block) of a plaintext packet.
private func rtpHeaderLength(of packet: [UInt8], field: String) throws(VectorFieldError) -> Int {
    guard packet.count >= 12 else {
        throw .invalid(field: field, reason: "shorter than an RTP header")
    }
    var length = 12 + 4 * Int(packet[0] & 0x0F)
    if packet[0] & 0x10 != 0 {
        guard packet.count >= length + 4 else {
            throw .invalid(field: field, reason: "extension header past the end")
        }
        length += 4 + 4 * (Int(packet[length + 2]) << 8 | Int(packet[length + 3]))
    }
    guard length <= packet.count else {
        throw .invalid(field: field, reason: "header past the end")
    }
    return length
}
