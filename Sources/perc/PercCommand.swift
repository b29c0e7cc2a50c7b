import ArgumentParser

@main
struct PercCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "perc", abstract: "swift-perc tools",
        subcommands: [VectorsCommand.self, DemoCommand.self, BenchCommand.self])
}
