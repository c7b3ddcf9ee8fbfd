import Foundation
import PodsmithTestSupport
import Testing

@testable import PodsmithCodecs
@testable import PodsmithCore
@testable import PodsmithKit
@testable import PodsmithSeason

/// What a shared output folder shows while an episode is being redone. `STEM.report.json` is the
/// record `--merge` publishes an episode from, so it must not stay beside audio that is half
/// replaced: a merge on another machine, or after the redo is killed, must see the episode missing.
@Suite struct SeasonRedoTests {
    @Test func episodeBeingRedoneHasNoReportUntilItIsFinishedAgain() throws {
        let f = try SeasonFixture()
        let manifest = try f.manifest(episodes: 2)
        _ = try runSeason(manifest, out: f.out, processor: FakeProcessor())
        let report = f.out + "/ep02.report.json"
        #expect(FileManager.default.fileExists(atPath: report))

        // A forced redo stopped in the middle of ep02 (cancellation: what a killed run leaves, minus
        // the temporaries; a failure would write an error report instead).
        let cancellation = SeasonCancellation()
        let reportSeenDuringRedo = Flag()
        let redo = FakeProcessor(
            sleepSeconds: 0.05,
            onStart: { job in
                guard job.outputStem == "ep02" else { return }
                reportSeenDuringRedo.value = FileManager.default.fileExists(atPath: report)
                cancellation.cancel()
            })
        let summary = try runSeason(
            manifest, out: f.out, jobs: 1, force: true, processor: redo, cancellation: cancellation)
        #expect(summary.episodes.map(\.status) == [.processed, .cancelled])
        #expect(reportSeenDuringRedo.value == false, "the old report stayed while ep02 was being redone")
        #expect(!FileManager.default.fileExists(atPath: report))

        // The next run redoes it (and only it) and writes the report again.
        let next = FakeProcessor()
        _ = try runSeason(manifest, out: f.out, processor: next)
        #expect(next.processed == ["raw/ep02.wav"])
        #expect(FileManager.default.fileExists(atPath: report))
    }

    final class Flag: @unchecked Sendable {
        var value: Bool?
    }
}
