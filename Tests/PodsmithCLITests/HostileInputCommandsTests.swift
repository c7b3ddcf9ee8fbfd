import Foundation
import PodsmithKit
import PodsmithTestSupport
import Testing

/// The malformed-input corpus (``HostileInputTests/cases``) through `normalize` and `season`, not
/// only `measure`: every input `measure` refuses is refused by the other two commands as well, with
/// a non-zero exit, one `podsmith:` line naming the file, no hang, no trap and nothing left behind.
///
/// Why: the three commands open their inputs through different paths (normalize also plans, encodes
/// and commits; season validates a manifest, hashes the file for its state, then runs the
/// normalizer), so a refusal `measure` gets right says nothing about the other two.
@Suite(.serialized) final class HostileInputCommandsTests {
    let workspace: HostileWorkspace

    init() throws { workspace = try HostileWorkspace() }

    deinit { workspace.tearDown() }

    /// The cases `measure` refuses (the accepted ones are ordinary audio to the other commands).
    static let refused = HostileInputTests.cases.filter { $0.exitCode != 0 && !$0.needsRoot }

    @Test(arguments: refused)
    func normalizeRefusesWhatMeasureRefuses(_ hostile: HostileCase) throws {
        let setup = try hostile.make(workspace)
        let output = workspace.path("normalized.mp3")
        let before = workspace.snapshot()
        // -o first: a raw (non-UTF-8) name is appended last by the shell.
        let arguments = ["normalize", "-o", output] + setup.arguments
        let result = try workspace.run(arguments, setup: setup)
        hostile.check(result, command: arguments)
        #expect(!FileManager.default.fileExists(atPath: output), "\(hostile.name): an output was written")
        #expect(workspace.snapshot() == before, "\(hostile.name): the run left files behind or removed some")
    }

    /// One case of each kind of refusal as a season episode (a manifest cannot hold the usage errors,
    /// exit 64): missing, unreadable, not a file, empty, not audio, cut short, absurd header. A season
    /// run costs more than a `normalize` one, so not the whole corpus.
    static let episodeCases: Set<String> = [
        "missing file", "symlink loop", "unreadable file (as nobody)", "character device with no bytes (/dev/null)",
        "zero bytes", "data cut in half", "1000 channels", "MP3 header then garbage",
    ]
    static let episodeFiles = refused.filter { episodeCases.contains($0.name) }

    @Test(arguments: episodeFiles)
    func aSeasonEpisodeThatMeasureRefusesFailsWithOneLineNamingIt(_ hostile: HostileCase) throws {
        let setup = try hostile.make(workspace)
        #expect(setup.arguments.count == 1 && setup.rawTrailingArgument == nil && setup.currentDirectory == nil)
        let file = try #require(setup.arguments.first)
        let manifest = workspace.path("season.json")
        let text = try JSONSerialization.data(withJSONObject: [
            "show": ["title": "T"], "episodes": [["file": file, "title": "One"]],
        ])
        try text.write(to: URL(fileURLWithPath: manifest))
        chmod(manifest, 0o644)
        let out = workspace.path("season-out")
        try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true)
        chmod(out, 0o777)  // the unreadable case runs as `nobody`
        defer { try? FileManager.default.removeItem(atPath: out) }
        let result = try workspace.run(["season", manifest, "-o", out, "--quiet"], setup: setup)
        let context = "\(hostile.name) → \(result.status)\n\(result.stderr)"
        #expect(result.status != 124, "hang: \(context)")
        #expect([1, 65, 66].contains(result.status), "\(context)")
        #expect(!result.stderr.contains("Fatal error") && !result.stderr.contains("Crash"), "\(context)")
        #expect(result.errorLines.count == 1, "\(context)")
        let name = (file as NSString).lastPathComponent
        #expect(result.errorLines.first?.contains(name) == true, "\(context)")
        #expect(
            !FileManager.default.fileExists(atPath: out + "/One.mp3")
                && !FileManager.default.fileExists(
                    atPath: out + "/" + (name as NSString).deletingPathExtension + ".mp3")
        )
    }
}
