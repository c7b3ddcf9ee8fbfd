import ArgumentParser
import Foundation
import PodsmithKit
import PodsmithSeason
import PodsmithTestSupport
import Testing

@testable import podsmith

/// `normalize`'s options parsed in process: the library's rules (``NormalizeOptions/validate()``) phrased
/// with the command's option names, and the exit codes the CLI maps library errors to.
@Suite struct NormalizeOptionParsingTests {
    /// The line `run()` would print for `arguments` before reading anything, or `nil` when it would go on.
    private func refusal(_ arguments: [String]) -> String? {
        do {
            let command = try Podsmith.Normalize.parse(["in.wav"] + arguments)
            guard let issue = command.settingIssue(outputPath: try command.resolvedOutputPath()) else { return nil }
            let error = PodsmithError.invalidSetting(issue)
            #expect(ErrorReporting.exitCode(for: error as any Error) == 64, "\(arguments)")
            return ErrorReporting.message(for: error, file: "in.wav")
        } catch {
            Issue.record("\(arguments) did not parse: \(Podsmith.Normalize.message(for: error))")
            return nil
        }
    }

    static let refused: [(arguments: [String], phrase: String)] = [
        (["--bitrate", "100"], "--bitrate 100 is not an MP3 bitrate"),
        (["--format", "opus", "--bitrate", "1000"], "--bitrate 1000 is outside Opus's range"),
        (["--bitrate", "0"], "--bitrate 0 is not positive"),
        (["--target", "5"], "--target 5 is outside -70…0 LUFS"),
        (["--true-peak", "2"], "--true-peak 2 is outside -30…0 dBTP"),
        (["--trim-threshold", "10"], "--trim-threshold 10 is outside -120…0 dBFS"),
        (["--trim-pad", "11"], "--trim-pad 11 is outside 0…10 seconds"),
        (["--max-pause", "4000"], "--max-pause 4000 is outside 0…3600 seconds"),
        (["--max-pause", "0"], "--max-pause 0 is not a pause length"),
        (["--max-gain", "61"], "--max-gain 61 is outside 0…60 dB"),
        (["--max-gain", "inf"], "--max-gain inf is outside"),
        (["--vbr", "12"], "--vbr 12 is outside 0…9"),
        (["--encode-threads", "2", "--format", "flac"], "--encode-threads 2 applies to MP3 only"),
        (["--format", "flac", "--bit-depth", "32f"], "--bit-depth 32f is not a FLAC sample format"),
        (["--date", "27/11/2026"], "--date 27/11/2026 is not a date"),
        (["--leveler", "--leveler-strength", "1.5"], "--leveler-strength 1.5 is outside 0…1"),
    ]

    @Test(arguments: refused)
    func outOfRangeValuesAreRefusedInTheCommandLinesWords(arguments: [String], phrase: String) {
        let message = refusal(arguments)
        #expect(message?.contains(phrase) == true, "\(arguments): \(message ?? "accepted")")
    }

    // The wider of the CLI's and the manifest's old ranges: what the manifest accepted, the CLI accepts too.
    @Test(arguments: [
        ["--target", "0"], ["--trim-threshold", "0"], ["--true-peak", "-30"], ["--trim-pad", "10"],
        ["--max-pause", "3600"], ["--max-gain", "60"], ["--format", "opus", "--bitrate", "512"],
        ["--bitrate", "100", "--vbr", "2"], ["--date", "Fri, 27 Nov 2026 10:00:00 +0000"],
    ])
    func boundaryValuesAreAccepted(arguments: [String]) {
        #expect(refusal(arguments) == nil, "\(arguments)")
    }

    /// The command line's names are derived from the settings' names: each one that names an option
    /// names an option `normalize` has, so a new setting needs no new phrasing.
    @Test(arguments: Setting.allCases.filter { $0.commandLineName.hasPrefix("--") })
    func everySettingsCommandLineNameIsAnOptionOfNormalize(setting: Setting) {
        let name = setting.commandLineName
        #expect(Podsmith.Normalize.helpMessage(columns: 400).contains(name), "\(name)")
    }

