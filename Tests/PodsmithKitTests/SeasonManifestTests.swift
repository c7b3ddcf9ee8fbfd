import Foundation
import PodsmithTestSupport
import Testing

@testable import PodsmithCodecs
@testable import PodsmithCore
@testable import PodsmithKit
@_spi(ManifestReading) @testable import PodsmithSeason

@Suite struct SeasonManifestTests {
    private func issues(_ manifest: String) -> [ManifestIssue] {
        do {
            _ = try SeasonPlan.load(path: manifest)
            return []
        } catch {
            return error.issues
        }
    }

    private func issue(at path: String, in list: [ManifestIssue]) -> ManifestIssue? {
        list.first { $0.path == path }
    }

    @Test func yamlManifestResolvesDefaultsOverridesAndPaths() throws {
        let f = try SeasonFixture()
        try f.writeRaw("ep01.wav", seed: 1)
        try f.writeRaw("sub/ep02.flac", seed: 2)
        try f.write("art/cover.jpg", "jpeg")
        try f.write("ch/ep02.json", "{}")
        let path = try f.write(
            "season.yaml",
            """
            show:
              title: My Show
              author: Ann Author
              owner_email: ann@example.org
              language: en-GB
              categories: [Technology, "Arts > Books"]
              explicit: yes
              artwork: art/cover.jpg
              base_url: https://cdn.example.org/show/
            defaults:
              preset: spotify
              formats: [mp3@96k, opus]
              bitrate: 40k
              trim: true
              max_pause: 1.5
            naming: title
            episodes:
              - file: raw/ep01.wav
                title: "Hello, World: Part 1"
                number: 1
                season: 2
                date: 2026-11-27
              - file: ./raw//sub/ep02.flac
                title: Second
                date: "Fri, 04 Dec 2026 06:30:00 +0100"
                chapters: ch/ep02.json
                output: custom name
                overrides:
                  preset: aes-speech
                  true_peak: -2
                  formats: [flac]
                  max_pause: off
            """)
        let plan = try SeasonPlan.load(path: path)
        #expect(plan.show.title == "My Show")
        #expect(plan.show.categories == ["Technology", "Arts > Books"])
        #expect(plan.show.explicit)
        #expect(plan.jobs.count == 2)
        let first = plan.jobs[0], second = plan.jobs[1]
        #expect(first.identity == "raw/ep01.wav")
        #expect(first.inputPath == (f.raw as NSString).appendingPathComponent("ep01.wav"))
        #expect(first.outputStem == "hello-world-part-1")
        #expect(
            first.outputs == [OutputSpec(format: .mp3, bitrateKbps: 96), OutputSpec(format: .opus, bitrateKbps: 40)])
        #expect(first.target == LoudnessPreset.spotify.target)
        #expect(first.trimSilence)
        #expect(first.tuning[.maxPause] == 1.5)
        #expect(first.metadata.album == "My Show")
        #expect(first.metadata.artist == "Ann Author")
        #expect(first.metadata.season == 2)
        #expect(first.metadata.artworkPath == (f.root as NSString).appendingPathComponent("art/cover.jpg"))
        var utc = Calendar(identifier: .gregorian)
        utc.timeZone = TimeZone(identifier: "UTC")!
        #expect(first.metadata.date == utc.date(from: DateComponents(year: 2026, month: 11, day: 27)))
        #expect(second.identity == "raw/sub/ep02.flac")
        #expect(second.outputStem == "custom name")
        #expect(second.outputs == [OutputSpec(format: .flac)])
        #expect(second.target == LoudnessTarget(integratedLUFS: -18, truePeakDBTP: -2))
        #expect(second.tuning[.maxPause] == nil)
        #expect(
            second.metadata.date == utc.date(from: DateComponents(year: 2026, month: 12, day: 4, hour: 5, minute: 30)))
        #expect(second.metadata.chaptersPath == (f.root as NSString).appendingPathComponent("ch/ep02.json"))
    }

    @Test func jsonManifestGivesTheSameJobsAsYaml() throws {
        let f = try SeasonFixture()
        try f.writeRaw("a.wav", seed: 1)
        let yaml = try f.write(
            "s.yml",
            """
            show: {title: Show, explicit: false}
            defaults: {formats: [mp3@128k], target: -17}
            episodes:
              - {file: raw/a.wav, title: A, number: 3, date: "2026-01-02T03:04:05Z"}
            """)
        let json = try f.write(
            "s.json",
            """
            {"show": {"title": "Show", "explicit": false},
             "defaults": {"formats": ["mp3@128k"], "target": -17},
             "episodes": [{"file": "raw/a.wav", "title": "A", "number": 3, "date": "2026-01-02T03:04:05Z"}]}
            """)
        let fromYAML = try SeasonPlan.load(path: yaml), fromJSON = try SeasonPlan.load(path: json)
        #expect(fromYAML.jobs == fromJSON.jobs)
        #expect(fromYAML.jobs[0].target.integratedLUFS == -17)
        #expect(fromYAML.jobs[0].settingsFingerprint == fromJSON.jobs[0].settingsFingerprint)
    }

    @Test func unknownKeysAreReportedWithKeyPathsAndSuggestions() throws {
        let f = try SeasonFixture()
        let path = try f.manifest(
            episodes: 2, defaults: "  formats: [mp3]\n  bitrat: 96k\n",
            extra: [1: "    titel: Oops\n"])
        let found = issues(path)
        #expect(issue(at: "episodes[1].titel", in: found)?.message.contains("did you mean 'title'") == true)
        #expect(issue(at: "defaults.bitrat", in: found)?.message.contains("did you mean 'bitrate'") == true)
        #expect(found.count == 2)
    }

    @Test func missingFilesAreReportedWithKeyPaths() throws {
        let f = try SeasonFixture()
        let path = try f.manifest(episodes: 3, extra: [2: "    chapters: ch/missing.json\n"])
        try FileManager.default.removeItem(atPath: (f.raw as NSString).appendingPathComponent("ep02.wav"))
        let found = issues(path)
        #expect(issue(at: "episodes[1].file", in: found)?.message.hasPrefix("no such file") == true)
        #expect(issue(at: "episodes[2].chapters", in: found)?.message.hasPrefix("no such file") == true)
        #expect(found.count == 2)
        #expect(ManifestValidationError(found).onlyMissingFiles)
    }

    @Test func duplicateOutputNamesAreReported() throws {
        let f = try SeasonFixture()
        try f.writeRaw("a/ep.wav", seed: 1)
        try f.writeRaw("b/EP.flac", seed: 2)
        try f.writeRaw("c.wav", seed: 3)
        try f.writeRaw("d.wav", seed: 4)
        let path = try f.write(
            "s.yml",
            """
            show: {title: S}
            naming: title
            episodes:
              - {file: raw/a/ep.wav, output: ep}
              - {file: raw/b/EP.flac, output: EP}
              - {file: raw/c.wav, title: "Same Title!"}
              - {file: raw/d.wav, title: "same   title"}
              - {file: raw/c.wav, output: other}
            """)
        let found = issues(path)
        #expect(issue(at: "episodes[1].output", in: found)?.message.contains("episodes[0]") == true)
        #expect(issue(at: "episodes[3].title", in: found)?.message.contains("same-title") == true)
        #expect(issue(at: "episodes[4].file", in: found)?.message.contains("episodes[2]") == true)
        #expect(found.count == 3)
    }

    @Test(arguments: [
        "2026-02-30", "2026-13-01", "2026-11-27T24:00:00Z", "next friday", "27/11/2026",
        "Fri, 31 Nov 2026 10:00:00 +0000", "2026-11-27T10:00:00+25:00",
    ])
    func badDatesAreReportedWithKeyPaths(date: String) throws {
        let f = try SeasonFixture()
        let path = try f.manifest(episodes: 2)
        var yaml = try String(contentsOfFile: path, encoding: .utf8)
        yaml = yaml.replacingOccurrences(of: "date: 2026-02-15", with: "date: \"\(date)\"")
        try yaml.write(toFile: path, atomically: true, encoding: .utf8)
        let found = issues(path)
        #expect(found.map(\.path) == ["episodes[1].date"])
    }

    @Test func everyProblemIsListedAtOnceAndNothingIsWritten() throws {
        let f = try SeasonFixture()
        try f.writeRaw("a.wav", seed: 1)
        let path = try f.write(
            "s.yml",
            """
            show:
              owner_email: not-an-address
              base_url: ftp://example.com
            defaults:
              preset: loud
              formats: [mp3@999k, flac@128k, aac, mp3]
              target: 5
              bitrate: 1000k
              max_pause: forever
            episodes:
              - {file: raw/a.wav, number: one, date: yesterday}
              - {file: raw/missing.wav}
              - title: no file
              - just text
            extra: 1
            """)
        let found = issues(path)
        let paths = Set(found.map(\.path))
        for expected in [
            "show.title", "show.owner_email", "show.base_url", "defaults.preset", "defaults.formats[0]",
            "defaults.formats[1]", "defaults.formats[2]", "defaults.target", "defaults.bitrate", "defaults.max_pause",
            "episodes[0].number",
            "episodes[0].date", "episodes[1].file", "episodes[2].file", "episodes[3]", "extra",
        ] {
            #expect(paths.contains(expected), "missing issue at \(expected); got \(found)")
        }
        #expect(!FileManager.default.fileExists(atPath: f.out))
    }

    @Test(arguments: ["", "::", "- [", "{a: [}", "\t\t:", "&a *a", "a: *b", "? [\n", "show: [1, 2", "%YAML 9\n---\n"])
    func malformedYamlIsAnErrorNotACrash(text: String) throws {
        let f = try SeasonFixture()
        let path = try f.write("s.yml", text)
        let found = issues(path)
        #expect(!found.isEmpty)
    }

    @Test func malformedJsonIsAnError() throws {
        let f = try SeasonFixture()
        let found = issues(try f.write("s.json", "{\"show\": {\"title\": \"x\"},"))
        #expect(found.count == 1)
        #expect(found[0].message.contains("not valid JSON"))
    }

    @Test func outputSpecsParseBitratesAndRejectNonsense() throws {
        #expect(try OutputSpec(parsing: "mp3") == OutputSpec(format: .mp3))
        #expect(try OutputSpec(parsing: "MP3@128k") == OutputSpec(format: .mp3, bitrateKbps: 128))
        #expect(try OutputSpec(parsing: "opus@48k") == OutputSpec(format: .opus, bitrateKbps: 48))
        #expect(try OutputSpec(parsing: "opus@48") == OutputSpec(format: .opus, bitrateKbps: 48))
        #expect(OutputSpec(format: .opus, bitrateKbps: 48).description == "opus@48k")
        for bad in ["flac@128k", "mp3@", "mp3@fast", "mp3@1000k", "ogg-vorbis", "opus@2k"] {
            #expect(throws: OutputSpecError.self, "\(bad)") { try OutputSpec(parsing: bad) }
        }
    }

    @Test func directoryModeTakesEveryAudioFileSortedWithMp3Output() throws {
        let f = try SeasonFixture()
        try f.writeRaw("b_second.flac", seed: 2)
        try f.writeRaw("a_first.wav", seed: 1)
        try f.writeRaw("c.mp3", seed: 3)
        try f.writeRaw("notes.txt", seed: 4)
        try f.writeRaw(".hidden.wav", seed: 5)
        let plan = try SeasonPlan.directory(f.raw, titleReader: { $0.hasSuffix("c.mp3") ? "Tagged Title" : nil })
        #expect(plan.jobs.map(\.identity) == ["a_first.wav", "b_second.flac", "c.mp3"])
        #expect(plan.jobs.map(\.metadata.title) == ["a first", "b second", "Tagged Title"])
        #expect(plan.jobs.map(\.outputStem) == ["a_first", "b_second", "c"])
        #expect(
            plan.jobs.allSatisfy {
                $0.outputs == [OutputSpec(format: .mp3)] && $0.target == LoudnessPreset.podcast.target
            })
        #expect(plan.show.title == "raw")
        // Publishing c.mp3 into its own folder would overwrite it.
        #expect(plan.problems(outputDirectory: f.raw).map(\.path) == ["c.mp3"])
        #expect(plan.problems(outputDirectory: f.out).isEmpty)
    }

    @Test func directoryModeReportsFilesSharingAStem() throws {
        let f = try SeasonFixture()
        try f.writeRaw("talk.wav", seed: 1)
        try f.writeRaw("Talk.flac", seed: 2)
        #expect(throws: ManifestValidationError.self) { try SeasonPlan.directory(f.raw, titleReader: { _ in nil }) }
    }

    @Test func fingerprintChangesWithEverySettingThatShapesTheOutput() throws {
        let job = EpisodeJob(
            identity: "a.wav", index: 0, inputPath: "/x/a.wav", outputStem: "a",
            outputs: [OutputSpec(format: .mp3, bitrateKbps: 128)], metadata: EpisodeDescription(title: "A"))
        var variants: [EpisodeJob] = []
        var v = job
        v.outputs = [OutputSpec(format: .mp3, bitrateKbps: 96)]
        variants.append(v)
        v = job
        v.target.integratedLUFS = -18
        variants.append(v)
        v = job
        v.target.truePeakDBTP = -2
        variants.append(v)
        v = job
        v.trimSilence = true
        variants.append(v)
        v = job
        v.tuning[.maxPause] = 2
        variants.append(v)
        v = job
        v.metadata.title = "B"
        variants.append(v)
        v = job
        v.metadata.number = 4
        variants.append(v)
        v = job
        v.outputStem = "b"
        variants.append(v)
        let prints = Set(variants.map(\.settingsFingerprint) + [job.settingsFingerprint])
        #expect(prints.count == variants.count + 1)
        var moved = job
        moved.inputPath = "/elsewhere/a.wav"
        #expect(moved.settingsFingerprint == job.settingsFingerprint)
    }
}

