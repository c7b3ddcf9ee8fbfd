import Foundation
import PodsmithTestSupport
import Testing

@testable import PodsmithCodecs
@testable import PodsmithCore
@testable import PodsmithKit
@testable import PodsmithSeason

/// The one owner of the encode and normalize rules: ``EncoderSettings/validate()`` and
/// ``NormalizeOptions/validate()``, which the CLI and the manifest reader both call.
@Suite struct SettingValidationTests {
    /// One numeric setting set to `value` on otherwise default options.
    private func options(_ setting: Setting, _ value: Double) -> NormalizeOptions {
        var options = NormalizeOptions()
        switch setting {
        case .target: options.target.integratedLUFS = value
        case .truePeak: options.target.truePeakDBTP = value
        case .maxGain: options.maxGainDB = value
        case .trimThreshold: options.silence.thresholdDBFS = value
        case .trimPad: options.silence.padSeconds = value
        case .maxPause: options.silence.maxPauseSeconds = value
        case .sampleRate: options.encoder.sampleRate = value
        default: Issue.record("not a numeric setting: \(setting)")
        }
        return options
    }

    struct Bounds: Sendable, CustomStringConvertible {
        var setting: Setting
        var accepted: [Double]
        var refused: [Double]
        var description: String { setting.rawValue }
    }

    // Each range is the wider of what the command line and the manifest accepted before (target 0 and a
    // trim threshold of 0 were manifest-only, a true peak of -30 CLI-only); the unbounded ones got maxima.
    static let bounds: [Bounds] = [
        Bounds(setting: .target, accepted: [-70, -16, 0], refused: [-70.5, 0.1, 5, .nan, -.infinity]),
        Bounds(setting: .truePeak, accepted: [-30, -20.5, -1, 0], refused: [-30.5, 0.5, 2, .nan]),
        Bounds(setting: .maxGain, accepted: [0, 24, 60], refused: [-3, 60.5, .infinity, .nan]),
        Bounds(setting: .trimThreshold, accepted: [-120, -50, 0], refused: [-121, 0.5, 10, .nan]),
        Bounds(setting: .trimPad, accepted: [0, 0.3, 10], refused: [-1, 10.5, .infinity, .nan]),
        Bounds(setting: .maxPause, accepted: [0.01, 2, 3600], refused: [0, -1, 3601, .infinity, .nan]),
        Bounds(setting: .sampleRate, accepted: [8_000, 44_100, 192_000], refused: [1_000, 384_000, .nan]),
    ]

    @Test(arguments: bounds)
    func numericSettingsAreCheckedAgainstOneRange(bounds: Bounds) {
        for value in bounds.accepted {
            #expect(options(bounds.setting, value).validate().isEmpty, "\(bounds.setting) \(value)")
            #expect(NormalizeOptions.issue(bounds.setting, value) == nil, "\(bounds.setting) \(value)")
        }
        for value in bounds.refused {
            let issues = options(bounds.setting, value).validate()
            #expect(issues.map(\.setting) == [bounds.setting], "\(bounds.setting) \(value): \(issues)")
            #expect(issues.first == NormalizeOptions.issue(bounds.setting, value))
        }
    }

    @Test func anIssueNamesTheSettingTheValueAndTheRule() throws {
        let issue = try #require(NormalizeOptions.issue(.target, 5))
        #expect(issue == SettingIssue(.target, value: "5", rule: "is outside -70…0 LUFS"))
        #expect(issue.description == "target 5 is outside -70…0 LUFS")
        #expect(NormalizeOptions.issue(.trimPad, 10.5)?.value == "10.5")
    }

    @Test func mp3TakesOnlyItsConstantBitratesUnlessVBR() throws {
        for kbps in MP3EncoderOptions.constantBitratesKbps {
            #expect(EncoderSettings(format: .mp3, bitrateKbps: kbps).validate().isEmpty, "\(kbps)")
        }
        let issue = try #require(EncoderSettings(format: .mp3, bitrateKbps: 100).validate().first)
        #expect(issue.setting == .bitrate && issue.value == "100")
        #expect(issue.rule.contains("not an MP3 bitrate") && issue.rule.contains("32, 40"), "\(issue)")
        // A VBR quality replaces the bitrate, so any positive one is ignored, as before.
        #expect(EncoderSettings(format: .mp3, bitrateKbps: 100, vbrQuality: 2).validate().isEmpty)
    }

