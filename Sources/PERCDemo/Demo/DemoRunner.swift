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
    /// How long a receiver keeps accepting the older EKT keys after its own sender switched: the
    /// other senders switch within the roster poll interval of it, late packets come after.
    static let receiverOverlap = Duration.seconds(4)
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
