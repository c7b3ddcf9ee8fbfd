import Foundation
import PodsmithTestSupport
import Testing

@testable import PodsmithCodecs
@testable import PodsmithCore
@testable import PodsmithKit
@testable import PodsmithSeason

@Suite struct SeasonRunnerTests {
    @Test func firstRunProcessesAllAndWritesOutputsReportsAndState() throws {
        let f = try SeasonFixture()
        let manifest = try f.manifest(episodes: 3)
        let processor = FakeProcessor()
        let summary = try runSeason(manifest, out: f.out, processor: processor)
        #expect(summary.episodes.map(\.status) == [.processed, .processed, .processed])
        #expect(!summary.hasFailures)
        let files = Set(f.outputFiles().keys)
        for stem in ["ep01", "ep02", "ep03"] {
            #expect(files.isSuperset(of: ["\(stem).mp3", "\(stem).opus", "\(stem).report.json"]))
            #expect(FileManager.default.fileExists(atPath: "\(f.out)/.podsmith/episodes/\(stem).json"))
        }
        #expect(!files.contains { $0.contains(AtomicOutputFile.marker) })
        let report = try JSONDecoder().decode(JSONValue.self, from: f.outputFiles()["ep02.report.json"]!)
        guard case .object(let fields) = report, case .object(let payload)? = fields["report"],
            case .object(let input)? = payload["input"]
        else {
            Issue.record("report is not an object: \(report)")
            return
        }
        #expect(fields["input"] == .string("raw/ep02.wav"))
        #expect(payload["input_file"] == .string("raw/ep02.wav"))
        #expect(input["duration_s"] == .number(4.096))
        #expect(summary.episodes[1].result?.outputs.map(\.name) == ["ep02.mp3", "ep02.opus"])
    }

    @Test func secondRunProcessesNothing() throws {
        let f = try SeasonFixture()
        let manifest = try f.manifest(episodes: 4)
        _ = try runSeason(manifest, out: f.out, processor: FakeProcessor())
        let before = f.outputFiles()
        let second = FakeProcessor()
        let summary = try runSeason(manifest, out: f.out, processor: second)
        #expect(second.processed.isEmpty)
        #expect(summary.episodes.allSatisfy { $0.status == .upToDate })
        #expect(summary.episodes.allSatisfy { $0.result?.outputs.count == 2 })
        #expect(f.outputFiles() == before)
    }

    /// A run killed between saving an episode's state and writing its report leaves the report missing;
    /// the next run redoes that episode alone and the report is back, the same as before.
    @Test func missingReportMakesItsEpisodeStaleAndTheNextRunWritesItAgain() throws {
        let f = try SeasonFixture()
        let manifest = try f.manifest(episodes: 2)
        _ = try runSeason(manifest, out: f.out, processor: FakeProcessor())
        let report = "\(f.out)/ep02.report.json"
        let original = try Data(contentsOf: URL(fileURLWithPath: report))
        try FileManager.default.removeItem(atPath: report)
        let second = FakeProcessor()
        let summary = try runSeason(manifest, out: f.out, processor: second)
        #expect(summary.episodes.map(\.status) == [.upToDate, .processed])
        #expect(second.processed == ["raw/ep02.wav"])
        #expect(try Data(contentsOf: URL(fileURLWithPath: report)) == original)
    }

