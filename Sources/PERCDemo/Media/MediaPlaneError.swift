import PERC

/// Errors of the demo's media plane (`UDPMediaDistributor`, `MediaEndpoint`). Descriptions name
/// participants and addresses, never key bytes.
public enum MediaPlaneError: Error, Sendable, Equatable, CustomStringConvertible {
    /// A participant with this id is already added.
    case duplicateParticipant(String)
    /// No participant with this id.
    case unknownParticipant(String)
    /// Another participant already uses this UDP address.
    case addressInUse(String)
    /// An argument out of range (a rate, a count, a payload type).
    case invalidArgument(String)
    /// The key store refused a key.
    case keyStore(KeyStoreError)
    /// The Media Distributor refused a leg.
    case doubleSRTP(DoubleSRTPError)
    /// A PERC endpoint refused a key or a call.
    case perc(PERCError)
    /// Binding or closing a UDP socket failed.
    case socket(String)

    public var description: String {
        switch self {
        case .duplicateParticipant(let id): "participant \(id) is already added"
        case .unknownParticipant(let id): "no participant \(id)"
        case .addressInUse(let address): "another participant uses \(address)"
        case .invalidArgument(let what): "invalid argument: \(what)"
        case .keyStore(let error): "key store: \(error)"
        case .doubleSRTP(let error): "double SRTP: \(error)"
        case .perc(let error): "PERC: \(error)"
        case .socket(let what): "UDP socket: \(what)"
        }
    }
}
