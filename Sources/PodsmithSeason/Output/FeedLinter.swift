import Foundation
import PodsmithKit

/// Checks any podcast feed (`feed.xml`, ours or another tool's) against what Apple Podcasts requires
/// of an RSS feed and what the Podcasting 2.0 namespace defines: the rules Podsmith's own feed is built
/// to meet, so a feed edited by hand or made elsewhere can be checked before it is submitted.
///
/// Errors are what makes Apple refuse or misfile the feed (or an app lose an episode); warnings are
/// what it recommends.
public enum FeedLinter {
    static let apple = "Apple Podcasts for Creators, Podcast RSS feed requirements"
    static let rss = "RSS 2.0 specification, Required channel elements"
    static let podcasting2 = "Podcasting 2.0 namespace (podcastindex.org/namespace/1.0)"

    /// The largest feed read (64 MiB): a feed of thousands of episodes is a few megabytes.
    public static let maximumFileBytes = 64 << 20

    /// Enclosure MIME types Apple Podcasts accepts.
    static let appleEnclosureTypes: Set<String> = [
        "audio/mpeg", "audio/x-m4a", "audio/mp4", "video/mp4", "video/quicktime", "video/x-m4v", "application/pdf",
    ]

    /// The findings for the feed whose bytes are `data`; a feed that is not well-formed XML or not RSS
    /// is one error.
    public static func check(_ data: Data) -> [LintFinding] {
        var findings: [LintFinding] = []
        func add(_ id: String, _ severity: LintSeverity, _ summary: String, _ source: String, _ message: String) {
            findings.append(
                LintFinding(
                    rule: LintRule(id: id, summary: summary, source: source), severity: severity, message: message))
        }
        let root: FeedXMLTree
        switch FeedXMLTree.parse(data) {
        case .failure(let error):
            add("feed.xml", .error, "well-formed XML", rss, error.description)
            return findings
        case .success(let tree): root = tree
        }
        guard root.name == "rss", let channel = root.children("channel").first else {
            add(
                "feed.rss", .error, "an RSS 2.0 document", rss, "the root is <\(root.name)>, not <rss> with a <channel>"
            )
            return findings
        }
        checkChannel(channel, add: add)
        var guids: [String: Int] = [:]
        let items = channel.children("item")
        if items.isEmpty { add("feed.items", .error, "at least one episode", apple, "the feed has no <item>") }
        for (index, item) in items.enumerated() {
            let label = "item \(index + 1)" + (item.childText("title").map { " (\($0))" } ?? "")
            checkItem(item, label: label, add: add)
            if let guid = item.childText("guid"), !guid.isEmpty {
                if let first = guids[guid] {
                    add(
                        "feed.item.guid", .error, "a unique guid per episode", apple,
                        "\(label): guid '\(guid)' is also item \(first)'s; apps would merge the two episodes")
                } else {
                    guids[guid] = index + 1
                }
            }
        }
        return findings
    }

    typealias Add = (String, LintSeverity, String, String, String) -> Void

    private static func checkChannel(_ channel: FeedXMLTree, add: Add) {
        for name in ["title", "description"] where (channel.childText(name) ?? "").isEmpty {
            add("feed.channel.\(name)", .error, "a channel <\(name)>", rss, "the channel has no <\(name)>")
        }
        if (channel.childText("language") ?? "").isEmpty {
            add(
                "feed.channel.language", .error, "a channel <language>", apple,
                "the channel has no <language>: directories file the show by it")
        }
        if channel.children("itunes:image").first?.attributes["href"].map(isWebURL) != true {
            add(
                "feed.channel.image", .error, "<itunes:image href> with the show's artwork", apple,
                "the channel has no <itunes:image> with an http(s) href")
        }
        let explicit = channel.childText("itunes:explicit")
        if !["true", "false"].contains(explicit ?? "") {
            add(
                "feed.channel.explicit", .error, "<itunes:explicit> true or false", apple,
                explicit.map { "<itunes:explicit> is '\($0)', not true or false" }
                    ?? "the channel has no <itunes:explicit>")
        }
        let categories = channel.children("itunes:category")
        if categories.isEmpty {
            add(
                "feed.channel.category", .error, "an Apple Podcasts category", apple,
                "the channel has no <itunes:category>")
        }
        for category in categories {
            let name = category.attributes["text"] ?? ""
            let subs = category.children("itunes:category").map { $0.attributes["text"] ?? "" }
            for sub in subs.isEmpty ? [nil] : subs.map(Optional.some) {
                if let problem = ApplePodcastCategories.problem(category: name, subcategory: sub) {
                    add(
                        "feed.channel.category", .error, "categories from Apple's list",
                        ApplePodcastCategories.source, problem)
                }
            }
        }
        for name in ["itunes:author"] where channel.children(name).contains(where: { $0.text.isEmpty }) {
            add("feed.channel.author", .error, "no empty <\(name)>", apple, "<\(name)> is empty")
        }
        if let owner = channel.children("itunes:owner").first, (owner.childText("itunes:email") ?? "").isEmpty {
            add("feed.channel.owner", .error, "<itunes:owner> with an e-mail", apple, "<itunes:owner> has no e-mail")
        }
        if channel.children("atom:link").first(where: { $0.attributes["rel"] == "self" }) == nil {
            add(
                "feed.channel.self-link", .warning, "<atom:link rel=\"self\">", rss,
                "no <atom:link rel=\"self\">: validators and apps use it to know the feed's own URL")
        }
        if let guid = channel.childText("podcast:guid"), UUID(uuidString: guid) == nil {
            add(
                "feed.channel.podcast-guid", .error, "<podcast:guid> a UUID", podcasting2,
                "<podcast:guid> '\(guid)' is not a UUID")
        }
    }

