@_spi(Conformance) import PERC

/// How one engine did on one packet vector.
enum EngineVerdict: Equatable {
    case passed
    case failed([String])
    /// The engine cannot express the vector (it threw `SRTPError.unsupported`).
    case notApplicable(String)
}

extension PacketVector {
    func check(on engine: SRTPEngineKind) -> EngineVerdict {
        if expectReject { return checkRejected(on: engine) }
        // Both directions run, each on its own session, so one failing does not hide the other.
        let steps = [checkProtect(on: engine), checkUnprotect(on: engine)]
        let failures = steps.compactMap { step -> String? in
            if case .failed(let reason) = step { reason } else { nil }
        }
        if !failures.isEmpty { return .failed(failures) }
        for case .unsupported(let reason) in steps { return .notApplicable(reason) }
        return .passed
    }

    private enum Step {
        case ok
        case failed(String)
        case unsupported(String)
    }

    /// protect(`plaintext`) == `protected`, with the sender's ROC or SRTCP index set first.
    private func checkProtect(on engine: SRTPEngineKind) -> Step {
        attempt("protect") {
            try withSession(on: engine) { session in
                var packet = plaintext ?? []
                let ssrc = try ssrc(of: packet, field: "plaintext")
                if isRTCP {
                    try session.setNextSRTCPIndex(srtcpIndex ?? 0, ssrc: ssrc)
                    try session.protectRTCP(&packet)
                } else {
                    try session.setRolloverCounter(roc, ssrc: ssrc, direction: .outbound)
                    try session.protectRTP(&packet)
                }
                return mismatch("protect", expected: protected, actual: packet)
            }
        }
    }

    /// unprotect(`protected`) == `plaintext`, with the receiver's ROC set first.
    private func checkUnprotect(on engine: SRTPEngineKind) -> Step {
        attempt("unprotect") {
            try withSession(on: engine) { session in
                var packet = protected
                if isRTCP {
                    try session.unprotectRTCP(&packet)
                } else {
                    let ssrc = try ssrc(of: packet, field: "protected")
                    try session.setRolloverCounter(roc, ssrc: ssrc, direction: .inbound)
                    try session.unprotectRTP(&packet)
                }
                return mismatch("unprotect", expected: plaintext ?? [], actual: packet)
            }
        }
    }

    /// A reject vector passes only when unprotect throws a typed error other than `.unsupported`.
    private func checkRejected(on engine: SRTPEngineKind) -> EngineVerdict {
        do {
            return try withSession(on: engine) { session in
                var packet = protected
                // A packet too short to carry an SSRC is rejected by unprotect itself.
                if !isRTCP, let ssrc = try? ssrc(of: packet, field: "protected") {
                    try session.setRolloverCounter(roc, ssrc: ssrc, direction: .inbound)
                }
                do {
                    if isRTCP {
                        try session.unprotectRTCP(&packet)
                    } else {
                        try session.unprotectRTP(&packet)
                    }
                } catch SRTPError.unsupported(let reason) {
                    return .notApplicable("unprotect: \(reason)")
                } catch {
                    return .passed
                }
                return .failed(["unprotect accepted a packet the vector expects to be rejected"])
            }
        } catch SRTPError.unsupported(let reason) {
            return .notApplicable("setup: \(reason)")
        } catch {
            return .failed(["setup: \(error)"])
        }
    }

    private func attempt(_ step: String, _ body: () throws -> String?) -> Step {
        do {
            return try body().map { .failed($0) } ?? .ok
        } catch SRTPError.unsupported(let reason) {
            return .unsupported("\(step): \(reason)")
        } catch {
            return .failed("\(step): \(error)")
        }
    }

    /// Runs `body` with a fresh session on `engine`. Master keys go through a key store that
    /// lives exactly as long as the session is used, then is closed (wiping the imported key).
    private func withSession<R>(on engine: SRTPEngineKind, _ body: (SRTPSession) throws -> R)
        throws -> R
    {
        // `encrypt` speaks of the packet's own kind; the other direction keeps the default.
        let configuration = SRTPSession.Configuration(
            profile: profile, engine: engine, encryptRTP: isRTCP || encrypt,
            encryptRTCP: !isRTCP || encrypt, mki: mki)
        switch keying {
        case .master(let key, let salt):
            let store = KeyStore()
            defer { store.close() }
            let handle = try store.importSRTPMasterKey(key, salt: salt, for: profile)
            return try body(try SRTPSession(key: handle, in: store, configuration: configuration))
        case .session(let encryption, let salt, let authentication):
            let session = try SRTPSession(
                sessionEncryptionKey: encryption, sessionSalt: salt,
                sessionAuthenticationKey: authentication, configuration: configuration)
            return try body(session)
        }
    }

    /// The SSRC of an RTP packet (octets 8-11, RFC 3550 §5.1) or of the first RTCP packet of a
    /// compound (octets 4-7, RFC 3550 §6.4).
    private func ssrc(of packet: [UInt8], field: String) throws(VectorFieldError) -> UInt32 {
        let offset = isRTCP ? 4 : 8
        guard packet.count >= offset + 4 else {
            throw .invalid(field: field, reason: "\(packet.count) octets: too short for an SSRC")
        }
        return packet[offset..<offset + 4].reduce(0) { $0 << 8 | UInt32($1) }
    }
}
