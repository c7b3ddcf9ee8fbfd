import Foundation
import PodsmithTestSupport
import Testing

@testable import PodsmithCodecs
@testable import PodsmithCore
@testable import PodsmithKit
@testable import PodsmithSeason

/// The manifest reader checks settings with the same rules as the CLI (``EncoderSettings/validate()``,
/// ``NormalizeOptions/issue(_:_:)``), each problem at its key path, before anything is processed.
@Suite struct ManifestSettingRulesTests {
    private func issues(defaults: String, extra: [Int: String] = [:], episodes: Int = 2) throws -> [ManifestIssue] {
        let f = try SeasonFixture()
        let path = try f.manifest(episodes: episodes, defaults: defaults, extra: extra)
        do {
            _ = try SeasonPlan.load(path: path)
            return []
        } catch {
            return error.issues
        }
    }

    @Test func aFormatsBitrateOutsideItsCodecsIsAnIssueAtItsKeyPath() throws {
        let found = try issues(defaults: "  formats: [flac, mp3@100k]\n")
        #expect(found.map(\.path) == ["defaults.formats[1]"], "\(found)")
        #expect(found.first?.message.contains("not an MP3 bitrate") == true, "\(found)")
    }

    @Test func theBitrateKeyIsCheckedAgainstEveryFormatThatTakesItOnce() throws {
        let found = try issues(defaults: "  formats: [mp3, opus]\n  bitrate: 100\n", episodes: 3)
        #expect(found.map(\.path) == ["defaults.bitrate"], "reported once, not per episode: \(found)")
        #expect(found.first?.message.hasPrefix("100 is not an MP3 bitrate") == true, "\(found)")
        // Opus alone takes 100 kbit/s, and up to 512 (the manifest refused 320+ before).
        #expect(try issues(defaults: "  formats: [opus]\n  bitrate: 400k\n").isEmpty)
        // A format with its own bitrate does not take the key's.
        #expect(try issues(defaults: "  formats: [mp3@128k, opus]\n  bitrate: 100\n").isEmpty)
    }

    /// As `normalize --leveler-strength` needs `--leveler`: once defaults and overrides are resolved, a
    /// strength the leveler never uses is an issue where it was set, listed with every other problem.
    @Test func aLevelerStrengthWithTheLevelerOffIsAnIssueWhereItIsSet() throws {
        let found = try issues(
            defaults: "  leveler_strength: 0.5\n  target: -71\n",
            extra: [1: "    overrides: {leveler_strength: 0.3}\n"], episodes: 3)
        #expect(
            Set(found.map(\.path))
                == ["defaults.target", "defaults.leveler_strength", "episodes[1].overrides.leveler_strength"],
            "\(found)")
        let byDefault = try #require(found.first { $0.path == "defaults.leveler_strength" })
        #expect(
            byDefault.message.contains("add 'leveler: true'") && byDefault.message.contains("episodes[0], episodes[2]"))
        let byEpisode = try #require(found.first { $0.path == "episodes[1].overrides.leveler_strength" })
        #expect(byEpisode.message.contains("add 'leveler: true'"), "\(byEpisode)")
        // An episode's own strength with the leveler switched off there, under a season that levels.
        #expect(
            try issues(
                defaults: "  leveler: true\n", extra: [0: "    overrides: {leveler: false, leveler_strength: 0.3}\n"]
            ).map(\.path) == ["episodes[0].overrides.leveler_strength"])
    }

    @Test func aLevelerStrengthWithTheLevelerOnIsAccepted() throws {
        #expect(try issues(defaults: "  leveler: true\n  leveler_strength: 0.5\n").isEmpty)
        #expect(
            try issues(
                defaults: "  formats: [mp3]\n", extra: [1: "    overrides: {leveler: true, leveler_strength: 0.3}\n"]
            ).isEmpty)
        // A default strength serves the episodes that switch the leveler on, and those that switch it off
        // do not make it an error (the season's leveler with one episode left out).
        #expect(
            try issues(defaults: "  leveler_strength: 0.5\n", extra: [1: "    overrides: {leveler: true}\n"]).isEmpty)
        #expect(
            try issues(
                defaults: "  leveler: true\n  leveler_strength: 0.5\n", extra: [0: "    overrides: {leveler: false}\n"]
            )
            .isEmpty)
    }

    @Test func anEpisodesOverrideIsReportedWhereItIsSet() throws {
        let found = try issues(
            defaults: "  formats: [mp3]\n",
            extra: [1: "    overrides: {bitrate: 100, target: 3}\n"])
        #expect(
            Set(found.map(\.path)) == ["episodes[1].overrides.bitrate", "episodes[1].overrides.target"],
            "\(found)")
    }

    // The wider of the CLI's and the manifest's old ranges: nothing accepted before is refused.
    @Test func rangesAreTheWiderOfTheCommandLinesAndTheManifests() throws {
        #expect(
            try issues(defaults: "  target: 0\n  true_peak: -30\n  trim_threshold: 0\n  max_pause: 3600\n")
                .isEmpty)
        #expect(try issues(defaults: "  max_pause: 0\n").isEmpty, "0 still switches pause shortening off")
        let found = try issues(defaults: "  target: -71\n  true_peak: -31\n  trim_threshold: 1\n  max_pause: 3601\n")
        #expect(
            Set(found.map(\.path))
                == ["defaults.target", "defaults.true_peak", "defaults.trim_threshold", "defaults.max_pause"])
        let target = try #require(found.first { $0.path == "defaults.target" })
        let rule = try #require(NormalizeOptions.issue(.target, -71))
        #expect(target.message == "\(rule.value) \(rule.rule)")
    }
}
