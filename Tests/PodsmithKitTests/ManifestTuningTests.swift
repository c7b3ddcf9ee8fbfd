import Foundation
import PodsmithTestSupport
import Testing

@testable import PodsmithCodecs
@testable import PodsmithCore
@testable import PodsmithKit
@_spi(ManifestReading) @testable import PodsmithSeason

/// The tuning table (`EpisodeSettings.tuning`) is the one list the manifest reader, the merge of
/// overrides, the fingerprint and the processor walk: every row travels the whole way.
@Suite struct ManifestTuningTests {
    /// Two values the validation owner accepts for `setting`, neither of them an "off" 0.
    static func validValues(for setting: Setting) -> (Double, Double) {
        let candidates: [Double] = [-50, -40, 0.25, 0.5, 1, 2, 3]
        let valid = candidates.filter { NormalizeOptions.issue(setting, $0) == nil }
        precondition(valid.count >= 2, "no two valid values for \(setting)")
        return (valid[0], valid[1])
    }

    @Test(arguments: EpisodeSettings.tuning.map(\.setting))
    func tuningSettingTravelsFromManifestToTheJobAndItsFingerprint(setting: Setting) throws {
        let row = try #require(EpisodeSettings.tuning.first { $0.setting == setting })
        let (fallback, override) = Self.validValues(for: setting)
        let f = try SeasonFixture()
        try f.writeRaw("a.wav", seed: 1)
        try f.writeRaw("b.wav", seed: 2)
        try f.writeRaw("c.wav", seed: 3)
        // A strength needs the leveler on (as `--leveler-strength` needs `--leveler`).
        let switchedOn = setting == .levelerStrength ? "  leveler: true\n" : ""
        let path = try f.write(
            "season.yaml",
            """
            show: {title: T}
            defaults:
            \(switchedOn)  \(row.manifestKey): \(fallback)
            episodes:
              - file: raw/a.wav
              - file: raw/b.wav
                overrides: {\(row.manifestKey): \(override)}
              - file: raw/c.wav
            """)
        let jobs = try SeasonPlan.load(path: path).jobs
        #expect(jobs[0].tuning[setting] == fallback)
        #expect(jobs[1].tuning[setting] == override)
        var unset = jobs[2]
        unset.tuning[setting] = nil
        #expect(unset.settingsFingerprint != jobs[2].settingsFingerprint)
        var other = jobs[2]
        other.tuning[setting] = override
        #expect(other.settingsFingerprint != jobs[2].settingsFingerprint)
    }

    @Test(arguments: EpisodeSettings.tuning.map(\.setting))
    func tuningValueOutsideItsRangeIsAManifestIssueWithItsKeyPath(setting: Setting) throws {
        let row = try #require(EpisodeSettings.tuning.first { $0.setting == setting })
        let f = try SeasonFixture()
        try f.writeRaw("a.wav", seed: 1)
        let path = try f.write(
            "season.yaml", "show: {title: T}\ndefaults: {\(row.manifestKey): 1e9}\nepisodes: [{file: raw/a.wav}]\n")
        #expect(throws: (any Error).self) { try SeasonPlan.load(path: path) }
        do {
            _ = try SeasonPlan.load(path: path)
        } catch {
            #expect(error.issues.contains { $0.path == "defaults.\(row.manifestKey)" }, "\(error.issues)")
        }
    }

    @Test func theProcessorAppliesEveryTuningValueToNormalizesOptions() throws {
        let job = EpisodeJob(
            identity: "a.wav", index: 0, inputPath: "/nonexistent/a.wav", outputStem: "a",
            outputs: [OutputSpec(format: .mp3)], tuning: [.trimThreshold: -47, .maxPause: 1.25],
            metadata: EpisodeDescription(title: "A"))
        let options = try NormalizingEpisodeProcessor().baseOptions(for: job, encoder: EncoderSettings(format: .mp3))
        #expect(options.silence.thresholdDBFS == -47)
        #expect(options.silence.maxPauseSeconds == 1.25)
        let defaults = try NormalizingEpisodeProcessor().baseOptions(
            for: EpisodeJob(
                identity: "a.wav", index: 0, inputPath: "/nonexistent/a.wav", outputStem: "a",
                outputs: [OutputSpec(format: .mp3)], metadata: EpisodeDescription(title: "A")),
            encoder: EncoderSettings(format: .mp3))
        #expect(defaults.silence.thresholdDBFS == SilenceOptions().thresholdDBFS)
        #expect(defaults.silence.maxPauseSeconds == nil)
    }

    /// `leveler: true|false` in `defaults` and `overrides`: it reaches the job, its fingerprint and
    /// normalize's options; an episode without it keeps the fingerprint it had before the leveler existed.
    @Test func theLevelerSwitchTravelsFromManifestToTheJobItsFingerprintAndTheOptions() throws {
        let f = try SeasonFixture()
        try f.writeRaw("a.wav", seed: 1)
        try f.writeRaw("b.wav", seed: 2)
        let path = try f.write(
            "season.yaml",
            """
            show: {title: T}
            defaults: {leveler: true, leveler_strength: 0.5}
            episodes:
              - file: raw/a.wav
              - file: raw/b.wav
                overrides: {leveler: false}
            """)
        let jobs = try SeasonPlan.load(path: path).jobs
        #expect(jobs[0].leveler && !jobs[1].leveler)
        #expect(jobs[0].settingsFingerprint.contains("\"leveler\":true"))
        #expect(!jobs[1].settingsFingerprint.contains("\"leveler\""))
        var off = jobs[0]
        off.leveler = false
        #expect(off.settingsFingerprint != jobs[0].settingsFingerprint)
        let options = try NormalizingEpisodeProcessor().baseOptions(
            for: jobs[0], encoder: EncoderSettings(format: .mp3))
        #expect(options.leveler && options.levelerStrength == 0.5)
        let wrong = try f.write(
            "wrong.yaml", "show: {title: T}\ndefaults: {leveler: 3}\nepisodes: [{file: raw/a.wav}]\n")
        do {
            _ = try SeasonPlan.load(path: wrong)
            Issue.record("leveler: 3 was accepted")
        } catch {
            #expect(error.issues.contains { $0.path == "defaults.leveler" }, "\(error.issues)")
        }
    }

    @Test func anOffPauseLimitIsTheDefaultNotASetting() throws {
        let off = EpisodeSettings(maxPauseSeconds: 0)
        #expect(off.tuningValues[.maxPause] == nil)
        #expect(EpisodeSettings(maxPauseSeconds: 2).tuningValues[.maxPause] == 2)
    }

    @Test func manifestKeysAreTheSettingsNamesInSnakeCase() {
        #expect(Setting.maxPause.manifestKey == "max_pause")
        #expect(Setting.trimThreshold.manifestKey == "trim_threshold")
        #expect(Setting.truePeak.manifestKey == "true_peak")
        #expect(Setting.target.manifestKey == "target")
    }
}
