import Foundation
import PodsmithTestSupport
import Testing

@testable import PodsmithCodecs
@testable import PodsmithCore
@testable import PodsmithKit
@testable import PodsmithSeason

/// One report model: `NormalizeReport`'s coding keys are the keys of `normalize --json`, and the
/// season's `report.json` writes its figures under the same keys.
@Suite struct NormalizeReportJSONTests {
    static func report() -> NormalizeReport {
        let input = LoudnessMeasurement(
            integratedLUFS: -21.37, loudnessRangeLU: 4.2, truePeakDBTP: -3.1,
            samplePeakDBFS: -3.3, maxMomentaryLUFS: -14.9, maxShortTermLUFS: -17.2,
            frameCount: 1_323_000, sampleRate: 44_100, channelCount: 1)
        var output = input
        output.integratedLUFS = -19.02
        output.truePeakDBTP = nil
        var report = NormalizeReport(
            inputFile: "raw/in.wav", outputFile: "out/ep.mp3", input: input, output: output,
            target: LoudnessTarget(integratedLUFS: -16, truePeakDBTP: -1), monoConvention: .dualMono,
            gainDB: 2.35, gainCapped: false, usedUngatedLoudness: false, limiterMaxReductionDB: 0.75,
            limitedSeconds: 0.4, trimmedHeadSeconds: 1.25, trimmedTailSeconds: 0.5, pausesShortened: 2,
            removedSeconds: 3.125, passes: 2, warnings: ["ceiling met on the second pass"])
        report.mp3Seams = ParallelMP3Encoder.SeamStatistics(direct: 5, shifted: 1, continued: 2)
        return report
    }

    @Test func reportRoundTripsThroughItsJSON() throws {
        let report = Self.report()
        let data = try JSONEncoder.podsmith.encode(report)
        let decoded = try JSONDecoder().decode(NormalizeReport.self, from: data)
        #expect(decoded.inputFile == report.inputFile && decoded.outputFile == report.outputFile)
        #expect(decoded.input == report.input)
        #expect(decoded.output == report.output)
        #expect(decoded.target == report.target)
        #expect(decoded.monoConvention == .dualMono && decoded.dualMono)
        #expect(decoded.gainDB == report.gainDB && decoded.limiterMaxReductionDB == report.limiterMaxReductionDB)
        #expect(decoded.limitedSeconds == report.limitedSeconds && decoded.removedSeconds == report.removedSeconds)
        #expect(decoded.trimmedHeadSeconds == report.trimmedHeadSeconds)
        #expect(decoded.trimmedTailSeconds == report.trimmedTailSeconds)
        #expect(decoded.pausesShortened == 2 && decoded.passes == 2 && decoded.warnings == report.warnings)
        #expect(decoded.mp3Seams == report.mp3Seams)
        #expect(try JSONEncoder.podsmith.encode(decoded) == data)
    }

    @Test func undefinedAndNonFiniteFiguresAreNullNotDropped() throws {
        var report = Self.report()
        report.gainDB = .nan
        report.output = nil
        report.mp3Seams = nil
        let data = try JSONEncoder.podsmith.encode(report)
        let tree = try JSONDecoder().decode(JSONValue.self, from: data)
        guard case .object(let fields) = tree, case .object(let input)? = fields["input"] else {
            Issue.record("not an object: \(tree)")
            return
        }
        #expect(Set(fields.keys) == Set(NormalizeReport.CodingKeys.allCases.map(\.rawValue)))
        #expect(fields["gain_db"] == .null && fields["output"] == .null && fields["mp3_seams"] == .null)
        #expect(Set(input.keys) == Set(["file"] + LoudnessMeasurement.CodingKeys.allCases.map(\.rawValue)))
        #expect(input["file"] == .string("raw/in.wav"))
        #expect(try JSONDecoder().decode(NormalizeReport.self, from: data).gainDB.isNaN)
    }