    private static func checkItem(_ item: FeedXMLTree, label: String, add: Add) {
        if (item.childText("title") ?? "").isEmpty {
            add("feed.item.title", .error, "an episode <title>", apple, "\(label) has no <title>")
        }
        if (item.childText("guid") ?? "").isEmpty {
            add(
                "feed.item.guid", .error, "a guid per episode", apple,
                "\(label) has no <guid>: apps cannot tell it from a new episode when anything changes")
        }
        if let date = item.childText("pubDate") {
            if PublicationDate.parse(date) == nil {
                add(
                    "feed.item.pubdate", .error, "an RFC 2822 <pubDate>", rss,
                    "\(label): pubDate '\(date)' is not RFC 2822")
            }
        } else {
            add("feed.item.pubdate", .warning, "a <pubDate>", apple, "\(label) has no <pubDate>")
        }
        guard let enclosure = item.children("enclosure").first else {
            add("feed.item.enclosure", .error, "an <enclosure>", apple, "\(label) has no <enclosure>")
            return
        }
        if !(enclosure.attributes["url"].map(isWebURL) ?? false) {
            add(
                "feed.item.enclosure", .error, "an enclosure url over http(s)", apple,
                "\(label): enclosure url '\(enclosure.attributes["url"] ?? "")' is not an http(s) URL")
        }
        if let length = enclosure.attributes["length"], Int64(length).map({ $0 > 0 }) == true {
        } else {
            add(
                "feed.item.enclosure", .error, "the enclosure's length in bytes", rss,
                "\(label): enclosure length '\(enclosure.attributes["length"] ?? "")' is not a byte count")
        }
        let type = enclosure.attributes["type"] ?? ""
        if !appleEnclosureTypes.contains(type) {
            add(
                "feed.item.enclosure", .error, "an enclosure type Apple plays", apple,
                "\(label): enclosure type '\(type)' is not one Apple Podcasts takes (audio/mpeg, audio/x-m4a, …)")
        }
        if item.children("itunes:duration").isEmpty {
            add("feed.item.duration", .warning, "<itunes:duration>", apple, "\(label) has no <itunes:duration>")
        }
        for bite in item.children("podcast:soundbite") {
            let duration = bite.attributes["duration"].flatMap(Double.init)
            let start = bite.attributes["startTime"].flatMap(Double.init)
            if start == nil || duration == nil || duration! <= 0 {
                add(
                    "feed.item.soundbite", .error, "soundbite startTime and duration in seconds", podcasting2,
                    "\(label): soundbite without a numeric startTime and duration")
            } else if let duration, !Soundbite.durations.contains(duration) {
                add(
                    "feed.item.soundbite", .warning, "soundbites of 15–120 s", podcasting2,
                    "\(label): soundbite of \(duration) s, outside the recommended 15–120 s")
            }
        }
        for transcript in item.children("podcast:transcript") where transcript.attributes["url"] == nil {
            add(
                "feed.item.transcript", .error, "a transcript url", podcasting2,
                "\(label): <podcast:transcript> has no url")
        }
    }

    private static func isWebURL(_ text: String) -> Bool {
        guard let url = URL(string: text), let scheme = url.scheme?.lowercased() else { return false }
        return (scheme == "http" || scheme == "https") && url.host != nil
    }
}