    /// The leveler is off unless asked; its strength alone asks for nothing and is refused.
    @Test func theLevelerIsOffByDefaultAndItsStrengthNeedsIt() throws {
        #expect(try !Podsmith.Normalize.parse(["in.wav"]).settings(outputPath: "out.mp3").leveler)
        let on = try Podsmith.Normalize.parse(["in.wav", "--leveler", "--leveler-strength", "0.5"])
        #expect(on.settings(outputPath: "out.mp3").leveler && on.settings(outputPath: "out.mp3").levelerStrength == 0.5)
        #expect(
            try Podsmith.Normalize.parse(["in.wav", "--leveler"]).settings(outputPath: "o.mp3").levelerStrength == 1)
        #expect(throws: (any Error).self) { try Podsmith.Normalize.parse(["in.wav", "--leveler-strength", "0.5"]) }
    }

    @Test func aDateIsTaggedAsItsUTCDayAsASeasonTagsIt() throws {
        let command = try Podsmith.Normalize.parse(["in.wav", "--date", "2026-11-27T23:30:00-02:00"])
        #expect(command.settings(outputPath: "out.mp3").metadata.date == "2026-11-28")
    }

    @Test func aFormatThatContradictsTheOutputsExtensionIsRefused() {
        #expect(refusal(["--format", "wav", "-o", "out.mp3"])?.contains("--format wav does not match") == true)
        #expect(refusal(["--format", "opus", "-o", "out.ogg"]) == nil)
        // An extension we do not write is refused rather than given MP3 data (the walk-through's out.m4a,
        // before M4A was written); one that names a codec we write in another container gets the container.
        #expect(refusal(["-o", "episode.m4a"]) == nil)
        #expect(refusal(["-o", "episode.aac"])?.contains("format .aac (from the output's extension)") == true)
        #expect(refusal(["-o", "episode.aac"])?.contains("use .m4a") == true)
        #expect(refusal(["-o", "episode.wma"])?.contains("use .mp3, .wav, .flac, .opus or .m4a, or --format") == true)
        #expect(refusal(["-o", "episode.MP3"]) == nil)
    }

    @Test func libraryErrorsMapToTheDocumentedExitCodes() {
        let codes: [(PodsmithError, Int32)] = [
            (.inputMissing(path: "a"), 66), (.inputUnreadable(path: "a", reason: "r"), 66),
            (.inputIsDirectory(path: "a"), 66), (.inputEmpty(path: "a"), 65), (.notAudio(path: "a", reason: "r"), 65),
            (.unsupportedAudio(path: "a", reason: "r"), 65), (.decodeFailed(path: "a", reason: "r"), 65),
            (.noProgramme(path: "a"), 65), (.badChapters(path: "a", reason: "r"), 65),
            (.badArtwork(path: "a", reason: "r"), 65), (.outputNotWritable(path: "a", reason: "r"), 73),
            (.outputIsInput(path: "a"), 64), (.invalidSetting(SettingIssue(.bitrate, value: "1", rule: "r")), 64),
            (.encoderFailed(path: "a", reason: "r"), 70), (.internalError("x"), 70),
        ]
        for (error, code) in codes { #expect(ErrorReporting.exitCode(for: error as any Error) == code, "\(error)") }
        #expect(ErrorReporting.exitCode(for: ShardSelectionError.malformed("x")) == 64)
        #expect(ErrorReporting.exitCode(for: CancellationError()) == 70)
        let missing = ManifestValidationError([ManifestIssue(path: "episodes[0].file", message: "no such file: a")])
        #expect(ErrorReporting.exitCode(for: missing) == 66)
        let bad = ManifestValidationError([ManifestIssue(path: "defaults.formats[0]", message: "'mp3@100k': …")])
        #expect(ErrorReporting.exitCode(for: bad) == 65)
    }

    @Test func libraryErrorsArePhrasedWithTheCommandsOptions() {
        let issue = EncoderSettings.bitrateIssue(100, format: .mp3)!
        #expect(
            ErrorReporting.message(for: PodsmithError.invalidSetting(issue), file: "in.wav")
                .hasPrefix("in.wav: --bitrate 100 is not an MP3 bitrate"))
        #expect(
            ErrorReporting.message(for: PodsmithError.outputIsInput(path: "a.wav"), file: nil)
                .contains("--in-place"))
        #expect(ErrorReporting.message(for: ShardSelectionError.malformed("x"), file: nil).contains("--shard"))
        #expect(ErrorReporting.message(for: ShardSelectionError.countWithoutIndex(4), file: nil).contains("--shards 4"))
    }
}
