import Foundation
import PodsmithTestSupport
import Testing

@testable import PodsmithCore
@testable import PodsmithKit
@testable import PodsmithSeason

/// The season never says "ok" when its report does not: the summary counts warnings and lint errors,
/// and episodes written off the target, over the ceiling or failing lint are counted (the CLI exits 2)
/// from the stored reports, so a rerun that skips them judges them the same.
@Suite struct SeasonSummaryVerdictTests {
    static func outcome(_ index: Int, _ status: EpisodeOutcome.Status, warnings: [String]) -> EpisodeOutcome {
        let entry = EpisodeReportEntry(
            episode: "ep\(index)", report: NormalizeReportJSONTests.report(),
            outputs: [ReportOutputFile(file: "ep\(index).mp3", format: "mp3", sizeBytes: 9)], warnings: warnings)
        return EpisodeOutcome(
            identity: "ep\(index).wav", stem: "ep\(index)", title: "Episode \(index)", index: index, status: status,
            result: EpisodeResult(outputs: [], durationSeconds: 10, report: entry))
    }

    static let season = SeasonSummary(
        show: "Octet Matin", outputDirectory: "public",
        episodes: [
            outcome(0, .processed, warnings: []),
            outcome(
                1, .processed, warnings: ["after 3 passes the output measures -16.52 LUFS, -0.52 LU from the target"]),
            outcome(
                2, .processed, warnings: ["gain capped at +24.0 dB (--max-gain): the output stays below the target"]),
            outcome(
                3, .upToDate,
                warnings: [
                    "opus: after 3 passes the true peak is -0.73 dBTP, over the -1.0 dBTP ceiling",
                    "ep3.opus: lint error: true peak -0.73 dBTP, above the -1.0 dBTP ceiling [loudness.true-peak]",
                ]),
            outcome(4, .processed, warnings: []),
        ])

    @Test func headlineCountsWarningsAndLintErrors() {
        #expect(
            Self.season.headline
                == "5 episodes: 4 processed, 1 up to date, 3 with warnings, 1 lint error")
    }

    @Test func episodesOffTargetOverTheCeilingOrFailingLintAreMissesButACappedGainIsNot() {
        #expect(Self.season.missedTargets == 2)
        #expect(Self.season.withWarnings == 3)
        #expect(Self.season.lintErrors == 1)
        #expect(!Self.season.hasFailures)
    }

    @Test func aRerunThatSkipsEveryEpisodeJudgesThemFromTheirStoredReports() {
        var rerun = Self.season
        for i in rerun.episodes.indices { rerun.episodes[i].status = .upToDate }
        #expect(rerun.missedTargets == Self.season.missedTargets)
        #expect(rerun.headline == "5 episodes: 0 processed, 5 up to date, 3 with warnings, 1 lint error")
    }
}
