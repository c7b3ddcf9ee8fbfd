import Foundation
import PodsmithTestSupport
import Testing

/// `podsmith lint feed.xml` end to end: a feed's findings on stdout and exit 1 when a rule fails.
@Suite struct FeedLintCommandTests {
    @Test func lintOfAFeedNamesEachBrokenRuleAndExitsOne() throws {
        let folder = try TemporaryFolder()
        let feed = folder.url.appendingPathComponent("feed.xml").path
        try Data(
            """
            <?xml version="1.0" encoding="UTF-8"?>
            <rss version="2.0" xmlns:itunes="http://www.itunes.com/dtds/podcast-1.0.dtd"><channel>
            <title>Show</title><description>About</description><language>fr</language>
            <itunes:image href="https://example.com/a.jpg"/><itunes:explicit>false</itunes:explicit>
            <itunes:category text="Arts &gt; Books"/>
            <item><title>One</title><guid>x</guid><pubDate>hier</pubDate>
            <enclosure url="https://example.com/1.mp3" length="10" type="audio/mpeg"/></item>
            </channel></rss>
            """.utf8
        ).write(to: URL(fileURLWithPath: feed))
        let result = try CommandRunner.run(["lint", feed])
        #expect(result.status == 1, "\(result.stderr)")
        #expect(result.stdout.hasPrefix("\(feed): FAIL"))
        #expect(result.stdout.contains("[feed.item.pubdate]") && result.stdout.contains("'hier'"))
        #expect(result.stdout.contains("[feed.channel.category]"))

        let missing = try CommandRunner.run(["lint", folder.url.appendingPathComponent("none.xml").path])
        #expect(missing.status == 1)
        #expect(missing.stderr.split(separator: "\n").count == 1 && missing.stderr.contains("none.xml"))
    }
}
