import ArgumentParser
import PodsmithKit

/// The `podsmith` command: loudness measurement, normalization and encoding for podcast episodes.
@main
struct Podsmith: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "podsmith",
        abstract: "Measure, normalize and encode podcast episodes.",
        discussion: """
            Exit codes (every command): 0 success; 1 some of several inputs failed (or lint found \
            problems); 64 usage error; 65 input is not usable audio; 66 input missing or unreadable; \
            70 internal error; 73 output cannot be created.
            """,
        version: PodsmithVersion.string,
        subcommands: [Measure.self, Normalize.self, Season.self, Lint.self])
}