    /// The season's entry contains the report: `report.json` writes every key `normalize --json` writes
    /// (and nothing else but the season's own), so a field added to the report reaches the season by itself.
    @Test func seasonEntryContainsTheWholeNormalizeReport() throws {
        let entry = EpisodeReportEntry(
            episode: "ep", title: "Pilot", inputFile: "raw/ep.wav", report: Self.report(),
            outputs: [ReportOutputFile(file: "ep.mp3", format: "mp3", sizeBytes: 9)])
        let data = try JSONEncoder.podsmith.encode(entry)
        let tree = try JSONDecoder().decode(JSONValue.self, from: data)
        guard case .object(let fields) = tree, case .object(let input)? = fields["input"] else {
            Issue.record("not an object: \(tree)")
            return
        }
        let seasonKeys: Set = ["episode", "title", "status", "error", "outputs", "cuts"]
        let reportKeys = Set(NormalizeReport.CodingKeys.allCases.map(\.rawValue))
        #expect(seasonKeys.isDisjoint(with: reportKeys))
        #expect(Set(fields.keys) == seasonKeys.union(reportKeys))
        #expect(Set(input.keys) == Set(["file"] + LoudnessMeasurement.CodingKeys.allCases.map(\.rawValue)))
        #expect(fields["input_file"] == .string("raw/ep.wav"))
        #expect(fields["gain_db"] == .number(2.35) && fields["dual_mono"] == .bool(true))
        #expect(fields["mp3_seams"] != .null && fields["status"] == .string("warning"))
        // The report's own JSON, key for key, is inside the entry's.
        let alone = try JSONDecoder().decode(
            JSONValue.self, from: JSONEncoder.podsmith.encode(try #require(entry.report)))
        guard case .object(let reportFields) = alone else {
            Issue.record("not an object: \(alone)")
            return
        }
        for (key, value) in reportFields { #expect(fields[key] == value, "\(key)") }
        let decoded = try JSONDecoder().decode(EpisodeReportEntry.self, from: data)
        #expect(decoded == entry)
        #expect(try JSONEncoder.podsmith.encode(decoded) == data)
    }

    /// The limiter's per-range depths and the leveler's gain curve feed the plot and are not in the
    /// JSON, like the limited ranges: a report with them writes the same keys and bytes as one without,
    /// the season's entry drops them, and a `report.json` entry from an earlier run (without the keys
    /// added since) still decodes, with no depths and no leveler curve (the plot then draws as before).
    @Test func plotOnlyFiguresStayOutOfTheJSONAndOldReportsStillDecode() throws {
        var report = Self.report()
        let plain = try JSONEncoder.podsmith.encode(report)
        report.limitedRanges = [1.0..<2.5]
        report.limitedRangeMaxReductionsDB = [3.2]
        report.levelerGain = [LevelerGainPoint(seconds: 0, gainDB: 2), LevelerGainPoint(seconds: 4, gainDB: -1)]
        #expect(try JSONEncoder.podsmith.encode(report) == plain)
        let entry = EpisodeReportEntry(
            episode: "ep", inputFile: "raw/ep.wav", report: report,
            outputs: [ReportOutputFile(file: "ep.mp3", format: "mp3", sizeBytes: 9)])
        #expect(entry.report?.limitedRangeMaxReductionsDB.isEmpty == true && entry.report?.levelerGain == nil)

        // An entry as an earlier podsmith wrote it: no `cuts`, none of the keys added since.
        guard
            case .object(var fields) = try JSONDecoder().decode(
                JSONValue.self, from: JSONEncoder.podsmith.encode(entry))
        else {
            Issue.record("not an object")
            return
        }
        for key in [
            "cuts", "limited_over_1db_s", "limited_over_3db_s", "limiter_reduction_p95_db", "leveler", "mp3_seams",
            "output_duration_s",
        ] {
            fields[key] = nil
        }
        let old = try JSONDecoder().decode(
            EpisodeReportEntry.self, from: JSONEncoder.podsmith.encode(JSONValue.object(fields)))
        let decoded = try #require(old.report)
        #expect(decoded.limitedRanges.isEmpty && decoded.limitedRangeMaxReductionsDB.isEmpty)
        #expect(decoded.levelerGain == nil && decoded.leveler == nil && old.cuts == nil)
        #expect(decoded.limiterMaxReductionDB == report.limiterMaxReductionDB)
    }

    /// A failed episode writes the same keys, `null` for every figure.
    @Test func failedSeasonEntryWritesEveryReportKeyAsNull() throws {
        let entry = EpisodeReportEntry(failed: "ep", inputFile: "raw/ep.wav", error: "raw/ep.wav: not audio")
        let data = try JSONEncoder.podsmith.encode(entry)
        guard case .object(let fields) = try JSONDecoder().decode(JSONValue.self, from: data) else {
            Issue.record("not an object")
            return
        }
        let reportKeys = NormalizeReport.CodingKeys.allCases.map(\.rawValue)
        #expect(Set(fields.keys) == Set(["episode", "title", "status", "error", "outputs", "cuts"] + reportKeys))
        for key in reportKeys where key != "input_file" { #expect(fields[key] == .null, "\(key)") }
        #expect(fields["input_file"] == .string("raw/ep.wav") && fields["status"] == .string("failed"))
        #expect(try JSONDecoder().decode(EpisodeReportEntry.self, from: data) == entry)
    }

    @Test func dualMonoIsHeardThreeDecibelsAboveItsOneChannelMeasurement() {
        let offset = 10 * log10(2.0)
        #expect(MonoConvention.dualMono.perceivedLoudness(measured: -19, channels: 1) == -19 + offset)
        #expect(MonoConvention.dualMono.perceivedLoudness(measured: -19, channels: 2) == -19)
        #expect(MonoConvention.singleChannel.perceivedLoudness(measured: -19, channels: 1) == -19)
        let target = LoudnessTarget(integratedLUFS: -16, truePeakDBTP: -1)
        #expect(
            target.measuredTarget(channels: 1, convention: .dualMono)
                == LoudnessTarget(integratedLUFS: -16 - offset, truePeakDBTP: -1))
        #expect(target.measuredTarget(channels: 2, convention: .dualMono) == target)
        #expect(target.measuredTarget(channels: 1, convention: .singleChannel) == target)
    }
}
