import Foundation
import PodsmithTestSupport
import Testing

@testable import PodsmithCodecs
@testable import PodsmithCore
@testable import PodsmithKit
@testable import PodsmithSeason

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Scale-out of `podsmith season` (issue 7): shards as separate processes on one shared output folder,
/// then `--merge`, must give what one unsharded run gives; a shard killed mid-way and retried must
/// complete the season; the batch systems' environment must pick the same shard as `--shard`.
///
/// Every run gets a clean environment (no inherited `JOB_COMPLETION_INDEX`, `SLURM_*`,
/// `PODSMITH_SHARDS`), so the suite behaves the same when CI itself runs inside a Job or an array.
@Suite(.serialized) struct ScaleOutTests {
    typealias SeasonFixture = SeasonCommandTests.SeasonFixture

    // MARK: - Running the binary

    /// The environment without any variable that selects a shard.
    static func cleanEnvironment(_ extra: [String: String] = [:]) -> [String: String] {
        var env = ProcessInfo.processInfo.environment
        for key in env.keys where key.hasPrefix("SLURM_") || key == "JOB_COMPLETION_INDEX" || key == "PODSMITH_SHARDS" {
            env[key] = nil
        }
        return env.merging(extra) { $1 }
    }

    /// A started `podsmith` whose stdout and stderr go to files (no pipe to drain while several run).
    final class Run {
        let process = Process()
        let stdoutPath: String
        let stderrPath: String

        init(_ arguments: [String], environment: [String: String] = [:], logs folder: String) throws {
            let id = UUID().uuidString
            stdoutPath = folder + "/run-\(id).out"
            stderrPath = folder + "/run-\(id).err"
            _ = FileManager.default.createFile(atPath: stdoutPath, contents: nil)
            _ = FileManager.default.createFile(atPath: stderrPath, contents: nil)
            process.executableURL = CommandRunner.binary
            process.arguments = arguments
            process.environment = ScaleOutTests.cleanEnvironment(environment)
            process.standardOutput = try FileHandle(forWritingTo: URL(fileURLWithPath: stdoutPath))
            process.standardError = try FileHandle(forWritingTo: URL(fileURLWithPath: stderrPath))
            try process.run()
        }

        /// Waits for the process and returns what it printed.
        func finish() throws -> ProcessResult {
            process.waitUntilExit()
            return ProcessResult(
                status: process.terminationStatus,
                stdout: try String(contentsOfFile: stdoutPath, encoding: .utf8),
                stderr: try String(contentsOfFile: stderrPath, encoding: .utf8))
        }
    }

    /// Runs `podsmith` to the end in a clean environment.
    static func podsmith(
        _ arguments: [String], environment: [String: String] = [:],
        logs folder: String
    ) throws -> ProcessResult {
        try Run(arguments, environment: environment, logs: folder).finish()
    }

    // MARK: - Reading results

    /// The identity (manifest-relative input) of episode `n` in a ``SeasonFixture``.
    static func identity(_ n: Int) -> String { String(format: "raw/ep%02d.wav", n) }
    static func stem(_ n: Int) -> String { String(format: "ep%02d", n) }

    /// The fixture's episodes of shard `k` of `count`, by the partition function (its properties are
    /// tested in `SeasonShardTests`), in season order.
    static func episodes(ofShard k: Int, count: Int, seasonSize: Int) -> [Int] {
        (1...seasonSize).filter { ShardSelector.shard(of: identity($0), count: count) == k }
    }

    /// Every file under `folder` (hidden ones and `.podsmith/` included), relative paths.
    static func allFiles(_ folder: String) -> [String] {
        (FileManager.default.enumerator(atPath: folder)?.allObjects as? [String] ?? []).filter {
            var isDirectory: ObjCBool = false
            _ = FileManager.default.fileExists(atPath: folder + "/" + $0, isDirectory: &isDirectory)
            return !isDirectory.boolValue
        }
    }

