import Foundation
import PodsmithTestSupport
import Testing

@testable import PodsmithCodecs
@testable import PodsmithCore
@testable import PodsmithKit
@testable import PodsmithSeason

@Suite struct PodcastFeedBuilderTests {
    static let show = PodcastShow(
        title: "Rock & Roll <Live> \"Sessions\"", author: "A. Host", ownerName: "Owner",
        ownerEmail: "owner@example.org",
        description: "Talk about R&D; and <b>bold</b> claims", language: "en",
        categories: [PodcastCategory("Technology"), PodcastCategory("Arts", subcategory: "Books")],
        explicit: false, artworkURL: "https://example.org/art.jpg?size=3000&v=2", link: "https://example.org/")

    static func episode(_ n: Int, bytes: Int64, seconds: Double, chapters: String? = nil) -> PodcastEpisode {
        PodcastEpisode(
            title: "Episode \(n): Q&A <special> \"quoted\" 'single'", guid: "urn:podsmith:ep\(n)",
            pubDate: Date(timeIntervalSince1970: 1_700_000_000 + Double(n) * 86_400),
            description: "Part \(n) & more",
            enclosure: FeedEnclosure(
                fileName: "ep\(n) final.mp3", byteSize: bytes,
                mimeType: OutputFormat.mp3.mimeType),
            durationSeconds: seconds, episodeNumber: n, seasonNumber: 2, chaptersFileName: chapters)
    }

    @Test func feedParsesBackWithExactEnclosureLengthsAndWholeSecondDurations() throws {
        var show = Self.show
        show.baseURL = "https://cdn.example.org/media"
        let episodes = [
            Self.episode(1, bytes: 48_123_457, seconds: 3723.4),
            Self.episode(2, bytes: 5_000_000_001, seconds: 59.6),
        ]
        let xml = PodcastFeedBuilder.render(show: show, episodes: episodes)
        let rss = try XMLTree.parse(xml)
        #expect(rss.name == "rss")
        #expect(rss.attributes["version"] == "2.0")
        #expect(rss.attributes["xmlns:itunes"] == "http://www.itunes.com/dtds/podcast-1.0.dtd")
        #expect(rss.attributes["xmlns:podcast"] == "https://podcastindex.org/namespace/1.0")
        let items = rss.all("item")
        try #require(items.count == 2)
        let enclosure1 = try #require(items[0].children("enclosure").first)
        #expect(enclosure1.attributes["length"] == "48123457")
        #expect(enclosure1.attributes["type"] == "audio/mpeg")
        #expect(enclosure1.attributes["url"] == "https://cdn.example.org/media/ep1%20final.mp3")
        #expect(items[0].childText("itunes:duration") == "3723")
        #expect(items[1].children("enclosure").first?.attributes["length"] == "5000000001")
        #expect(items[1].childText("itunes:duration") == "60")
        #expect(items[0].childText("itunes:episode") == "1")
        #expect(items[0].childText("itunes:season") == "2")
        #expect(items[0].childText("guid") == "urn:podsmith:ep1")
        #expect(items[0].childText("pubDate")?.hasSuffix("+0000") == true)
    }

    @Test func enclosureAndChapterURLsAreRelativeWithoutBaseURL() throws {
        let xml = PodcastFeedBuilder.render(
            show: Self.show,
            episodes: [Self.episode(3, bytes: 10, seconds: 1, chapters: "ep3.chapters.json")])
        let item = try #require(try XMLTree.parse(xml).all("item").first)
        #expect(item.children("enclosure").first?.attributes["url"] == "ep3%20final.mp3")
        #expect(item.children("podcast:chapters").first?.attributes["url"] == "ep3.chapters.json")
    }

    @Test func chaptersElementLinksTheJSONChaptersWithBaseURL() throws {
        var show = Self.show
        show.baseURL = "https://cdn.example.org/media/"
        let xml = PodcastFeedBuilder.render(
            show: show,
            episodes: [
                Self.episode(4, bytes: 10, seconds: 1, chapters: "ep4.chapters.json"),
                Self.episode(5, bytes: 10, seconds: 1),
            ])
        let items = try XMLTree.parse(xml).all("item")
        let chapters = try #require(items[0].children("podcast:chapters").first)
        #expect(chapters.attributes["url"] == "https://cdn.example.org/media/ep4.chapters.json")
        #expect(chapters.attributes["type"] == "application/json+chapters")
        #expect(items[1].children("podcast:chapters").isEmpty)
    }

    @Test func titlesWithAmpersandsAnglesAndQuotesSurviveEscaping() throws {
        let xml = PodcastFeedBuilder.render(show: Self.show, episodes: [Self.episode(7, bytes: 1, seconds: 1)])
        let rss = try XMLTree.parse(xml)
        let channel = try #require(rss.children("channel").first)
        #expect(channel.childText("title") == Self.show.title)
        #expect(channel.childText("description") == Self.show.description)
        #expect(channel.children("itunes:image").first?.attributes["href"] == Self.show.artworkURL)
        let item = try #require(channel.children("item").first)
        #expect(item.childText("title") == Self.episode(7, bytes: 1, seconds: 1).title)
        #expect(item.childText("description") == "Part 7 & more")
    }

    @Test func controlCharactersForbiddenInXMLAreDroppedSoTheFeedStillParses() throws {
        var episode = Self.episode(8, bytes: 1, seconds: 1)
        episode.title = "Bell\u{07} and\u{0B} tab\tkept"
        let xml = PodcastFeedBuilder.render(show: Self.show, episodes: [episode])
        let item = try #require(try XMLTree.parse(xml).all("item").first)
        #expect(item.childText("title") == "Bell and tab\tkept")
    }

    @Test func channelCarriesAppleTagsAndCategories() throws {
        let rss = try XMLTree.parse(PodcastFeedBuilder.render(show: Self.show, episodes: []))
        let channel = try #require(rss.children("channel").first)
        #expect(channel.childText("itunes:author") == "A. Host")
        #expect(channel.childText("itunes:explicit") == "false")
        #expect(channel.childText("language") == "en")
        let owner = try #require(channel.children("itunes:owner").first)
        #expect(owner.childText("itunes:email") == "owner@example.org")
        let categories = channel.children("itunes:category")
        #expect(categories.map { $0.attributes["text"] } == ["Technology", "Arts"])
        #expect(categories[1].children("itunes:category").first?.attributes["text"] == "Books")
    }

    @Test func enclosureIsTheFirstListedOutputWithItsExactSize() throws {
        let outputs = [
            ReportOutputFile(file: "e1.opus", format: "opus", sizeBytes: 777),
            ReportOutputFile(file: "e1.mp3", format: "mp3", sizeBytes: 999),
        ]
        let enclosure = try #require(FeedEnclosure(firstOf: outputs))
        #expect(enclosure.fileName == "e1.opus" && enclosure.byteSize == 777)
        #expect(enclosure.mimeType == OutputFormat.opus.mimeType)
        #expect(FeedEnclosure(firstOf: []) == nil)
    }

    @Test func mimeTypesMatchTheOutputFormats() {
        #expect(OutputFormat.mp3.mimeType == "audio/mpeg")
        #expect(OutputFormat.flac.mimeType == "audio/flac")
        #expect(OutputFormat.wav.mimeType == "audio/wav")
        #expect(OutputFormat.opus.mimeType.hasPrefix("audio/ogg"))
    }
}
