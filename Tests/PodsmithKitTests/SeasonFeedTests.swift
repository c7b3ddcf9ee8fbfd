import Foundation
import PodsmithTestSupport
import Testing

@testable import PodsmithCodecs
@testable import PodsmithKit
@testable import PodsmithSeason

/// The season's `feed.xml` as Podcasting 2.0 and Apple want it: a stable podcast guid, item guids that
/// never change once published, every format as an alternate enclosure with its integrity hash, and
/// no guessed or empty channel fields.
@Suite struct SeasonFeedTests {
    static func feed(_ out: String) throws -> XMLTree {
        try XMLTree.parse(try String(contentsOfFile: out + "/feed.xml", encoding: .utf8))
    }

    static func publish(_ manifest: String, _ out: String) throws -> SeasonPublisher.Outcome {
        try SeasonPublisher.publish(plan: try SeasonPlan.load(path: manifest), outputDirectory: out, generatedAt: nil)
    }

    @Test func feedCarriesItsGUIDSelfLinkAndEveryFormatWithItsIntegrity() throws {
        let f = try SeasonFixture()
        let manifest = try f.manifest(episodes: 2)
        _ = try runSeason(manifest, out: f.out, processor: FakeProcessor())
        _ = try Self.publish(manifest, f.out)
        let channel = try #require(try Self.feed(f.out).all("channel").first)
        // base_url https://example.com/audio/ → feed https://example.com/audio/feed.xml.
        let expectedGUID = PodcastGUID.forFeedURL("example.com/audio/feed.xml")
        #expect(channel.childText("podcast:guid") == expectedGUID)
        let link = try #require(channel.children("atom:link").first)
        #expect(link.attributes["href"] == "https://example.com/audio/feed.xml" && link.attributes["rel"] == "self")
        for item in channel.children("item") {
            let alternates = item.children("podcast:alternateEnclosure")
            #expect(alternates.map { $0.attributes["type"] } == ["audio/mpeg", "audio/ogg; codecs=opus"])
            #expect(alternates.map { $0.attributes["default"] } == ["true", nil])
            #expect(alternates.map { $0.attributes["bitrate"] } == ["128000", "48000"])
            for alternate in alternates {
                let uri = try #require(alternate.children("podcast:source").first?.attributes["uri"])
                let file = f.out + "/" + (uri.split(separator: "/").last.map(String.init) ?? "")
                #expect(
                    alternate.attributes["length"] == String(try Data(contentsOf: URL(fileURLWithPath: file)).count))
                // The integrity value, recomputed by coreutils and base64 (an implementation that is not ours).
                let sum = try ExternalTools.run(
                    "sh", ["-c", "sha256sum -b \"$0\" | cut -c1-64 | xxd -r -p | base64", file])
                let integrity = alternate.children("podcast:integrity").first?.attributes["value"]
                #expect(integrity == "sha256-" + sum.stdout.trimmingCharacters(in: .whitespacesAndNewlines))
            }
            #expect(item.childText("guid")?.hasPrefix(expectedGUID + "/raw/ep0") == true)
        }
    }

    @Test func publishedGUIDsSurviveAMoveToAnotherBaseURL() throws {
        let f = try SeasonFixture()
        let manifest = try f.manifest(episodes: 3)
        _ = try runSeason(manifest, out: f.out, processor: FakeProcessor())
        _ = try Self.publish(manifest, f.out)
        let before = try Self.feed(f.out).all("item").map { $0.childText("guid") }
        // The files move to a CDN; the manifest says so.
        let text = try String(contentsOfFile: manifest, encoding: .utf8)
        try text.replacingOccurrences(of: "https://example.com/audio/", with: "https://cdn.example.net/show/")
            .write(toFile: manifest, atomically: true, encoding: .utf8)
        _ = try Self.publish(manifest, f.out)
        let feed = try Self.feed(f.out)
        #expect(feed.all("item").map { $0.childText("guid") } == before)
        #expect(
            feed.all("enclosure").allSatisfy {
                $0.attributes["url"]?.hasPrefix("https://cdn.example.net/show/") == true
            })
    }

    @Test func anEpisodesOwnGUIDWins() throws {
        let f = try SeasonFixture()
        let manifest = try f.manifest(episodes: 2, extra: [1: "    guid: tag:example.com,2020:episode-2\n"])
        _ = try runSeason(manifest, out: f.out, processor: FakeProcessor())
        _ = try Self.publish(manifest, f.out)
        let guids = try Self.feed(f.out).all("item").compactMap { $0.childText("guid") }
        #expect(guids.contains("tag:example.com,2020:episode-2"))
    }

    @Test func noLanguageOrOwnerMeansNoElementAndAWarningNotAGuess() throws {
        let f = try SeasonFixture()
        try f.writeRaw("a.wav", seed: 1)
        let manifest = try f.write(
            "season.yml",
            "show: {title: T, podcast_guid: 917393E3-1B1E-5CEF-ACE4-EDAA54E1F810, locked: true, copyright: © 2026 T}\n"
                + "episodes: [{file: raw/a.wav}]\n")
        _ = try runSeason(manifest, out: f.out, processor: FakeProcessor())
        let outcome = try Self.publish(manifest, f.out)
        let channel = try #require(try Self.feed(f.out).all("channel").first)
        #expect(channel.children("language").isEmpty)
        #expect(channel.children("itunes:author").isEmpty && channel.children("itunes:owner").isEmpty)
        #expect(outcome.warnings.contains { $0.contains("show.language") })
        #expect(outcome.warnings.contains { $0.contains("show.owner_email") })
        #expect(channel.childText("podcast:guid") == "917393e3-1b1e-5cef-ace4-edaa54e1f810")
        #expect(channel.childText("podcast:locked") == "yes")
        #expect(channel.childText("copyright") == "© 2026 T")
        // No URL at all: no self link, the stem-based guid.
        #expect(channel.children("atom:link").isEmpty)
    }

    @Test func aPodcastGUIDThatIsNotAUUIDIsAManifestIssue() throws {
        let f = try SeasonFixture()
        try f.writeRaw("a.wav", seed: 1)
        let manifest = try f.write(
            "season.yml", "show: {title: T, podcast_guid: not-a-uuid}\nepisodes: [{file: raw/a.wav}]\n")
        #expect(throws: ManifestValidationError.self) { try SeasonPlan.load(path: manifest) }
    }

    /// Two podcast apps' own parsers (gPodder's podcastparser, feedparser) read every episode back.
    @Test func realPodcastParsersReadEveryEpisodeEnclosureAndTranscriptLink() throws {
        let f = try SeasonFixture()
        let manifest = try f.manifest(episodes: 3)
        _ = try runSeason(manifest, out: f.out, processor: FakeProcessor())
        _ = try Self.publish(manifest, f.out)
        let script = """
            import json, sys, podcastparser, feedparser
            path = sys.argv[1]
            with open(path, 'rb') as fh:
                pp = podcastparser.parse('https://example.com/audio/feed.xml', fh)
            fp = feedparser.parse(path)
            print(json.dumps({
                'pp_titles': [e['title'] for e in pp['episodes']],
                'pp_enclosures': [e['enclosures'][0]['url'] for e in pp['episodes']],
                'pp_sizes': [e['enclosures'][0]['file_size'] for e in pp['episodes']],
                'fp_bozo': int(fp.bozo),
                'fp_titles': [e.title for e in fp.entries],
                'fp_guids': [e.id for e in fp.entries],
            }))
            """
        let read = try ExternalTools.python(script, [f.out + "/feed.xml"])
        let feed = try Self.feed(f.out)
        let titles = feed.all("item").compactMap { $0.childText("title") }
        #expect(read["pp_titles"] as? [String] == titles)
        #expect(read["fp_titles"] as? [String] == titles)
        #expect(read["fp_bozo"] as? Int == 0)
        #expect(read["fp_guids"] as? [String] == feed.all("item").compactMap { $0.childText("guid") })
        #expect(
            (read["pp_enclosures"] as? [String])?.allSatisfy { $0.hasPrefix("https://example.com/audio/ep0") } == true)
        let sizes = feed.all("enclosure").compactMap { $0.attributes["length"].flatMap(Int.init) }
        #expect(read["pp_sizes"] as? [Int] == sizes)
    }

    @Test func chapterTimestampsAreAppendedToTheNotesUnlessTheyHaveTheirOwn() throws {
        let list = ChapterList(chapters: [
            Chapter(startTime: 0, title: "Intro"), Chapter(startTime: 754.9, title: "Interview"),
            Chapter(startTime: 3725, title: "Outro"), Chapter(startTime: 800, title: "image only", toc: false),
        ])
        #expect(
            ChapterNotes.appending(list, to: "Notes.\n")
                == "Notes.\n\n00:00:00 Intro\n00:12:34 Interview\n01:02:05 Outro")
        #expect(ChapterNotes.appending(list, to: "") == "00:00:00 Intro\n00:12:34 Interview\n01:02:05 Outro")
        let own = "Notes.\n0:00 Start\n12:30 Talk"
        #expect(ChapterNotes.appending(list, to: own) == own)
        #expect(!ChapterNotes.hasTimestampLines("Meet at 10 then 12:3"))
    }

    @Test func publishedNotesCarryTheChaptersAndFoldedDescriptionsAreTrimmed() throws {
        let f = try SeasonFixture()
        let manifest = try f.manifest(episodes: 2, extra: [0: "    description: >\n      Folded\n      text.\n"])
        _ = try runSeason(manifest, out: f.out, processor: FakeProcessor())
        let chapters = ChapterList(chapters: [
            Chapter(startTime: 0, title: "Intro"), Chapter(startTime: 61, title: "Talk"),
        ])
        try chapters.jsonData().write(to: URL(fileURLWithPath: f.out + "/ep01.chapters.json"))
        _ = try Self.publish(manifest, f.out)
        let items = try Self.feed(f.out).all("item")
        let first = try #require(items.first { $0.childText("title") == "Episode 1" })
        #expect(first.childText("description") == "Folded text.\n\n00:00:00 Intro\n00:01:01 Talk")
        let text = try String(contentsOfFile: manifest, encoding: .utf8)
        try text.replacingOccurrences(of: "show:\n", with: "show:\n  chapters_in_notes: false\n")
            .write(toFile: manifest, atomically: true, encoding: .utf8)
        _ = try Self.publish(manifest, f.out)
        let again = try Self.feed(f.out).all("item").first { $0.childText("title") == "Episode 1" }
        #expect(again?.childText("description") == "Folded text.")
    }
}
