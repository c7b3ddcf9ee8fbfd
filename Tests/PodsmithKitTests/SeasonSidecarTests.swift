import Foundation
import PodsmithTestSupport
import Testing

@testable import PodsmithCodecs
@testable import PodsmithCore
@testable import PodsmithKit
@testable import PodsmithSeason

/// The sidecar list is each episode's sidecar fingerprint: a new kind of sidecar reaches the episodes
/// already finished, and the audio is encoded again only when the processor cannot write it alone.
@Suite struct SeasonSidecarTests {
    static let newKind = ".summary.txt"

    static func audio(_ files: [String: Data]) -> [String: Data] {
        files.filter { $0.key.hasSuffix(".mp3") || $0.key.hasSuffix(".opus") }
    }

    @Test func aNewSidecarKindIsWrittenForFinishedEpisodesWithoutProcessingThemAgain() throws {
        let f = try SeasonFixture()
        let manifest = try f.manifest(episodes: 3)
        _ = try runSeason(manifest, out: f.out, processor: FakeProcessor())
        let audioBefore = Self.audio(f.outputFiles())
        #expect(audioBefore.count == 6)

        let suffixes = OutputNaming.sidecarSuffixes + [Self.newKind]
        let second = FakeProcessor(sidecarSuffixes: suffixes)
        let summary = try runSeason(manifest, out: f.out, processor: second)
        #expect(second.processed.isEmpty)
        #expect(Set(second.sidecarsWritten) == ["ep01.summary.txt", "ep02.summary.txt", "ep03.summary.txt"])
        #expect(summary.episodes.map(\.status) == [.processed, .processed, .processed])
        #expect(summary.episodes[0].message == "new sidecars: ep01.summary.txt")
        let files = f.outputFiles()
        #expect(files["ep02.summary.txt"] == Data("sidecar of raw/ep02.wav\n".utf8))
        #expect(Self.audio(files) == audioBefore)
        // The report and the state list the new file, so a third run has nothing to do...
        let record = try JSONDecoder().decode(JSONValue.self, from: try #require(files["ep03.report.json"]))
        guard case .object(let fields) = record, case .array(let outputs)? = fields["outputs"] else {
            Issue.record("report is not an object: \(record)")
            return
        }
        #expect(outputs.contains { $0 == .object(["name": .string("ep03.summary.txt"), "bytes": .number(24)]) })
        let third = FakeProcessor(sidecarSuffixes: suffixes)
        let again = try runSeason(manifest, out: f.out, processor: third)
        #expect(third.processed.isEmpty && third.sidecarsWritten.isEmpty)
        #expect(again.episodes.allSatisfy { $0.status == .upToDate })
        // ...and a deleted sidecar is an output missing, which redoes its episode like any output.
        try FileManager.default.removeItem(atPath: f.out + "/ep01.summary.txt")
        let fourth = FakeProcessor(sidecarSuffixes: suffixes)
        _ = try runSeason(manifest, out: f.out, processor: fourth)
        #expect(fourth.processed == ["raw/ep01.wav"])
        #expect(FileManager.default.fileExists(atPath: f.out + "/ep01.summary.txt"))
    }

    /// A processor that declares the new sidecar but leaves ``EpisodeProcessor/writeSidecars`` to its
    /// default (it cannot write one alone).
    struct ReprocessingProcessor: EpisodeProcessor {
        let fake: FakeProcessor
        var sidecarSuffixes: [String] { fake.sidecarSuffixes }
        func process(_ job: EpisodeJob, context: EpisodeContext) throws -> EpisodeResult {
            try fake.process(job, context: context)
        }
    }

    @Test func aProcessorThatCannotWriteTheSidecarAloneProcessesTheEpisodesAgain() throws {
        let f = try SeasonFixture()
        let manifest = try f.manifest(episodes: 2)
        _ = try runSeason(manifest, out: f.out, processor: FakeProcessor())
        let fake = FakeProcessor(sidecarSuffixes: OutputNaming.sidecarSuffixes + [Self.newKind])
        let plan = try SeasonPlan.load(path: manifest)
        let summary = try SeasonRunner.run(
            plan: plan, outputDirectory: f.out,
            options: SeasonRunOptions(jobs: 1, progress: .quiet),
            processor: ReprocessingProcessor(fake: fake))
        #expect(fake.processed == ["raw/ep01.wav", "raw/ep02.wav"])
        #expect(
            summary.episodes[1].message
                == "new sidecars: ep02.summary.txt (the processor cannot write them alone)")
        #expect(FileManager.default.fileExists(atPath: f.out + "/ep02.summary.txt"))
    }

    @Test func anUnchangedSidecarListLeavesFinishedEpisodesAlone() throws {
        let f = try SeasonFixture()
        let manifest = try f.manifest(episodes: 2)
        _ = try runSeason(manifest, out: f.out, processor: FakeProcessor())
        let second = FakeProcessor(sidecarSuffixes: OutputNaming.sidecarSuffixes)
        let summary = try runSeason(manifest, out: f.out, processor: second)
        #expect(second.processed.isEmpty && second.sidecarsWritten.isEmpty)
        #expect(summary.episodes.allSatisfy { $0.status == .upToDate })
    }
}
