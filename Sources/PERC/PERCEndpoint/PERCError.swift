/// Errors from PERC endpoints (`PERCSender`, `PERCReceiver`). Every failing call leaves the
/// caller's buffer and the endpoint's state as they were (the one exception is
/// `.doubleSRTP(.underlying)`, an OpenSSL-internal failure, after which the payload is
/// unspecified).
///
/// Match the case you care about: `catch PERCError.doubleSRTP(.authenticationFailed(.inner))`
/// (the packet passed the hop but not the sender's end-to-end key: a distributor altered,
/// forged or stripped it), `catch PERCError.ekt(.unknownSPI)` (an EKT key not of this
/// conference).
public enum PERCError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The EKT field or EKT key: malformed or missing field, unknown message type without a
    /// length, unknown SPI, unwrap integrity failure, SSRC or key length mismatch (RFC 8870
    /// §4.3.2 steps 1–6), an EKT key revoked, expired, used up or of another conference.
    case ekt(EKTError)
    /// Double SRTP refused the packet, in the layer it names (RFC 8723 §5.3), or the buffer or
    /// stream state did not allow protecting it.
    case doubleSRTP(DoubleSRTPError)
    /// No end-to-end key has been learned from a FullEKTField for the SSRC (a ShortEKTField
    /// first), or its key was retired with its EKT key.
    case noKey(ssrc: UInt32)
    /// A FullEKTField carried a key older than the SSRC's (RFC 8870 §4.1), so the tag was
    /// ignored, and the packet did not authenticate with the installed key either.
    case staleKey(ssrc: UInt32, spi: UInt16, epoch: UInt16)
    /// The store refused a key the endpoint was created with (unknown, revoked, expired, of
    /// another usage or size).
    case keyStore(KeyStoreError)

    public var description: String {
        switch self {
        case .ekt(let error): "EKT: \(error)"
        case .doubleSRTP(let error): "double SRTP: \(error)"
        case .noKey(let ssrc): "no end-to-end key learned yet for SSRC \(ssrc)"
        case .staleKey(let ssrc, let spi, let epoch):
            "stale EKT key for SSRC \(ssrc) (SPI \(spi), epoch \(epoch)) and the packet did not "
                + "authenticate with the installed key"
        case .keyStore(let error): "key store: \(error)"
        }
    }

    /// A refusal of the EKT receive rules.
    init(_ failure: EKTReceiveFailure<DoubleSRTPError>) {
        switch failure {
        case .ekt(let error): self = .ekt(error)
        case .transform(let error): self = .doubleSRTP(error)
        case .noKey(let ssrc): self = .noKey(ssrc: ssrc)
        case .staleKey(let ssrc, let spi, let epoch):
            self = .staleKey(ssrc: ssrc, spi: spi, epoch: epoch)
        }
    }

    /// A refusal of the EKT sender's tag work (`EKTSenderTags`); its SRTP errors concern the
    /// inner stream, whose index the Full field carries.
    init(_ error: EKTSessionError) {
        switch error {
        case .ekt(let error): self = .ekt(error)
        case .srtp(let error): self = .doubleSRTP(DoubleSRTPError(error, layer: .inner))
        case .noKey(let ssrc): self = .noKey(ssrc: ssrc)
        case .staleKey(let ssrc, let spi, let epoch):
            self = .staleKey(ssrc: ssrc, spi: spi, epoch: epoch)
        }
    }
}

/// Runs `body`, which throws only `DoubleSRTPError`, `KeyStoreError` or `EKTError` (the untyped
/// initialisers of the double SRTP endpoints and the store's closures), and reports any of them
/// as a `PERCError`.
func withPERCErrors<R>(_ body: () throws -> R) throws(PERCError) -> R {
    do {
        return try body()
    } catch let error as DoubleSRTPError {
        throw .doubleSRTP(error)
    } catch let error as KeyStoreError {
        throw .keyStore(error)
    } catch let error as EKTError {
        throw .ekt(error)
    } catch {
        throw .doubleSRTP(.invalidArgument("unexpected error \(type(of: error))"))
    }
}

/// Runs one double SRTP step and reports its error as a `PERCError`.
@inline(__always)
func inDoubleSRTP<R>(_ body: () throws(DoubleSRTPError) -> R) throws(PERCError) -> R {
    do {
        return try body()
    } catch {
        throw .doubleSRTP(error)
    }
}
