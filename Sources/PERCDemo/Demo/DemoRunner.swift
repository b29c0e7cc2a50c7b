import Foundation
import Logging
import NIOCore
import NIOPosix
import PERC

/// Runs `perc demo`: a KMF, a Media Distributor and the participants on 127.0.0.1, the joins and
/// leaves of the configuration, the bad-input phase, the end of the conference, and the checks.
public struct DemoRunner: Sendable {
    public let configuration: DemoConfiguration
    private let logger: Logger

    /// The KMF's longest wait, after a rekey, for every participant to hold the new key before
    /// it schedules the senders' switch anyway (normally they all fetch it within a poll
    /// interval; the margin is for very slow machines, e.g. sanitizer runs).
    static let rekeyLead = Duration.seconds(10)
    /// How long a receiver keeps accepting the older EKT keys after its own sender switched. The
    /// other senders switch within a poll interval of it, but at a leave the distributor holds
    /// old-key packets until the last sender switched (up to `rekeyLead` + 5 s on a slow
    /// machine) and only then delivers them: the overlap covers that.
    static let receiverOverlap = rekeyLead + .seconds(10)
    static let rosterPollInterval = Duration.milliseconds(100)

    /// A runner for `configuration`; the KMF's and distributor's log lines go to `logger` (they
    /// never carry key material, tokens or passwords).
    public init(configuration: DemoConfiguration, logger: Logger) {
        self.configuration = configuration
        self.logger = logger
    }

    /// Runs the demo; `progress` receives a status line about twice a second.
    public func run(progress: @Sendable (String) -> Void) async throws(DemoError) -> DemoReport {
        try configuration.validate()
        let group = MultiThreadedEventLoopGroup.singleton
        let world = try await DemoWorld.start(
            configuration: configuration, group: group, logger: logger)
        do {
            let report = try await world.run(progress: progress)
            await world.shutDown()
            return report
        } catch {
            await world.shutDown()
            throw error
        }
    }
}