    /// The published files: visible names at the top of the folder.
    static func publishedFiles(_ folder: String) throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: folder).filter { !$0.hasPrefix(".") }.sorted()
    }

    /// `--json` summary's episodes as (identity, status).
    static func outcomes(_ result: ProcessResult) throws -> [(identity: String, status: String)] {
        let summary = try #require(try result.json() as? [String: Any], "not a JSON summary: \(result.stdout)")
        let episodes = try #require(summary["episodes"] as? [[String: Any]])
        return episodes.map { ($0["identity"] as? String ?? "?", $0["status"] as? String ?? "?") }
    }

    /// A JSON file parsed, with the keys that are timings removed at every level.
    static func jsonWithoutTimings(_ path: String) throws -> NSObject {
        func strip(_ value: Any) -> Any {
            if let object = value as? [String: Any] {
                return object.filter { $0.key != "generated_at" }.mapValues(strip)
            }
            if let array = value as? [Any] { return array.map(strip) }
            return value
        }
        let value = try JSONSerialization.jsonObject(
            with: Data(contentsOf: URL(fileURLWithPath: path)),
            options: [.fragmentsAllowed])
        return try #require(strip(value) as? NSObject)
    }

    // MARK: - Tests

    @Test func threeConcurrentShardsAndMergeGiveTheSameSeasonAsOneRun() throws {
        let fixture = try SeasonFixture(count: 7, formats: "[mp3, opus@48k]")
        let sharded = fixture.folder + "/sharded", single = fixture.folder + "/single"
        for k in 0..<3 {
            #expect(!Self.episodes(ofShard: k, count: 3, seasonSize: fixture.count).isEmpty, "shard \(k) is empty")
        }

        let shards = try (0..<3).map { k in
            try Run(
                ["season", fixture.manifest, "-o", sharded, "--shard", "\(k)/3", "--jobs", "1", "--quiet"],
                logs: fixture.folder)
        }
        for (k, shard) in shards.enumerated() {
            let result = try shard.finish()
            #expect(result.status == 0, "shard \(k)/3: \(result.stderr)")
        }
        let beforeMerge = try Self.publishedFiles(sharded)
        #expect(
            !beforeMerge.contains("report.json") && !beforeMerge.contains("feed.xml")
                && !beforeMerge.contains("index.html"),
            "a sharded run writes no season-wide file")
        let merge = try Self.podsmith(["season", fixture.manifest, "-o", sharded, "--merge"], logs: fixture.folder)
        #expect(merge.status == 0, "\(merge.stderr)")
        #expect(merge.errorLines.isEmpty, "\(merge.stderr)")

        let whole = try Self.podsmith(
            ["season", fixture.manifest, "-o", single, "--jobs", "2", "--quiet"], logs: fixture.folder)
        #expect(whole.status == 0, "\(whole.stderr)")

        let names = try Self.publishedFiles(single)
        #expect(try Self.publishedFiles(sharded) == names)
        for n in 1...fixture.count {
            for suffix in [".mp3", ".opus", ".report.json", ".waveform.json", ".loudness.svg"] {
                #expect(names.contains(Self.stem(n) + suffix), "\(Self.stem(n))\(suffix) missing")
            }
        }
        #expect(
            Set(["report.json", "index.html", "feed.xml", "artwork.png", "ep01.chapters.json"]).isSubset(of: names))
        #expect(!Self.allFiles(sharded).contains { $0.contains(AtomicOutputFile.marker) }, "temporary left behind")

        for name in names {
            let a = sharded + "/" + name, b = single + "/" + name
            if name == "report.json" {
                // Only `generated_at` is a timing: the report is otherwise the same.
                #expect(
                    try Self.jsonWithoutTimings(a) == Self.jsonWithoutTimings(b), "report.json differs beyond timings")
                #expect(try Data(contentsOf: URL(fileURLWithPath: a)) != Data(), "empty report.json")
            } else {
                // Audio byte for byte; per-episode reports, waveforms, plots, the feed (lastBuildDate is the
                // newest pubDate, not the time of the run) and the index page the same too.
                let same = FileManager.default.contentsEqual(atPath: a, andPath: b)
                #expect(same, "\(name) differs between the sharded and the single run")
            }
        }
        // The feed and the page carry every episode, whichever shard did it.
        let feed = try FeedDocument(path: sharded + "/feed.xml")
        #expect(feed.items.count == fixture.count)
        let index = try String(contentsOfFile: sharded + "/index.html", encoding: .utf8)
        for n in 1...fixture.count { #expect(index.contains("Episode \(n)")) }
    }

    @Test func killedShardIsCompletedByItsRetryAndMergeListsExactlyWhatIsMissing() throws {
        let fixture = try SeasonFixture(count: 9, formats: "[mp3, opus@48k]")
        let out = fixture.out
        // The biggest shard: it has at least three of nine episodes, so killing it after its first
        // leaves one finished and at least one missing.
        let members = (0..<3).map { Self.episodes(ofShard: $0, count: 3, seasonSize: fixture.count) }
        let victim = try #require((0..<3).max { members[$0].count < members[$1].count })
        let mine = members[victim]
        try #require(mine.count >= 2)
        let first = Self.stem(mine[0])

        let others = try (0..<3).filter { $0 != victim }.map { k in
            try Run(
                ["season", fixture.manifest, "-o", out, "--shard", "\(k)/3", "--jobs", "1", "--quiet"],
                logs: fixture.folder)
        }
        let doomed = try Run(
            ["season", fixture.manifest, "-o", out, "--shard", "\(victim)/3", "--jobs", "1", "--quiet"],
            logs: fixture.folder)
        // Kill it while it writes a later episode: the first is finished, a temporary of an unfinished one exists.
        var caughtWriting: String?
        let deadline = Date().addingTimeInterval(120)
        while Date() < deadline && doomed.process.isRunning && caughtWriting == nil {
            let names = (try? FileManager.default.contentsOfDirectory(atPath: out)) ?? []
            if names.contains(first + ".report.json") {
                caughtWriting = mine.dropFirst().map(Self.stem).first { stem in
                    !names.contains(stem + ".report.json") && names.contains { $0.hasPrefix("." + stem + ".") }
                }
                if caughtWriting != nil { kill(doomed.process.processIdentifier, SIGKILL) }
            }
            if caughtWriting == nil { usleep(2_000) }
        }
        let killed = try doomed.finish()
        let second = try #require(
            caughtWriting, "the shard finished before it could be killed mid-way: \(killed.stderr)")
        #expect(killed.status == SIGKILL && doomed.process.terminationReason == .uncaughtSignal)
        for (i, other) in others.enumerated() {
            let result = try other.finish()
            #expect(result.status == 0, "shard \(i): \(result.stderr)")
        }

        // What the kill left: partial files only under hidden temporary names; every visible audio
        // file is complete (decodes to the episode's length).
        let leftovers = Self.allFiles(out).filter { $0.contains(AtomicOutputFile.marker) }
        // (Almost always the temporary seen above is among them; not required, since it may have been
        // renamed into place between the look and the kill.)
        #expect(leftovers.allSatisfy { ($0 as NSString).lastPathComponent.hasPrefix(".") }, "\(leftovers)")
        for name in try Self.publishedFiles(out) where name.hasSuffix(".mp3") || name.hasSuffix(".opus") {
            let measured = try LoudnessAnalysis.measure(SoundFileReader(path: out + "/" + name), meter: .podsmith)
            #expect(measured.durationSeconds > 2.5, "\(name) is incomplete")
        }

        // Merge before the retry: exit 1, one line per missing episode, exactly the killed shard's unfinished ones.
        let expectedMissing = Set(
            mine.map(Self.stem).filter {
                !FileManager.default.fileExists(atPath: out + "/" + $0 + ".report.json")
            })
        #expect(expectedMissing.contains(second) && !expectedMissing.contains(first))
        let early = try Self.podsmith(
            ["season", fixture.manifest, "-o", out, "--merge", "--quiet"], logs: fixture.folder)
        #expect(early.status == 1)
        let lines = early.stderr.split(separator: "\n").map(String.init)
        #expect(lines.count == expectedMissing.count, "\(early.stderr)")
        let named = Set(
            lines.compactMap { line -> String? in
                guard line.hasPrefix("podsmith: "), line.contains("missing") else { return nil }
                return line.dropFirst("podsmith: ".count).split(separator: ":").first.map(String.init)
            })
        #expect(named == expectedMissing, "\(early.stderr)")

        // The retry redoes only what is missing and removes the dead run's temporaries.
        let retry = try Self.podsmith(
            ["season", fixture.manifest, "-o", out, "--shard", "\(victim)/3", "--jobs", "1", "--json"],
            logs: fixture.folder)
        #expect(retry.status == 0, "\(retry.stderr)")
        let outcomes = try Self.outcomes(retry)
        #expect(outcomes.map(\.identity) == mine.map(Self.identity))
        let redone = Set(
            outcomes.filter { $0.status == "processed" }.map { ($0.identity as NSString).lastPathComponent })
        #expect(redone == Set(expectedMissing.map { $0 + ".wav" }), "\(outcomes)")
        #expect(outcomes.allSatisfy { ["processed", "up-to-date"].contains($0.status) }, "\(outcomes)")
        #expect(
            !Self.allFiles(out).contains { $0.contains(AtomicOutputFile.marker) },
            "temporaries left: \(Self.allFiles(out).filter { $0.contains(AtomicOutputFile.marker) })")

        let late = try Self.podsmith(
            ["season", fixture.manifest, "-o", out, "--merge", "--quiet"], logs: fixture.folder)
        #expect(late.status == 0, "\(late.stderr)")
        #expect(late.stderr.isEmpty, "\(late.stderr)")
        #expect(try FeedDocument(path: out + "/feed.xml").items.count == fixture.count)
    }

    @Test func batchSystemEnvironmentSelectsTheSameShardAsTheOptionAndTheOptionWins() throws {
        let fixture = try SeasonFixture(count: 6, formats: "[mp3]")
        let out = fixture.out
        let members = (0..<3).map { Self.episodes(ofShard: $0, count: 3, seasonSize: fixture.count) }
        let k = try #require((0..<3).max { members[$0].count < members[$1].count })
        let expected = members[k].map(Self.identity)

        // The reference: the explicit option. It processes the shard; the later runs find it up to date.
        let explicit = try Self.podsmith(
            ["season", fixture.manifest, "-o", out, "--shard", "\(k)/3", "--json"], logs: fixture.folder)
        #expect(explicit.status == 0, "\(explicit.stderr)")
        #expect(try Self.outcomes(explicit).map(\.identity) == expected)
        #expect(try Self.outcomes(explicit).allSatisfy { $0.status == "processed" })

        let environments: [(String, [String], [String: String])] = [
            ("Kubernetes, PODSMITH_SHARDS", [], ["JOB_COMPLETION_INDEX": "\(k)", "PODSMITH_SHARDS": "3"]),
            ("Kubernetes, --shards", ["--shards", "3"], ["JOB_COMPLETION_INDEX": "\(k)"]),
            (
                "Slurm array 10-12", [],
                [
                    "SLURM_ARRAY_TASK_ID": "\(10 + k)", "SLURM_ARRAY_TASK_MIN": "10",
                    "SLURM_ARRAY_TASK_MAX": "12", "SLURM_ARRAY_TASK_COUNT": "3",
                ]
            ),
            (
                "--shard over a different environment", ["--shard", "\(k)/3"],
                [
                    "JOB_COMPLETION_INDEX": "\((k + 1) % 2)", "PODSMITH_SHARDS": "2",
                    "SLURM_ARRAY_TASK_ID": "\((k + 1) % 3)", "SLURM_ARRAY_TASK_COUNT": "3",
                ]
            ),
        ]
        for (label, options, environment) in environments {
            let result = try Self.podsmith(
                ["season", fixture.manifest, "-o", out, "--json"] + options,
                environment: environment, logs: fixture.folder)
            #expect(result.status == 0, "\(label): \(result.stderr)")
            let summary = try #require(try result.json() as? [String: Any], "\(label): \(result.stdout)")
            #expect(summary["shard"] as? String == "\(k)/3", "\(label)")
            let outcomes = try Self.outcomes(result)
            #expect(outcomes.map(\.identity) == expected, "\(label)")
            #expect(outcomes.allSatisfy { $0.status == "up-to-date" }, "\(label): \(outcomes)")
        }
        // Every one of those runs was a shard: none wrote the season-wide files.
        #expect(!FileManager.default.fileExists(atPath: out + "/feed.xml"))
    }

    @Test func slurmListOfTasksRunsExactlyThoseShardsWithACountAndIsRefusedWithout() throws {
        // `sbatch --array=A,B season.sbatch` to redo two shards of 4: Slurm gives the tasks IDs A and B with
        // minimum A, maximum B and count 2. With --shards 4 each task is its shard; without it, exit 64.
        let fixture = try SeasonFixture(count: 6, formats: "[mp3]")
        let out = fixture.out
        let nonEmpty = (0..<4).filter { !Self.episodes(ofShard: $0, count: 4, seasonSize: fixture.count).isEmpty }
        let (first, last) = (try #require(nonEmpty.first), try #require(nonEmpty.last))
        try #require(last - first >= 2, "the fixture's shards \(nonEmpty) make no list with a gap")
        func environment(_ task: Int) -> [String: String] {
            [
                "SLURM_ARRAY_TASK_ID": "\(task)", "SLURM_ARRAY_TASK_MIN": "\(first)",
                "SLURM_ARRAY_TASK_MAX": "\(last)", "SLURM_ARRAY_TASK_COUNT": "2", "SLURM_ARRAY_TASK_STEP": "1",
            ]
        }
        let refused = try Self.podsmith(
            ["season", fixture.manifest, "-o", out, "--json"], environment: environment(last), logs: fixture.folder)
        #expect(refused.status == 64, "\(refused.stderr)")
        #expect(refused.stderr.contains("SLURM_ARRAY_TASK_ID=\(last) is from a listed or stepped array"))
        #expect(refused.stderr.contains("pass --shards N"), "\(refused.stderr)")
        #expect(refused.stderr.split(separator: "\n").count == 1, "\(refused.stderr)")
        let written = FileManager.default.fileExists(atPath: out) ? try Self.publishedFiles(out) : []
        #expect(written.isEmpty, "a refused run wrote \(written)")

        for task in [first, last] {
            let result = try Self.podsmith(
                ["season", fixture.manifest, "-o", out, "--json", "--shards", "4"], environment: environment(task),
                logs: fixture.folder)
            #expect(result.status == 0, "\(result.stderr)")
            let expected = Self.episodes(ofShard: task, count: 4, seasonSize: fixture.count).map(Self.identity)
            #expect(try Self.outcomes(result).map(\.identity) == expected, "task \(task)")
            #expect(try Self.outcomes(result).allSatisfy { $0.status == "processed" }, "task \(task)")
        }
    }

    @Test func aShardLeavesTemporariesOfOtherShardsEpisodesAlone() throws {
        // A temporary whose writer's PID does not exist here stands for a live shard on another machine
        // (PID 2^22 + 7 is above Linux's pid_max): only the run holding the episode's lock may remove it.
        let fixture = try SeasonFixture(count: 6, formats: "[mp3]")
        let out = fixture.out
        let mine = Self.episodes(ofShard: 0, count: 2, seasonSize: fixture.count)
        let theirs = Self.episodes(ofShard: 1, count: 2, seasonSize: fixture.count)
        try #require(!mine.isEmpty && !theirs.isEmpty)
        try FileManager.default.createDirectory(atPath: out + "/.podsmith/episodes", withIntermediateDirectories: true)
        let remote = "\(AtomicOutputFile.marker)\((1 << 22) + 7)"
        let theirTemporaries = [
            out + "/." + Self.stem(theirs[0]) + ".mp3" + remote,
            out + "/.podsmith/episodes/." + Self.stem(theirs[0]) + ".json" + remote,
        ]
        let myTemporaries = [
            out + "/." + Self.stem(mine[0]) + ".mp3" + remote,
            out + "/.podsmith/episodes/." + Self.stem(mine[0]) + ".json" + remote,
        ]
        for path in theirTemporaries + myTemporaries { try Data("partial".utf8).write(to: URL(fileURLWithPath: path)) }

        let result = try Self.podsmith(
            ["season", fixture.manifest, "-o", out, "--shard", "0/2", "--quiet"], logs: fixture.folder)
        #expect(result.status == 0, "\(result.stderr)")
        for path in theirTemporaries {
            #expect(FileManager.default.fileExists(atPath: path), "removed another shard's \(path)")
        }
        for path in myTemporaries {
            #expect(!FileManager.default.fileExists(atPath: path), "left its own episode's \(path)")
        }
    }
}
