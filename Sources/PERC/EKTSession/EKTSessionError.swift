/// Errors from an EKT sender or receiver (`EKTSender`, `EKTReceiver`). Every failing call leaves
/// the caller's buffer and the sender's or receiver's state as they were.
///
/// The EKT tag and SRTP failures keep their own types, so callers match the one they care about:
/// `catch EKTSessionError.ekt(.unknownSPI)`, `catch EKTSessionError.srtp(.replayed)`.
public enum EKTSessionError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The EKT tag could not be used: malformed, unknown message type without a length, unknown
    /// SPI, unwrap integrity failure, SSRC or key length mismatch (RFC 8870 §4.3.2 steps 1–6),
    /// or the EKT key or a key built from it was refused by the key store.
    case ekt(EKTError)
    /// SRTP or SRTCP processing failed (RFC 3711 §3.3, §3.4).
    case srtp(SRTPError)
    /// A packet for an SSRC whose SRTP master key has not been learned from a FullEKTField yet
    /// (a ShortEKTField before any FullEKTField), or whose key was retired with its EKT key.
    case noKey(ssrc: UInt32)
    /// A FullEKTField carried a key older than the one installed for its SSRC (an epoch not
    /// newer than the installed one's for the same SPI, or a key this SSRC already replaced;
    /// RFC 8870 §4.1), so the tag was ignored — and the packet did not authenticate with the
    /// installed key either.
    case staleKey(ssrc: UInt32, spi: UInt16, epoch: UInt16)

    public var description: String {
        switch self {
        case .ekt(let error): "EKT: \(error)"
        case .srtp(let error): "SRTP: \(error)"
        case .noKey(let ssrc): "no SRTP master key learned yet for SSRC \(ssrc)"
        case .staleKey(let ssrc, let spi, let epoch):
            "stale EKT key for SSRC \(ssrc) (SPI \(spi), epoch \(epoch)) and the packet did not "
                + "authenticate with the installed key"
        }
    }
}

extension EKTSessionError {
    /// A refusal of the receive rules, for single SRTP.
    init(_ failure: EKTReceiveFailure<SRTPError>) {
        switch failure {
        case .ekt(let error): self = .ekt(error)
        case .transform(let error): self = .srtp(error)
        case .noKey(let ssrc): self = .noKey(ssrc: ssrc)
        case .staleKey(let ssrc, let spi, let epoch):
            self = .staleKey(ssrc: ssrc, spi: spi, epoch: epoch)
        }
    }

    /// The same refusal, as the receive rules report it.
    var receiveFailure: EKTReceiveFailure<SRTPError> {
        switch self {
        case .ekt(let error): .ekt(error)
        case .srtp(let error): .transform(error)
        case .noKey(let ssrc): .noKey(ssrc: ssrc)
        case .staleKey(let ssrc, let spi, let epoch): .staleKey(ssrc: ssrc, spi: spi, epoch: epoch)
        }
    }
}

/// Runs `body`, which throws only `EKTSessionError`, `EKTError`, `SRTPError` or `KeyStoreError`
/// (the untyped closures of the store and sessions), and reports any of them as an
/// `EKTSessionError`.
func withEKTSessionErrors<R>(_ body: () throws -> R) throws(EKTSessionError) -> R {
    do {
        return try body()
    } catch let error as EKTSessionError {
        throw error
    } catch let error as EKTError {
        throw .ekt(error)
    } catch let error as SRTPError {
        throw .srtp(error)
    } catch let error as KeyStoreError {
        throw .ekt(.keyStore(error))
    } catch {
        throw .ekt(.invalidArgument("unexpected error \(type(of: error))"))
    }
}
