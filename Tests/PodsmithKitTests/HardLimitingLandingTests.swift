import Foundation
import PodsmithTestSupport
import Testing

@testable import PodsmithCodecs
@testable import PodsmithCore
@testable import PodsmithKit

/// The walk-through's misses, on material that makes the limiter work hard (``FrenchEpisode``: TTS
/// speech with a high crest factor, a hot plucked jingle, two speakers 8 LU apart): every output is
/// decoded and measured by libebur128. The promise: verified, within ±0.2 LU of the target and under
/// the ceiling in at most 3 passes; unverified, under the ceiling and within ±0.5 LU.
@Suite struct HardLimitingLandingTests {
    struct Case: CustomTestStringConvertible, Sendable, Equatable {
        var format: OutputFormat
        var bitrate: Int?
        var mono = false
        var preset = LoudnessPreset.podcast
        var verify = true
        var full = false
        var testDescription: String {
            "\(format)\(bitrate.map { "@\($0)k" } ?? "")\(mono ? " mono" : "") \(preset.rawValue)"
                + "\(verify ? "" : " --no-verify")\(full ? " (3 min)" : "")"
        }

        func options() -> NormalizeOptions {
            var options = NormalizeOptions(
                target: preset.target, channels: mono ? .mono : .keep,
                encoder: EncoderSettings(format: format, bitrateKbps: bitrate), verify: verify)
            options.threading = .singleThread
            return options
        }
    }

    static let verified: [Case] = [
        Case(format: .opus, bitrate: 64),
        Case(format: .opus, bitrate: 48),
        Case(format: .mp3, bitrate: 128),
        Case(format: .mp3, bitrate: 64, mono: true),
        Case(format: .flac),
        Case(format: .mp3, bitrate: 128, preset: .spotify),
        Case(format: .opus, bitrate: 64, full: true),
    ]

    static let unverified: [Case] = [
        Case(format: .mp3, bitrate: 128, verify: false),
        Case(format: .mp3, bitrate: 64, mono: true, verify: false),
        Case(format: .opus, bitrate: 64, verify: false),
        Case(format: .opus, bitrate: 48, verify: false),
        Case(format: .mp3, bitrate: 128, preset: .spotify, verify: false),
    ]

    /// One case's run: the report, libebur128's reading of the output, the target it is held to and
    /// what the output's folder holds afterwards.
    struct Run: Sendable {
        var report: NormalizeReport
        var measured: LoudnessMeasurement
        var target: Double
        var folder: [String]
        var tuple: (NormalizeReport, LoudnessMeasurement, Double) { (report, measured, target) }
    }

    /// Runs one case. The verified FLAC case is run once per test process and shared with
    /// ``dryRunPredictsTheLimitersWorkAndTheOutputLength()``, whose real run it is (same options).
    static func normalize(_ c: Case) throws -> Run {
        c == flac ? try flacRun.get() : try run(c)
    }

    static let flac = Case(format: .flac)
    private static let flacRun = Result { try run(flac) }

    private static func run(_ c: Case) throws -> Run {
        let input = try FrenchEpisode.shared(c.full ? .full : .excerpt)
        let folder = try TemporaryFolder()
        let output = folder.path("out." + c.format.fileExtension)
        let options = c.options()
        let report = try Normalizer(options: options).run(inputPath: input, outputPath: output)
        let measured = try LoudnessAnalysis.measure(SoundFileReader(path: output), meter: .libebur128)
        let target = options.target.measuredTarget(
            channels: c.mono ? 1 : 2, convention: options.monoConvention
        ).integratedLUFS
        let contents = try FileManager.default.contentsOfDirectory(atPath: folder.url.path).sorted()
        return Run(report: report, measured: measured, target: target, folder: contents)
    }

    @Test(arguments: verified)
    func verifiedOutputLandsWithinTwoTenthsAndUnderTheCeilingInThreePasses(_ c: Case) throws {
        let (report, measured, target) = try Self.normalize(c).tuple
        let integrated = try #require(measured.integratedLUFS)
        let peak = try #require(measured.truePeakDBTP)
        #expect(abs(integrated - target) <= 0.2, "\(c.testDescription): \(integrated) LUFS, target \(target)")
        #expect(peak <= c.preset.target.truePeakDBTP, "\(c.testDescription): \(peak) dBTP")
        #expect(report.passes <= 3)
        #expect(report.limiterMaxReductionDB > 2, "the material must make the limiter work")
        #expect(report.warnings.isEmpty, "\(report.warnings)")
    }

    @Test(arguments: unverified)
    func unverifiedOutputStaysUnderTheCeilingAndWithinHalfAnLU(_ c: Case) throws {
        let (report, measured, target) = try Self.normalize(c).tuple
        let integrated = try #require(measured.integratedLUFS)
        let peak = try #require(measured.truePeakDBTP)
        #expect(abs(integrated - target) <= 0.5, "\(c.testDescription): \(integrated) LUFS, target \(target)")
        #expect(peak <= c.preset.target.truePeakDBTP, "\(c.testDescription): \(peak) dBTP")
        #expect(report.passes == 1)
    }

    /// `--dry-run` runs the same calibration as a real run, so its preview shows the limiting the
    /// output will get (it printed "0.00 dB over 0.00 s" while the real run limited by 3.65 dB) and
    /// the output's length (it printed "n/a"); the report says how hard the limiter worked, by depth.
    /// The real run is the verified FLAC case's (``flac``, made once for both tests).
    @Test func dryRunPredictsTheLimitersWorkAndTheOutputLength() throws {
        let input = try FrenchEpisode.shared(.excerpt)
        let planned = try Normalizer(options: Self.flac.options()).run(inputPath: input, outputPath: nil)
        let run = try Self.normalize(Self.flac)
        let written = run.report
        #expect(written.limiterMaxReductionDB > 2)
        #expect(abs(planned.limiterMaxReductionDB - written.limiterMaxReductionDB) < 0.5)
        #expect(abs(planned.limitedOver1dBSeconds - written.limitedOver1dBSeconds) < 0.5)
        #expect(abs(planned.gainDB - written.gainDB) < 0.1, "\(planned.gainDB) against \(written.gainDB)")
        let duration = try #require(planned.outputDurationSeconds)
        #expect(abs(duration - (try #require(written.output).durationSeconds)) < 0.01)
        #expect(run.folder == ["out.flac"], "the written run leaves its output only")

        #expect(written.limitedOver1dBSeconds > 0 && written.limitedOver1dBSeconds < written.limitedSeconds)
        #expect(written.limitedOver3dBSeconds <= written.limitedOver1dBSeconds)
        #expect(written.limiterReductionP95DB > 0)
        #expect(written.limiterReductionP95DB <= written.limiterMaxReductionDB + 0.1)
    }
}
