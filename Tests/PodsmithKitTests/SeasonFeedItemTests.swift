import Foundation
import PodsmithTestSupport
import Testing

@testable import PodsmithCodecs
@testable import PodsmithKit
@testable import PodsmithSeason

/// What each feed item carries besides its audio: its own artwork, a publication date that never moves,
/// soundbites in the published file's time, and categories Apple files the show under.
@Suite struct SeasonFeedItemTests {
    static func publish(_ manifest: String, _ out: String, now: Date = Date()) throws -> SeasonPublisher.Outcome {
        try SeasonPublisher.publish(
            plan: try SeasonPlan.load(path: manifest), outputDirectory: out, generatedAt: nil, now: now)
    }

    static func items(_ out: String) throws -> [XMLTree] {
        try XMLTree.parse(try String(contentsOfFile: out + "/feed.xml", encoding: .utf8)).all("item")
    }

    @Test func episodeArtworkIsCopiedBesideTheAudioAndNamedByTheItemsImage() throws {
        let f = try SeasonFixture()
        // Episode 2 has its own (too small) artwork; episode 1 shows the show's.
        let art = Fixtures.png(width: 600, height: 600)
        try Data(art).write(to: URL(fileURLWithPath: f.root + "/ep2.png"))
        let manifest = try f.manifest(episodes: 2, extra: [1: "    artwork: ep2.png\n"])
        _ = try runSeason(manifest, out: f.out, processor: FakeProcessor())
        let outcome = try Self.publish(manifest, f.out)

        #expect(FileManager.default.contents(atPath: f.out + "/ep02.artwork.png") == Data(art))
        let byNumber = Dictionary(
            uniqueKeysWithValues: try Self.items(f.out).map { ($0.childText("itunes:episode"), $0) })
        let second = try #require(byNumber["2"])
        #expect(
            second.children("itunes:image").first?.attributes["href"]
                == "https://example.com/audio/ep02.artwork.png")
        #expect(byNumber["1"]?.children("itunes:image").isEmpty == true)
        // Apple wants 1400–3000 px: the publisher says so instead of letting Apple refuse the feed.
        #expect(outcome.warnings.contains { $0.contains("ep2.png") && $0.contains("artwork.dimensions") })
    }

    @Test func undatedEpisodeKeepsTheDateItWasFirstPublished() throws {
        let f = try SeasonFixture()
        try f.writeRaw("a.wav", seed: 3)
        let manifest = try f.write(
            "season.yml",
            "show: {title: T, language: en, owner_email: o@example.com}\nepisodes: [{file: raw/a.wav}]\n")
        _ = try runSeason(manifest, out: f.out, processor: FakeProcessor())
        let first = Date(timeIntervalSince1970: 1_790_000_000)
        _ = try Self.publish(manifest, f.out, now: first)
        let published = try #require(try Self.items(f.out).first?.childText("pubDate"))
        #expect(PublicationDate.parse(published) == first)

        // A day later the input is touched and the feed rebuilt: the date stays.
        try f.touch(f.raw + "/a.wav", secondsAgo: 0)
        _ = try Self.publish(manifest, f.out, now: first.addingTimeInterval(86_400))
        #expect(try Self.items(f.out).first?.childText("pubDate") == published)

        // Without the ledger (a folder published by an older version), the feed's own date is kept.
        try FileManager.default.removeItem(atPath: f.out + "/.podsmith/" + PublicationLedger.fileName)
        _ = try Self.publish(manifest, f.out, now: first.addingTimeInterval(2 * 86_400))
        #expect(try Self.items(f.out).first?.childText("pubDate") == published)
    }

    @Test func soundbitesAreRetimedThroughTheCutsOfTheirEpisode() throws {
        let f = try SeasonFixture()
        try f.writeRaw("a.wav", seed: 4, count: 100_000)  // 100 s of audio for the fake processor
        let manifest = try f.write(
            "season.yml",
            """
            show: {title: T, language: en, owner_email: o@example.com}
            episodes:
              - file: raw/a.wav
                date: 2026-11-01
                soundbites:
                  - {start: 30, duration: 20, title: "The quote"}
                  - {start: 2, duration: 15}
                  - {start: 80, duration: 15}

            """)
        // 5 s trimmed at the head, a 4 s pause cut at 40–44 s, the tail cut from 85 s.
        let cuts = [
            TimeSpan(startSeconds: 0, endSeconds: 5), TimeSpan(startSeconds: 40, endSeconds: 44),
            TimeSpan(startSeconds: 85, endSeconds: 100),
        ]
        _ = try runSeason(manifest, out: f.out, processor: FakeProcessor(cuts: cuts))
        let outcome = try Self.publish(manifest, f.out)
        let bites = try #require(try Self.items(f.out).first).children("podcast:soundbite")
        #expect(bites.map { $0.attributes["startTime"] } == ["25", "0", "71"])
        // 30–50 s loses the 4 s pause; 2–17 s loses the 3 s before the head trim; 80–95 s is cut at 85 s.
        #expect(bites.map { $0.attributes["duration"] } == ["16", "12", "5"])
        #expect(bites.first?.text == "The quote")
        #expect(outcome.warnings.isEmpty, "\(outcome.warnings)")

        // Without recorded cuts (an older processor) they are left out, with a warning.
        _ = try runSeason(manifest, out: f.out, force: true, processor: FakeProcessor())
        let older = try Self.publish(manifest, f.out)
        #expect(try #require(try Self.items(f.out).first).children("podcast:soundbite").isEmpty)
        #expect(older.warnings.contains { $0.contains("soundbites left out") })
    }

    @Test func soundbiteInsideACutIsLeftOut() {
        let bite = Soundbite(startSeconds: 10, durationSeconds: 20)
        #expect(bite.retimed(removing: [TimeSpan(startSeconds: 5, endSeconds: 40)], outputDuration: 100) == nil)
        #expect(
            bite.retimed(removing: [], outputDuration: 100) == Soundbite(startSeconds: 10, durationSeconds: 20))
    }

    @Test func soundbitesOutsideFifteenToHundredTwentySecondsAreManifestIssues() throws {
        let f = try SeasonFixture()
        try f.writeRaw("a.wav", seed: 5)
        let manifest = try f.write(
            "season.yml",
            "show: {title: T}\nepisodes: [{file: raw/a.wav, soundbites: [{start: 1, duration: 5}, {duration: 20}]}]\n")
        let error = try #require(throws: ManifestValidationError.self) { try SeasonPlan.load(path: manifest) }
        let text = "\(error)"
        #expect(text.contains("episodes[0].soundbites[0].duration") && text.contains("15–120"))
        #expect(text.contains("episodes[0].soundbites[1].start"))
    }

    @Test(arguments: [
        ("Tech", "not an Apple Podcasts category"),
        ("technology", "spelt 'Technology'"),
        ("Books", "write 'Arts > Books'"),
        ("Arts > Literature", "not a subcategory of Arts"),
        ("News > Daily News > Today", "more than one '>'"),
    ])
    func categoryOutsideApplesListIsAManifestIssue(category: String, message: String) throws {
        let f = try SeasonFixture()
        try f.writeRaw("a.wav", seed: 6)
        let manifest = try f.write(
            "season.yml", "show: {title: T, categories: [\"\(category)\"]}\nepisodes: [{file: raw/a.wav}]\n")
        let error = try #require(throws: ManifestValidationError.self) { try SeasonPlan.load(path: manifest) }
        #expect("\(error)".contains("show.categories[0]") && "\(error)".contains(message), "\(error)")
    }

    @Test func everyCategoryOfApplesListIsAccepted() throws {
        #expect(ApplePodcastCategories.list.count == 19)
        #expect(ApplePodcastCategories.list.values.map(\.count).reduce(19, +) == 110)
        for (category, subcategories) in ApplePodcastCategories.list {
            #expect(ApplePodcastCategories.problem(category: category, subcategory: nil) == nil)
            for sub in subcategories {
                #expect(ApplePodcastCategories.problem(category: category, subcategory: sub) == nil)
            }
        }
    }
}