    @Test func opusTakesSixTo512AndLosslessIgnoresTheBitrate() {
        for kbps in [6, 48, 510, 512] { #expect(EncoderSettings(format: .opus, bitrateKbps: kbps).validate().isEmpty) }
        for kbps in [5, 513, 1000] {
            #expect(EncoderSettings(format: .opus, bitrateKbps: kbps).validate().map(\.setting) == [.bitrate])
        }
        for format in [OutputFormat.wav, .flac] {
            #expect(EncoderSettings(format: format, bitrateKbps: 100).validate().isEmpty)
        }
    }

    @Test func aBitrateMustBePositiveForEveryFormat() {
        for format in OutputFormat.allCases {
            #expect(EncoderSettings(format: format, bitrateKbps: 0).validate().map(\.setting) == [.bitrate])
        }
    }

    @Test func vbrQualityEncodeThreadsAndBitDepthHaveTheirRules() {
        #expect(EncoderSettings(format: .mp3, vbrQuality: 10).validate().map(\.setting) == [.vbrQuality])
        #expect(EncoderSettings(format: .mp3, vbrQuality: 0).validate().isEmpty)
        #expect(EncoderSettings(format: .mp3, encodeThreads: 0).validate().map(\.setting) == [.encodeThreads])
        #expect(EncoderSettings(format: .mp3, encodeThreads: 65).validate().map(\.setting) == [.encodeThreads])
        #expect(EncoderSettings(format: .mp3, encodeThreads: 64).validate().isEmpty)
        #expect(EncoderSettings(format: .flac, bitDepth: .float32).validate().map(\.setting) == [.bitDepth])
        #expect(EncoderSettings(format: .wav, bitDepth: .float32).validate().isEmpty)
    }

    @Test func datesAreReadWithTheManifestsParser() {
        for good in ["2026-11-27", "2026-11-27T10:00:00Z", "Fri, 27 Nov 2026 10:00:00 +0000"] {
            var options = NormalizeOptions()
            options.metadata.date = good
            #expect(options.validate().isEmpty, "\(good)")
        }
        for bad in ["27/11/2026", "2026-02-30", "next friday"] {
            var options = NormalizeOptions()
            options.metadata.date = bad
            let issues = options.validate()
            #expect(issues.map(\.setting) == [.date] && issues.first?.value == bad, "\(issues)")
            #expect(issues.first == NormalizeOptions.dateIssue(bad))
        }
    }

    @Test func everyIssueIsReportedNotOnlyTheFirst() {
        var options = NormalizeOptions(maxGainDB: -1, encoder: EncoderSettings(format: .mp3, bitrateKbps: 100))
        options.target.integratedLUFS = 3
        #expect(options.validate().map(\.setting) == [.target, .maxGain, .bitrate])
        #expect(throws: PodsmithError.invalidSetting(options.validate()[0])) { try options.check() }
    }

    @Test func encodersRefuseWhatTheRulesRefuseWithStructuredIssues() throws {
        let folder = try TemporaryFolder()
        let error = try #require(throws: PodsmithError.self) {
            _ = try MP3Encoder(
                path: folder.path("x.mp3"), sampleRate: 44_100, channelCount: 2,
                options: MP3EncoderOptions(bitrateKbps: 100))
        }
        guard case .invalidSetting(let issue) = error else {
            Issue.record("got \(error)")
            return
        }
        #expect(issue.setting == .bitrate && issue.value == "100")
        #expect(!error.description.contains("--"), "library messages name no flags: \(error)")
        #expect(throws: PodsmithError.self) {
            _ = try FLACEncoder(
                path: folder.path("x.flac"), sampleRate: 44_100, channelCount: 2,
                options: FLACEncoderOptions(bitDepth: .float32))
        }
    }
}