@Suite struct SeasonDocumentationTests {
    private static let docs = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("docs")

    @Test func exampleManifestHasNoProblemButItsMissingAudio() throws {
        let path = Self.docs.appendingPathComponent("season.example.yml").path
        do {
            _ = try SeasonManifest.load(path: path)
            Issue.record("the example's files do not exist, so loading it must report them")
        } catch {
            #expect(!error.issues.isEmpty)
            for issue in error.issues {
                #expect(issue.message.hasPrefix("no such file"), "\(issue)")
            }
        }
    }

    @Test func referenceTableListsExactlyTheKnownKeys() throws {
        let text = try String(contentsOf: Self.docs.appendingPathComponent("season.md"), encoding: .utf8)
        var documented: Set<String> = []
        for line in text.split(separator: "\n") where line.hasPrefix("| `") {
            let cell = line.dropFirst(3).prefix { $0 != "`" }
            documented.insert(String(cell))
        }
        let known = Set(
            ManifestReader.topKeys + ManifestReader.showKeys.map { "show.\($0)" }
                + ManifestReader.settingsKeys + ManifestReader.episodeKeys.map { "episodes[].\($0)" })
        let fileRows = documented.filter {
            $0.contains("STEM") || $0.contains("report.json") || $0.hasPrefix(".podsmith")
        }
        #expect(documented.subtracting(fileRows) == known)
    }
}