    @Test func changedContentRedoesOnlyThatEpisodeButATouchAloneDoesNot() throws {
        let f = try SeasonFixture()
        let manifest = try f.manifest(episodes: 3)
        _ = try runSeason(manifest, out: f.out, processor: FakeProcessor())
        // Same bytes, new modification time: the hash decides it is unchanged.
        try f.touch((f.raw as NSString).appendingPathComponent("ep01.wav"), secondsAgo: -5)
        // New content of the same size.
        try f.writeRaw("ep02.wav", seed: 99)
        let processor = FakeProcessor()
        let summary = try runSeason(manifest, out: f.out, processor: processor)
        #expect(processor.processed == ["raw/ep02.wav"])
        #expect(
            statuses(summary) == ["raw/ep01.wav": .upToDate, "raw/ep02.wav": .processed, "raw/ep03.wav": .upToDate])
        #expect(summary.episodes[1].message?.hasPrefix("input changed") == true)
        // The refreshed stamp was recorded: a third run hashes nothing and processes nothing.
        let third = FakeProcessor()
        _ = try runSeason(manifest, out: f.out, processor: third)
        #expect(third.processed.isEmpty)
    }

    @Test func changedSettingsRedoTheAffectedEpisodes() throws {
        let f = try SeasonFixture()
        var manifest = try f.manifest(episodes: 3)
        _ = try runSeason(manifest, out: f.out, processor: FakeProcessor())
        manifest = try f.manifest(episodes: 3, extra: [2: "    overrides: {target: -19}\n"])
        let one = FakeProcessor()
        _ = try runSeason(manifest, out: f.out, processor: one)
        #expect(one.processed == ["raw/ep03.wav"])
        manifest = try f.manifest(
            episodes: 3, defaults: "  formats: [mp3@96k, opus@48k]\n",
            extra: [2: "    overrides: {target: -19}\n"])
        let all = FakeProcessor()
        let summary = try runSeason(manifest, out: f.out, processor: all)
        #expect(all.processed.sorted() == ["raw/ep01.wav", "raw/ep02.wav", "raw/ep03.wav"])
        #expect(summary.episodes.allSatisfy { $0.message == "settings changed" })
        let newVersion = FakeProcessor(version: "2")
        _ = try runSeason(manifest, out: f.out, processor: newVersion)
        #expect(newVersion.processed.count == 3)
    }

    @Test func deletedOrAlteredOutputIsRedone() throws {
        let f = try SeasonFixture()
        let manifest = try f.manifest(episodes: 3)
        _ = try runSeason(manifest, out: f.out, processor: FakeProcessor())
        try FileManager.default.removeItem(atPath: "\(f.out)/ep02.opus")
        try Data("x".utf8).write(to: URL(fileURLWithPath: "\(f.out)/ep03.mp3"))
        let processor = FakeProcessor()
        let summary = try runSeason(manifest, out: f.out, processor: processor)
        #expect(processor.processed.sorted() == ["raw/ep02.wav", "raw/ep03.wav"])
        #expect(summary.episodes[1].message == "output missing: ep02.opus")
        #expect(summary.episodes[2].message == "output changed: ep03.mp3")
    }

    @Test func forceRedoesEveryEpisode() throws {
        let f = try SeasonFixture()
        let manifest = try f.manifest(episodes: 3)
        _ = try runSeason(manifest, out: f.out, processor: FakeProcessor())
        let processor = FakeProcessor()
        let summary = try runSeason(manifest, out: f.out, force: true, processor: processor)
        #expect(processor.processed.count == 3)
        #expect(summary.episodes.allSatisfy { $0.status == .processed && $0.message == "forced" })
    }

    @Test func oneFailingEpisodeDoesNotStopTheOthers() throws {
        let f = try SeasonFixture()
        let manifest = try f.manifest(episodes: 5)
        let processor = FakeProcessor(failing: ["raw/ep02.wav"])
        let summary = try runSeason(manifest, out: f.out, jobs: 1, processor: processor)
        #expect(summary.episodes.map(\.status) == [.processed, .failed, .processed, .processed, .processed])
        #expect(summary.episodes[1].message?.contains("fake failure") == true)
        #expect(summary.hasFailures)
        #expect(!FileManager.default.fileExists(atPath: "\(f.out)/ep02.mp3"))
        // The next run retries only the failed one.
        let retry = FakeProcessor()
        let second = try runSeason(manifest, out: f.out, processor: retry)
        #expect(retry.processed == ["raw/ep02.wav"])
        #expect(!second.hasFailures)
    }

    @Test func outputsAreIdenticalWhateverTheNumberOfJobs() throws {
        let f = try SeasonFixture()
        let manifest = try f.manifest(episodes: 7)
        let serial = FakeProcessor(sleepSeconds: 0.01)
        let one = try runSeason(manifest, out: f.out + "-1", jobs: 1, processor: serial)
        let parallel = FakeProcessor(sleepSeconds: 0.01)
        let four = try runSeason(manifest, out: f.out + "-4", jobs: 4, processor: parallel)
        #expect(serial.maxConcurrent == 1)
        #expect(parallel.maxConcurrent > 1)
        let a = SeasonFixtureFiles.read(f.out + "-1"), b = SeasonFixtureFiles.read(f.out + "-4")
        #expect(a.count == 7 * 3)
        #expect(a == b)
        #expect(one.episodes.map(\.identity) == four.episodes.map(\.identity))
        #expect(one.episodes == four.episodes)
        try? FileManager.default.removeItem(atPath: f.out + "-1")
        try? FileManager.default.removeItem(atPath: f.out + "-4")
    }

    @Test func twoRunnersOnOneFolderNeverProcessTheSameEpisodeAtOnce() throws {
        let f = try SeasonFixture()
        let manifest = try f.manifest(episodes: 8)
        let plan = try SeasonPlan.load(path: manifest)
        let overlap = OverlapDetector()
        let group = DispatchGroup()
        let summaries = SummaryBox()
        for run in 0..<2 {
            group.enter()
            let processor = FakeProcessor(sleepSeconds: 0.04, overlap: overlap)
            let out = f.out
            WorkerThread.start(name: "podsmith.run.\(run)") {
                let summary = try? SeasonRunner.run(
                    plan: plan, outputDirectory: out,
                    options: SeasonRunOptions(jobs: 3, progress: .quiet), processor: processor)
                summaries.append(summary)
                group.leave()
            }
        }
        group.wait()
        #expect(overlap.violations.isEmpty)
        // Each episode was processed exactly once between the two runs; the other run saw it busy or done.
        #expect(overlap.total.sorted() == plan.jobs.map(\.identity).sorted())
        let all = summaries.all
        #expect(all.count == 2)
        // A runner that threw has no summary: it must not pass for one that found everything busy.
        #expect(all.allSatisfy { $0 != nil }, "a runner failed")
        #expect(all.allSatisfy { $0?.episodes.count == plan.jobs.count })
        for job in plan.jobs {
            let outcomes = all.compactMap { $0?.episodes.first { $0.identity == job.identity }?.status }
            #expect(outcomes.filter { $0 == .processed }.count == 1)
            #expect(outcomes.allSatisfy { [.processed, .busy, .upToDate].contains($0) })
        }
    }

    @Test func aLockedEpisodeIsSkippedAsBusy() throws {
        let f = try SeasonFixture()
        let manifest = try f.manifest(episodes: 2)
        let store = try SeasonStateStore(outputDirectory: f.out)
        let held = try #require(try store.tryLock(stem: "ep01"))
        #expect(try store.tryLock(stem: "ep01") == nil)
        let processor = FakeProcessor()
        let summary = try runSeason(manifest, out: f.out, processor: processor)
        #expect(summary.episodes.map(\.status) == [.busy, .processed])
        #expect(summary.episodes[0].message == "busy, being processed by another run")
        #expect(!summary.hasFailures)
        held.release()
        let next = FakeProcessor()
        _ = try runSeason(manifest, out: f.out, processor: next)
        #expect(next.processed == ["raw/ep01.wav"])
    }

    @Test func cancellingStopsNewEpisodesAndTheNextRunResumes() throws {
        let f = try SeasonFixture()
        let manifest = try f.manifest(episodes: 5)
        let cancellation = SeasonCancellation()
        // The third episode to start cancels the season while it sleeps.
        let counter = Counter()
        let processor = FakeProcessor(
            sleepSeconds: 0.3,
            onStart: { _ in
                if counter.increment() == 3 { cancellation.cancel() }
            })
        let summary = try runSeason(manifest, out: f.out, jobs: 1, processor: processor, cancellation: cancellation)
        // Observed, not timed: the third episode saw the cancellation in the middle of its 0.3 s of work
        // and stopped there, and the last two never started.
        #expect(processor.interrupted == ["raw/ep03.wav"])
        #expect(processor.processed == ["raw/ep01.wav", "raw/ep02.wav", "raw/ep03.wav"])
        #expect(summary.episodes.map(\.status) == [.processed, .processed, .cancelled, .cancelled, .cancelled])
        #expect(!FileManager.default.fileExists(atPath: "\(f.out)/ep03.mp3"))
        #expect(TemporaryFiles.shared.registered.filter { $0.hasPrefix(f.out) }.isEmpty)
        let resume = FakeProcessor()
        _ = try runSeason(manifest, out: f.out, processor: resume)
        #expect(resume.processed.sorted() == ["raw/ep03.wav", "raw/ep04.wav", "raw/ep05.wav"])
    }

    @Test func staleTemporariesOfDeadRunsAreRemovedAtStart() throws {
        let f = try SeasonFixture()
        let manifest = try f.manifest(episodes: 1)
        try FileManager.default.createDirectory(atPath: f.out, withIntermediateDirectories: true)
        // PID 2^22 + 7 is above Linux's default pid_max of 2^22: no such process.
        let stale = "\(f.out)/.ep01.mp3\(AtomicOutputFile.marker)\((1 << 22) + 7)"
        try Data("partial".utf8).write(to: URL(fileURLWithPath: stale))
        _ = try runSeason(manifest, out: f.out, processor: FakeProcessor())
        #expect(!FileManager.default.fileExists(atPath: stale))
    }

    @Test func aProcessorWritingOutsideTheFolderFailsThatEpisode() throws {
        let f = try SeasonFixture()
        let manifest = try f.manifest(episodes: 1)
        let summary = try runSeason(manifest, out: f.out, processor: FakeProcessor(escapeOutput: true))
        #expect(summary.episodes[0].status == .failed)
        #expect(!FileManager.default.fileExists(atPath: "\(f.root)/escaped.mp3"))
    }

    @Test func outputThatWouldOverwriteAnInputIsRefusedBeforeAnything() throws {
        let f = try SeasonFixture()
        try f.writeRaw("show.mp3", seed: 1)
        let plan = try SeasonPlan.directory(f.raw, titleReader: { _ in nil })
        #expect(throws: ManifestValidationError.self) {
            try SeasonRunner.run(
                plan: plan, outputDirectory: f.raw, options: SeasonRunOptions(progress: .quiet),
                processor: FakeProcessor())
        }
        #expect(!FileManager.default.fileExists(atPath: "\(f.raw)/.podsmith"))
    }

    @Test func shardedRunProcessesOnlyItsEpisodes() throws {
        let f = try SeasonFixture()
        let manifest = try f.manifest(episodes: 8)
        let plan = try SeasonPlan.load(path: manifest)
        var seen: [String] = []
        for k in 0..<3 {
            let shard = try ShardSelector(index: k, count: 3)
            let processor = FakeProcessor()
            let summary = try SeasonRunner.run(
                plan: plan, outputDirectory: f.out,
                options: SeasonRunOptions(shard: shard, progress: .quiet), processor: processor)
            #expect(summary.shard == "\(k)/3")
            #expect(Set(processor.processed) == Set(plan.jobs.filter { shard.contains($0) }.map(\.identity)))
            seen += processor.processed
        }
        #expect(seen.sorted() == plan.jobs.map(\.identity).sorted())
    }

    @Test func progressLinesOnePerFinishedEpisodeAndQuietIsSilent() throws {
        let f = try SeasonFixture()
        let manifest = try f.manifest(episodes: 3)
        let plan = try SeasonPlan.load(path: manifest)
        let sink = TextSink()
        _ = try SeasonRunner.run(
            plan: plan, outputDirectory: f.out, options: SeasonRunOptions(jobs: 2, progress: .lines),
            processor: FakeProcessor(failing: ["raw/ep03.wav"]), progressOutput: sink.write)
        let lines = sink.text.split(separator: "\n").map(String.init)
        #expect(lines.count == 4)
        #expect(lines.filter { $0.contains("processed (no previous run), 2 files") }.count == 2)
        #expect(lines.contains { $0.contains("ep03  FAILED:") })
        #expect(lines.last == "3 episodes: 2 processed, 1 failed")
        #expect(!sink.text.contains("\u{1B}"))

        let quiet = TextSink()
        _ = try SeasonRunner.run(
            plan: plan, outputDirectory: f.out, options: SeasonRunOptions(progress: .quiet),
            processor: FakeProcessor(), progressOutput: quiet.write)
        #expect(quiet.text.isEmpty)
    }

    @Test func liveProgressRedrawsInPlace() throws {
        let f = try SeasonFixture()
        let manifest = try f.manifest(episodes: 2)
        let plan = try SeasonPlan.load(path: manifest)
        let sink = TextSink()
        _ = try SeasonRunner.run(
            plan: plan, outputDirectory: f.out, options: SeasonRunOptions(jobs: 1, progress: .live),
            processor: FakeProcessor(sleepSeconds: 0.25), progressOutput: sink.write)
        let text = sink.text
        #expect(text.contains("\u{1B}[1A\u{1B}[2K"))
        #expect(text.contains("episodes  ETA"))
        #expect(text.contains("%  ep01"))
        #expect(text.hasSuffix("2 episodes: 2 processed\n"))
    }
}

