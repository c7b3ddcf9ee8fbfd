import Foundation
import PodsmithTestSupport
import Testing

@testable import PodsmithKit
@testable import PodsmithSeason

/// `podsmith lint feed.xml`: any feed checked against Apple's RSS requirements and the Podcasting 2.0
/// namespace — ours passes, and what Apple would refuse is named.
@Suite struct FeedLinterTests {
    static func feed(channel: String, items: String) -> Data {
        Data(
            """
            <?xml version="1.0" encoding="UTF-8"?>
            <rss version="2.0" xmlns:itunes="http://www.itunes.com/dtds/podcast-1.0.dtd"
                 xmlns:podcast="https://podcastindex.org/namespace/1.0" xmlns:atom="http://www.w3.org/2005/Atom">
            <channel>\(channel)\(items)</channel></rss>
            """.utf8)
    }

    static let goodChannel = """
        <title>Show</title><description>About</description><language>fr</language>
        <itunes:image href="https://example.com/art.jpg"/><itunes:explicit>false</itunes:explicit>
        <itunes:category text="News"><itunes:category text="Daily News"/></itunes:category>
        <atom:link href="https://example.com/feed.xml" rel="self" type="application/rss+xml"/>
        """

    static func item(
        guid: String, date: String = "Fri, 27 Nov 2026 10:00:00 +0000", type: String = "audio/mpeg"
    )
        -> String
    {
        """
        <item><title>Ep \(guid)</title><guid isPermaLink="false">\(guid)</guid><pubDate>\(date)</pubDate>
        <enclosure url="https://example.com/\(guid).mp3" length="1234" type="\(type)"/>
        <itunes:duration>61</itunes:duration></item>
        """
    }

    @Test func aCompleteFeedHasNoFinding() {
        let findings = FeedLinter.check(Self.feed(channel: Self.goodChannel, items: Self.item(guid: "a")))
        #expect(findings.isEmpty, "\(findings)")
    }

    @Test func whatAppleRefusesIsNamedByRule() {
        let channel = """
            <title>Show</title><description>About</description><itunes:explicit>yes</itunes:explicit>
            <itunes:category text="Tech"/><itunes:author></itunes:author>
            """
        let items =
            Self.item(guid: "a") + Self.item(guid: "a", date: "27/11/2026")
            + Self.item(guid: "b", type: "audio/ogg")
            + "<item><title>No file</title><guid>c</guid></item>"
        let findings = FeedLinter.check(Self.feed(channel: channel, items: items))
        let errors = Set(findings.filter { $0.severity == .error }.map(\.ruleID))
        #expect(
            errors == [
                "feed.channel.language", "feed.channel.image", "feed.channel.explicit", "feed.channel.category",
                "feed.channel.author", "feed.item.guid", "feed.item.pubdate", "feed.item.enclosure",
            ], "\(findings)")
        #expect(findings.contains { $0.message.contains("guid 'a' is also item 1's") })
        #expect(findings.contains { $0.message.contains("'audio/ogg'") })
        #expect(findings.contains { $0.ruleID == "feed.channel.self-link" && $0.severity == .warning })
    }

    @Test func aFileThatIsNotXMLIsOneErrorWithItsLine() {
        let findings = FeedLinter.check(Data("<rss>\n<channel>\n<title>x</channel>".utf8))
        #expect(findings.count == 1)
        #expect(findings.first?.ruleID == "feed.xml" && findings.first?.message.contains("line 3") == true)
    }

    @Test func aSeasonsOwnFeedPassesTheFeedLint() throws {
        let f = try SeasonFixture()
        try Data(Fixtures.png(width: 1400, height: 1400)).write(to: URL(fileURLWithPath: f.root + "/cover.png"))
        try f.writeRaw("ep01.wav", seed: 1, count: 60_000)
        let manifest = try f.write(
            "season.yml",
            """
            show:
              title: Fixture Show
              author: Fixture Author
              owner_email: owner@example.com
              language: fr
              categories: ["News > Daily News"]
              artwork: cover.png
              base_url: https://example.com/audio/
            episodes:
              - file: raw/ep01.wav
                date: 2026-11-01
                soundbites: [{start: 10, duration: 20}]

            """)
        _ = try runSeason(manifest, out: f.out, processor: FakeProcessor(cuts: []))
        _ = try SeasonPublisher.publish(plan: try SeasonPlan.load(path: manifest), outputDirectory: f.out)
        let findings = FeedLinter.check(try Data(contentsOf: URL(fileURLWithPath: f.out + "/feed.xml")))
        #expect(findings.isEmpty, "\(findings)")
    }
}
