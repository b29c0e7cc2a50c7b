import PERC

/// Errors from the KMF's admin API and start-up, and the refusals its HTTP routes turn into
/// statuses. No case carries key bytes, tokens or passwords.
public enum KMFError: Error, Sendable, Equatable, CustomStringConvertible {
    /// A conference ID must be 1–64 characters of `A–Z a–z 0–9 . _ -` (it appears in URL paths
    /// and key IDs).
    case invalidConferenceID(String)
    /// No conference with this ID (HTTP 404).
    case unknownConference(String)
    /// The conference has ended (HTTP 403 conference_ended).
    case conferenceEnded(String)
    /// The identity is not invited to the conference (HTTP 403 not_invited).
    case notInvited(identity: String, conference: String)
    /// The conference database failed.
    case database(ConferenceDatabaseError)
    /// The key store refused to create or export an EKT key.
    case keys(EKTError)
    /// Exporting the EKT key into an `Encryption-Key` value failed.
    case keyHeader(EncryptionKeyHeaderError)
    /// Signing (roster) or key generation (token, roster, certificate) failed.
    case auth(AuthError)
    /// The HTTPS server could not start (TLS configuration, bind).
    case server(String)

    public var description: String {
        switch self {
        case .invalidConferenceID(let id): "KMF: invalid conference ID \"\(id)\""
        case .unknownConference(let id): "KMF: no conference \(id)"
        case .conferenceEnded(let id): "KMF: conference \(id) has ended"
        case .notInvited(let identity, let conference):
            "KMF: \(identity) is not invited to \(conference)"
        case .database(let error): "KMF: \(error)"
        case .keys(let error): "KMF: key store: \(error)"
        case .keyHeader(let error): "KMF: \(error)"
        case .auth(let error): "KMF: \(error)"
        case .server(let what): "KMF: server: \(what)"
        }
    }

    /// The database's conference errors as the KMF's own, the rest wrapped.
    init(_ error: ConferenceDatabaseError) {
        switch error {
        case .unknownConference(let id): self = .unknownConference(id)
        case .conferenceEnded(let id): self = .conferenceEnded(id)
        default: self = .database(error)
        }
    }
}