enum SeasonFixtureFiles {
    static func read(_ folder: String) -> [String: Data] {
        var files: [String: Data] = [:]
        for name in (try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? [] where name != ".podsmith" {
            files[name] = FileManager.default.contents(atPath: (folder as NSString).appendingPathComponent(name))
        }
        return files
    }
}

final class SummaryBox: @unchecked Sendable {
    private let lock = NSLock()
    private var items: [SeasonSummary?] = []
    func append(_ s: SeasonSummary?) { lock.withLock { items.append(s) } }
    var all: [SeasonSummary?] { lock.withLock { items } }
}

final class Counter: @unchecked Sendable {
    private let lock = NSLock()
    private var value = 0
    func increment() -> Int {
        lock.withLock {
            value += 1
            return value
        }
    }
}

@Suite struct SeasonSummaryTests {
    @Test func jsonSummaryListsEpisodesInSeasonOrderWithStatuses() throws {
        let f = try SeasonFixture()
        let manifest = try f.manifest(episodes: 3)
        let summary = try runSeason(manifest, out: f.out, jobs: 3, processor: FakeProcessor(failing: ["raw/ep01.wav"]))
        let tree = try JSONDecoder().decode(JSONValue.self, from: summary.jsonData())
        guard case .object(let top) = tree, case .array(let episodes)? = top["episodes"] else {
            Issue.record("unexpected summary shape \(tree)")
            return
        }
        let fields = episodes.compactMap { value -> (JSONValue?, JSONValue?) in
            guard case .object(let e) = value else { return (nil, nil) }
            return (e["identity"], e["status"])
        }
        #expect(fields.map(\.0) == [.string("raw/ep01.wav"), .string("raw/ep02.wav"), .string("raw/ep03.wav")])
        #expect(fields.map(\.1) == [.string("failed"), .string("processed"), .string("processed")])
        #expect(summary.headline == "3 episodes: 2 processed, 1 failed")
    }

    @Test func failureLineNamesTheEpisodeOnce() {
        func line(_ identity: String, _ message: String?) -> String {
            EpisodeOutcome(identity: identity, stem: "x", title: "x", index: 0, status: .failed, message: message)
                .failureLine
        }
        // A message that starts with the input's path stands alone…
        #expect(
            line("raw/ep03.wav", "/show/raw/ep03.wav: not a readable audio file")
                == "/show/raw/ep03.wav: not a readable audio file")
        #expect(
            line("ep03.wav", "ep03.wav: is empty (0 bytes), not an audio file")
                == "ep03.wav: is empty (0 bytes), not an audio file")
        // …any other is prefixed with the identity, including one about a file that merely ends alike.
        #expect(
            line("ep03.wav", "/out/ep03.mp3: cannot write output: No space left on device")
                == "ep03.wav: /out/ep03.mp3: cannot write output: No space left on device")
        #expect(
            line("p03.wav", "/show/ep03.wav: not a readable audio file")
                == "p03.wav: /show/ep03.wav: not a readable audio file")
        #expect(line("ep03.wav", nil) == "ep03.wav: failed")
    }
}
