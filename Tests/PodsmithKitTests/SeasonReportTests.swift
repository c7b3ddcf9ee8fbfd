import Foundation
import PodsmithTestSupport
import Testing

@testable import PodsmithCodecs
@testable import PodsmithCore
@testable import PodsmithKit
@testable import PodsmithSeason

@Suite struct SeasonReportTests {
    static func entry(
        _ id: String, status: EpisodeStatus, outputI: Double?, size: Int64, warnings: [String] = []
    )
        -> EpisodeReportEntry
    {
        if status == .failed {
            return EpisodeReportEntry(failed: id, inputFile: "\(id).wav", error: "decode failed")
        }
        let entry = processedEntry(
            id, inputFile: "\(id).wav", inputLUFS: -23.4, inputTruePeakDBTP: -3.2, inputSeconds: 600,
            outputLUFS: .some(outputI), outputTruePeakDBTP: -1.1, outputSeconds: 590, gainDB: 7.4,
            limiterMaxReductionDB: 1.5, limitedSeconds: 0.8, trimmedHeadSeconds: 4, trimmedTailSeconds: 6,
            pausesShortened: 2, removedSeconds: 10,
            outputs: [ReportOutputFile(file: "\(id).mp3", format: "mp3", sizeBytes: size)], warnings: warnings)
        #expect(entry.status == status)
        return entry
    }

    @Test func reportUsesSnakeCaseKeysWithUnitsAndWritesNullsForMissingFigures() throws {
        let report = SeasonReport(
            title: "S1", target: LoudnessTarget(integratedLUFS: -16, truePeakDBTP: -1),
            episodes: [
                Self.entry("e1", status: .ok, outputI: .nan, size: 1000),
                Self.entry("e2", status: .failed, outputI: nil, size: 0),
            ])
        let json = try #require(try JSONSerialization.jsonObject(with: report.jsonData()) as? [String: Any])
        let episodes = try #require(json["episodes"] as? [[String: Any]])
        let first = episodes[0]
        for key in [
            "gain_db", "limiter_max_reduction_db", "limited_s", "trimmed_head_s", "trimmed_tail_s",
            "pauses_shortened", "removed_s", "passes", "warnings", "outputs", "input", "output", "status",
        ] {
            #expect(first[key] != nil, "missing \(key)")
        }
        let output = try #require(first["output"] as? [String: Any])
        #expect(output["integrated_lufs"] is NSNull, "NaN is written as null")
        #expect(output["true_peak_dbtp"] as? Double == -1.1)
        #expect(output["duration_s"] as? Double == 590)
        let outputs = try #require(first["outputs"] as? [[String: Any]])
        #expect(outputs.first?["size_bytes"] as? Int == 1000)
        let failed = episodes[1]
        #expect(failed["output"] is NSNull)
        #expect(failed["gain_db"] is NSNull)
        #expect(failed["error"] as? String == "decode failed")
        #expect(json["target_lufs"] as? Double == -16)
    }

    @Test func totalsAddUpTheEpisodes() throws {
        let entries = [
            Self.entry("a", status: .ok, outputI: -16.4, size: 1000),
            Self.entry("b", status: .warning, outputI: -15.2, size: 2500, warnings: ["w1", "w2"]),
            Self.entry("c", status: .failed, outputI: nil, size: 0),
        ]
        let totals = SeasonTotals(entries: entries, targetLUFS: -16)
        #expect(totals.episodes == 3)
        #expect(totals.succeeded == 2)
        #expect(totals.withWarnings == 1)
        #expect(totals.failed == 1)
        #expect(totals.sizeBytes == 3500)
        #expect(totals.warnings == 2)
        // A failed episode has no measurement (the season never measured its input): two of 600 s.
        #expect(totals.inputDurationSeconds == 1200)
        #expect(totals.outputDurationSeconds == 1180)
        #expect(abs(try #require(totals.maxDeviationLU) - 0.8) < 1e-9)
    }

    @Test func entryFromNormalizeReportCarriesItsFigures() {
        let input = LoudnessMeasurement(
            integratedLUFS: -20, truePeakDBTP: -4, frameCount: 441_000,
            sampleRate: 44_100, channelCount: 2)
        let normalize = NormalizeReport(
            inputFile: "in.wav", outputFile: "out.mp3", input: input, output: nil,
            target: LoudnessTarget(integratedLUFS: -16, truePeakDBTP: -1), monoConvention: nil, gainDB: 4,
            gainCapped: false, usedUngatedLoudness: false, limiterMaxReductionDB: 0.5, limitedSeconds: 0.2,
            trimmedHeadSeconds: 1, trimmedTailSeconds: 2, pausesShortened: 3, removedSeconds: 4.5, passes: 2,
            warnings: [])
        let entry = EpisodeReportEntry(
            episode: "x", report: normalize,
            outputs: [ReportOutputFile(file: "out.mp3", format: "mp3", sizeBytes: 9)],
            warnings: ["lint: bitrate"])
        #expect(entry.status == .warning)
        #expect(entry.input?.durationSeconds == 10)
        #expect(entry.gainDB == 4)
        #expect(entry.report?.pausesShortened == 3)
        #expect(entry.report?.passes == 2)
        #expect(entry.warnings == ["lint: bitrate"])
    }
}
