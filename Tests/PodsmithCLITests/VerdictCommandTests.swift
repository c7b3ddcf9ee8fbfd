import Foundation
import PodsmithTestSupport
import Testing

/// What `season` and `normalize` say and how they exit when the files are written but not all is well:
/// the summary line counts what `report.json` counts, exit 2 marks a lint error or a missed target (the
/// same on a rerun that skips every episode), `--strict` makes any warning exit 2, and `--no-verify`
/// says which checks it could not make. Short mono episodes, mostly unverified, to stay cheap.
@Suite(.serialized) struct VerdictCommandTests {
    typealias SeasonFixture = SeasonCommandTests.SeasonFixture

    static func object(_ path: String) throws -> [String: Any] {
        let data = try Data(contentsOf: URL(fileURLWithPath: path))
        return try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any], "\(path)")
    }

    /// The season's one-line summary (the last line of its progress on stderr).
    static func headline(_ result: ProcessResult) throws -> String {
        try #require(
            result.stderr.split(separator: "\n").last { $0.contains(" episodes: ") || $0.contains(" episode: ") }
                .map(String.init), "\(result.stderr)")
    }

    // §7 #2 and #12: "5 processed", exit 0, while report.json held lint errors; STEM.report.json sizes 0.
    @Test func aSeasonWithLintErrorsExitsTwoAndItsSummaryAgreesWithReportJSONAlsoOnARerun() throws {
        // A mono FLAC enclosure breaks Apple's two-channel rule: a lint error that needs no decoding.
        let fixture = try SeasonFixture(count: 2, formats: "[flac]")
        let arguments = ["season", fixture.manifest, "-o", fixture.out, "--no-verify", "--jobs", "2"]
        let first = try CommandRunner.run(arguments)
        #expect(first.status == 2, "\(first.stderr)")
        #expect(try Self.headline(first) == "2 episodes: 2 processed, 2 with warnings, 2 lint errors")
        // §7 #1: what an unverified season did not check is said once.
        #expect(first.stderr.components(separatedBy: "not for loudness or true peak").count == 2, "\(first.stderr)")

        let totals = try #require(try Self.object(fixture.out + "/report.json")["totals"] as? [String: Any])
        #expect(totals["with_warnings"] as? Int == 2 && totals["lint_errors"] as? Int == 2, "\(totals)")
        #expect(totals["skipped"] as? Int == 0)
        for stem in ["ep01", "ep02"] {
            let entry = try #require(try Self.object(fixture.out + "/\(stem).report.json")["report"] as? [String: Any])
            let outputs = try #require(entry["outputs"] as? [[String: Any]])
            let size = try FileManager.default.attributesOfItem(atPath: fixture.out + "/\(stem).flac")[.size] as? Int
            #expect(outputs.first?["size_bytes"] as? Int == size, "\(stem): \(outputs)")
            #expect((size ?? 0) > 1000)
        }

        // Nothing changed: every episode is skipped, and judged from its stored report the same way.
        let rerun = try CommandRunner.run(arguments)
        #expect(rerun.status == 2, "\(rerun.stderr)")
        #expect(try Self.headline(rerun) == "2 episodes: 0 processed, 2 up to date, 2 with warnings, 2 lint errors")
        let again = try #require(try Self.object(fixture.out + "/report.json")["totals"] as? [String: Any])
        #expect(again["with_warnings"] as? Int == 2 && again["lint_errors"] as? Int == 2, "\(again)")
        #expect(again["skipped"] as? Int == 2)
        let index = try String(contentsOfFile: fixture.out + "/index.html", encoding: .utf8)
        #expect(index.contains("2 episodes: 0 processed, 2 up to date, 0 failed"))
    }

    @Test func strictMakesASeasonWithOnlyWarningsExitTwo() throws {
        // A mono MP3 at 64 kbit/s is accepted by Apple with a warning (96 recommended): not a miss.
        let fixture = try SeasonFixture(count: 1, formats: "[mp3@64k]")
        let plain = try CommandRunner.run(["season", fixture.manifest, "-o", fixture.out, "--no-verify"])
        #expect(plain.status == 0, "\(plain.stderr)")
        #expect(try Self.headline(plain) == "1 episode: 1 processed, 1 with warnings")
        let strict = try CommandRunner.run(["season", fixture.manifest, "-o", fixture.out, "--no-verify", "--strict"])
        #expect(strict.status == 2, "\(strict.stderr)")
        #expect(try Self.headline(strict) == "1 episode: 0 processed, 1 up to date, 1 with warnings")
    }

    @Test func normalizeExitsTwoOnAMissedTargetAndWithStrictOnAnyWarning() throws {
        let folder = NSTemporaryDirectory() + "podsmith-verdict-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let input = folder + "/in.wav"
        // 2 s (1 s of sound): the missed target below costs three passes of heavy limiting.
        try SeasonFixture.writeEpisode(path: input, seed: 7, seconds: 2)
        // A capped gain is a warning the user asked for: exit 0, and 2 with --strict.
        let capped = ["normalize", input, "-o", folder + "/capped.wav", "--max-gain", "1", "--no-verify"]
        let plain = try CommandRunner.run(capped)
        #expect(plain.status == 0, "\(plain.stderr)")
        #expect(plain.errorLines.contains { $0.contains("warning:") }, "\(plain.stderr)")
        #expect(try CommandRunner.run(capped + ["--strict"]).status == 2)
        // −10 LUFS under a −30 dBTP ceiling cannot be reached: written, with a warning, exit 2.
        let missed = try CommandRunner.run([
            "normalize", input, "-o", folder + "/missed.wav", "--target", "-10", "--true-peak", "-30",
            "--max-gain", "60",
        ])
        #expect(missed.status == 2, "\(missed.stderr)")
        #expect(missed.errorLines.contains { $0.contains("from the target") }, "\(missed.stderr)")
        #expect(FileManager.default.fileExists(atPath: folder + "/missed.wav"))
    }

    // §7 #15: `podsmith: fr.yml: fr.yml: not valid YAML…`, with nothing to say what to do.
    @Test func aManifestErrorNamesTheFileOnceAndAFrenchColonGetsAHint() throws {
        let folder = NSTemporaryDirectory() + "podsmith-yaml-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: folder + "/art", withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let manifest = folder + "/fr.yml"
        try Data("show:\n  title: Octet Matin\nepisodes:\n  - file: a.wav\n    title: IA : le règlement\n".utf8)
            .write(to: URL(fileURLWithPath: manifest))
        let yaml = try CommandRunner.run(["season", manifest, "-o", folder + "/out"])
        #expect(yaml.status == 65)
        #expect(yaml.errorLines.count == 1, "\(yaml.stderr)")
        let line = try #require(yaml.errorLines.first)
        #expect(line.components(separatedBy: "fr.yml").count == 2, "named once: \(line)")
        #expect(line.contains("not valid YAML") && line.contains("in quotes"), "\(line)")

        let empty = try CommandRunner.run(["season", folder + "/art", "-o", folder + "/out"])
        let emptyLine = try #require(empty.errorLines.first, "\(empty.stderr)")
        #expect(emptyLine.components(separatedBy: "/art").count == 2, "named once: \(emptyLine)")
        #expect(emptyLine.contains("no audio files"))
    }
}
