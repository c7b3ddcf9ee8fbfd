import Foundation
internal import Plot
import PodsmithKit

/// The show-level facts of a podcast feed (the RSS `<channel>`).
public struct PodcastShow: Sendable, Equatable {
    public var title: String
    /// `<itunes:author>`: the name listeners see as the show's author.
    public var author: String
    /// `<itunes:owner>` name and email: whom Apple contacts about the feed (not shown to listeners).
    public var ownerName: String
    public var ownerEmail: String
    public var description: String
    /// ISO 639 language code, e.g. `en` or `en-us`.
    public var language: String
    /// Apple Podcasts categories, e.g. `PodcastCategory("Technology")` or with a subcategory.
    public var categories: [PodcastCategory]
    public var explicit: Bool
    /// Absolute URL of the show's artwork (Apple: square JPEG/PNG, 1400–3000 px).
    public var artworkURL: String?
    /// The show's web page.
    public var link: String?
    /// Where the episode files are published, e.g. `https://example.org/media/`. Enclosure and chapter
    /// URLs are this plus the file name; with `nil` they are the bare (relative) file names.
    public var baseURL: String?
    /// `episodic` (newest first) or `serial` (in order).
    public var serial: Bool
    public var copyright: String?
    /// The feed's own URL, written as `<atom:link rel="self">` (Apple and validators expect it).
    public var feedURL: String?
    /// `<podcast:guid>`: see ``PodcastGUID``.
    public var podcastGUID: String?
    /// `<podcast:locked>` (`yes`/`no`, with the owner's e-mail); `nil` writes nothing.
    public var locked: Bool?

    public init(
        title: String, author: String, ownerName: String, ownerEmail: String, description: String,
        language: String = "en", categories: [PodcastCategory] = [], explicit: Bool = false,
        artworkURL: String? = nil, link: String? = nil, baseURL: String? = nil, serial: Bool = false,
        copyright: String? = nil
    ) {
        self.title = title
        self.author = author
        self.ownerName = ownerName
        self.ownerEmail = ownerEmail
        self.description = description
        self.language = language
        self.categories = categories
        self.explicit = explicit
        self.artworkURL = artworkURL
        self.link = link
        self.baseURL = baseURL
        self.serial = serial
        self.copyright = copyright
    }
}

/// An Apple Podcasts category with an optional subcategory (names from Apple's category list).
public struct PodcastCategory: Sendable, Equatable {
    public var name: String
    public var subcategory: String?

    public init(_ name: String, subcategory: String? = nil) {
        self.name = name
        self.subcategory = subcategory
    }
}

/// One published rendition of an episode: a `<podcast:alternateEnclosure>` with its `<podcast:source>`
/// and `<podcast:integrity>` (Podcasting 2.0), so an app can pick Opus over MP3 and check the download.
public struct FeedAlternate: Sendable, Equatable {
    public var fileName: String
    public var mimeType: String
    public var byteSize: Int64
    /// Encoding bitrate, bit/s (the average for variable-rate and lossless files).
    public var bitsPerSecond: Int?
    /// SHA-256 of the file's bytes, for the Subresource Integrity value `sha256-<base64>`.
    public var sha256: [UInt8]?
    /// The one that is also the `<enclosure>` (`default="true"`).
    public var isDefault: Bool

    public init(
        fileName: String, mimeType: String, byteSize: Int64, bitsPerSecond: Int? = nil, sha256: [UInt8]? = nil,
        isDefault: Bool = false
    ) {
        self.fileName = fileName
        self.mimeType = mimeType
        self.byteSize = byteSize
        self.bitsPerSecond = bitsPerSecond
        self.sha256 = sha256
        self.isDefault = isDefault
    }
}

/// The media file an episode's `<enclosure>` points at.
public struct FeedEnclosure: Sendable, Equatable {
    /// File name in the published folder (no directories).
    public var fileName: String
    /// Exact size of the file, bytes: RSS 2.0 says `length` is "how big it is in bytes", and podcast
    /// apps use it for progress and to detect changed files.
    public var byteSize: Int64
    /// MIME type; see ``OutputFormat/mimeType``.
    public var mimeType: String

    public init(fileName: String, byteSize: Int64, mimeType: String) {
        self.fileName = fileName
        self.byteSize = byteSize
        self.mimeType = mimeType
    }

    /// The enclosure for an episode's outputs: the first one listed (the season's first format), with
    /// the MIME type its format names; `nil` when there is no output or its format is not one Podsmith
    /// writes.
    public init?(firstOf outputs: [ReportOutputFile]) {
        guard let first = outputs.first, let format = OutputFormat(pathExtension: first.format) else { return nil }
        self.init(fileName: first.file, byteSize: first.sizeBytes, mimeType: format.mimeType)
    }
}

/// One episode (an RSS `<item>`).
public struct PodcastEpisode: Sendable, Equatable {
    public var title: String
    /// Stable unique identifier; never change it once published, or apps download the episode again.
    public var guid: String
    public var pubDate: Date
    public var description: String
    /// The published file: the season's first listed format.
    public var enclosure: FeedEnclosure
    /// Playing time, seconds; written as whole seconds in `<itunes:duration>`.
    public var durationSeconds: Double
    public var episodeNumber: Int?
    public var seasonNumber: Int?
    /// File name of the JSON chapters file (Podcasting 2.0 chapters format), if any.
    public var chaptersFileName: String?
    /// File names of the episode's transcripts (`STEM.transcript.vtt`, `STEM.transcript.srt`), each a
    /// `<podcast:transcript>`.
    public var transcriptFileNames: [String] = []
    /// Episode-level explicit flag; `nil` inherits the show's.
    public var explicit: Bool?
    /// Every published format of the episode, the enclosure's first.
    public var alternates: [FeedAlternate] = []
    /// Absolute (or, without a base URL, relative) URL of the episode's own artwork, written as the
    /// item's `<itunes:image>`; `nil` for an episode that shows the show's.
    public var artworkURL: String?
    /// Podcasting 2.0 `<podcast:soundbite>`s: short highlights apps can preview, in output time.
    public var soundbites: [Soundbite] = []

    public init(
        title: String, guid: String, pubDate: Date, description: String, enclosure: FeedEnclosure,
        durationSeconds: Double, episodeNumber: Int? = nil, seasonNumber: Int? = nil,
        chaptersFileName: String? = nil, explicit: Bool? = nil
    ) {
        self.title = title
        self.guid = guid
        self.pubDate = pubDate
        self.description = description
        self.enclosure = enclosure
        self.durationSeconds = durationSeconds
        self.episodeNumber = episodeNumber
        self.seasonNumber = seasonNumber
        self.chaptersFileName = chaptersFileName
        self.explicit = explicit
    }
}

/// Builds `feed.xml`: an RSS 2.0 podcast feed with the Apple (`itunes:`) and Podcasting 2.0
/// (`podcast:`) namespaces.
///
/// Built with Plot's podcast DSL. Plot's own `PodcastFeed` declares only the `itunes` and `media`
/// namespaces, so the document is assembled from Plot's public RSS elements with the `podcast`
/// namespace added, and `<podcast:chapters>` is a custom element. Plot does not escape attribute values
/// and leaves entity-like text alone, so every user string is escaped by ``MarkupEscaping`` first.
public enum PodcastFeedBuilder {
    /// Namespace of Apple's podcast tags.
    public static let itunesNamespace = "http://www.itunes.com/dtds/podcast-1.0.dtd"
    /// Namespace of the Podcasting 2.0 tags (podcastindex.org).
    public static let podcastNamespace = "https://podcastindex.org/namespace/1.0"
    /// MIME type of a JSON chapters file (Podcasting 2.0 `<podcast:chapters>`).
    public static let chaptersMimeType = "application/json+chapters"

    /// The feed as an XML string (UTF-8, indented by two spaces).
    /// - Parameters:
    ///   - show: the channel's facts.
    ///   - episodes: the items, in the order given (put the newest first for an episodic show).
    ///   - lastBuildDate: written as `<lastBuildDate>` when given.
    public static func render(show: PodcastShow, episodes: [PodcastEpisode], lastBuildDate: Date? = nil) -> String {
        typealias Channel = Node<PodcastFeed.ChannelContext>
        var channel: [Channel] = [
            .element(named: "title", text: text(show.title)),
            .element(named: "description", text: text(show.description)),
        ]
        // Nothing rather than a guess or an empty element: a wrong language misfiles the show in
        // directories, and an empty `itunes:author` or e-mail is an error in Apple's validator.
        if !show.language.isEmpty { channel.append(.element(named: "language", text: text(show.language))) }
        if !show.author.isEmpty { channel.append(.element(named: "itunes:author", text: text(show.author))) }
        if !show.ownerEmail.isEmpty {
            channel.append(.owner(.name(text(show.ownerName)), .email(text(show.ownerEmail))))
        }
        if let feedURL = show.feedURL {
            channel.append(
                .selfClosedElement(
                    named: "atom:link",
                    attributes: [
                        attribute("href", feedURL), attribute("rel", "self"), attribute("type", "application/rss+xml"),
                    ]))
        }
        if let guid = show.podcastGUID { channel.append(.element(named: "podcast:guid", text: text(guid))) }
        if let locked = show.locked {
            var nodes: [Channel] = []
            if !show.ownerEmail.isEmpty { nodes.append(.attribute(attribute("owner", show.ownerEmail))) }
            nodes.append(.text(locked ? "yes" : "no"))
            channel.append(.element(named: "podcast:locked", nodes: nodes))
        }
        channel += [
            .element(named: "itunes:summary", text: text(show.description)),
            // Apple's current spec: "true" or "false" (Plot's `.explicit` writes the older yes/no).
            .element(named: "itunes:explicit", text: show.explicit ? "true" : "false"),
            .type(show.serial ? .serial : .episodic),
        ]
        if let link = show.link { channel.append(.element(named: "link", text: text(link))) }
        if let artwork = show.artworkURL {
            channel.append(
                .selfClosedElement(
                    named: "itunes:image",
                    attributes: [attribute("href", artwork)]))
        }
        if let copyright = show.copyright { channel.append(.copyright(text(copyright))) }
        if let lastBuildDate {
            channel.append(.lastBuildDate(lastBuildDate, timeZone: utc))
        }
        for category in show.categories {
            var nodes: [Channel] = [.attribute(attribute("text", category.name))]
            if let sub = category.subcategory {
                nodes.append(.selfClosedElement(named: "itunes:category", attributes: [attribute("text", sub)]))
            }
            channel.append(.element(named: "itunes:category", nodes: nodes))
        }
        channel += episodes.map { item(for: $0, show: show) }

        let document = Document<PodcastFeed>.custom(
            .xml(.version(1.0), .encoding(.utf8)),
            .rss(
                Node<PodcastFeed.FeedContext>.version(2.0),
                .namespace("itunes", itunesNamespace),
                .namespace("podcast", podcastNamespace),
                .namespace("content", "http://purl.org/rss/1.0/modules/content/"),
                .namespace("atom", "http://www.w3.org/2005/Atom"),
                .channel(.group(channel))
            )
        )
        return document.render(indentedBy: .spaces(2))
    }

    /// The URL of a published file: `baseURL` + the percent-encoded file name, or the file name alone
    /// (a relative reference) when there is no base URL.
    public static func url(forFile fileName: String, baseURL: String?) -> String {
        let encoded = fileName.addingPercentEncoding(withAllowedCharacters: fileNameAllowed) ?? fileName
        guard let base = baseURL, !base.isEmpty else { return encoded }
        return base.hasSuffix("/") ? base + encoded : base + "/" + encoded
    }

    // MARK: - Private

    private static func item(for episode: PodcastEpisode, show: PodcastShow) -> Node<PodcastFeed.ChannelContext> {
        typealias Item = Node<PodcastFeed.ItemContext>
        let enclosureURL = url(forFile: episode.enclosure.fileName, baseURL: show.baseURL)
        var nodes: [Item] = [
            .element(named: "title", text: text(episode.title)),
            .element(named: "itunes:title", text: text(episode.title)),
            .element(named: "description", text: text(episode.description)),
            .element(
                named: "guid",
                nodes: [
                    Item.attribute(named: "isPermaLink", value: "false"),
                    Item.text(text(episode.guid)),
                ]),
            .pubDate(episode.pubDate, timeZone: utc),
            .selfClosedElement(
                named: "enclosure",
                attributes: [
                    attribute("url", enclosureURL),
                    attribute("length", String(episode.enclosure.byteSize)),
                    attribute("type", episode.enclosure.mimeType),
                ]),
            // Whole seconds: Apple accepts a plain number of seconds, and the issue asks for it.
            .duration(String(WholeSeconds.clamped(episode.durationSeconds))),
            .episodeType(.full),
        ]
        if let number = episode.episodeNumber { nodes.append(.episodeNumber(number)) }
        if let season = episode.seasonNumber { nodes.append(.seasonNumber(season)) }
        if let explicit = episode.explicit {
            nodes.append(.element(named: "itunes:explicit", text: explicit ? "true" : "false"))
        }
        if let artwork = episode.artworkURL {
            nodes.append(.selfClosedElement(named: "itunes:image", attributes: [attribute("href", artwork)]))
        }
        for bite in episode.soundbites {
            // Podcasting 2.0: startTime and duration in seconds (decimals allowed), the title as text.
            nodes.append(
                .element(
                    named: "podcast:soundbite",
                    nodes: [
                        .attribute(attribute("startTime", Self.seconds(bite.startSeconds))),
                        .attribute(attribute("duration", Self.seconds(bite.durationSeconds))),
                        .text(text(bite.title ?? "")),
                    ]))
        }
        for transcript in episode.transcriptFileNames {
            let format = Transcript.Format(pathExtension: (transcript as NSString).pathExtension) ?? .webVTT
            // Timed cues: `rel="captions"` (Podcasting 2.0 namespace, `<podcast:transcript>`).
            nodes.append(
                .selfClosedElement(
                    named: "podcast:transcript",
                    attributes: [
                        attribute("url", url(forFile: transcript, baseURL: show.baseURL)),
                        attribute("type", format.mimeType),
                        attribute("rel", "captions"),
                    ]))
        }
        for alternate in episode.alternates {
            var attributes: [Node<PodcastFeed.ItemContext>] = [
                .attribute(attribute("type", alternate.mimeType)),
                .attribute(attribute("length", String(alternate.byteSize))),
            ]
            if let bits = alternate.bitsPerSecond { attributes.append(.attribute(attribute("bitrate", String(bits)))) }
            if alternate.isDefault { attributes.append(.attribute(attribute("default", "true"))) }
            var children: [Node<PodcastFeed.ItemContext>] = [
                .selfClosedElement(
                    named: "podcast:source",
                    attributes: [attribute("uri", url(forFile: alternate.fileName, baseURL: show.baseURL))])
            ]
            if let sha256 = alternate.sha256 {
                children.append(
                    .selfClosedElement(
                        named: "podcast:integrity",
                        attributes: [
                            attribute("type", "sri"),
                            attribute("value", "sha256-" + Data(sha256).base64EncodedString()),
                        ]))
            }
            nodes.append(.element(named: "podcast:alternateEnclosure", nodes: attributes + children))
        }
        if let chapters = episode.chaptersFileName {
            nodes.append(
                .selfClosedElement(
                    named: "podcast:chapters",
                    attributes: [
                        attribute("url", url(forFile: chapters, baseURL: show.baseURL)),
                        attribute("type", chaptersMimeType),
                    ]))
        }
        return .item(.group(nodes))
    }

    /// Seconds with at most three decimals and no trailing zeros (`12`, `12.5`, `12.345`).
    static func seconds(_ value: Double) -> String {
        let millis = (max(0, value) * 1000).rounded()
        guard millis.isFinite, millis < 1e15 else { return "0" }
        let whole = Int64(millis) / 1000
        let fraction = Int64(millis) % 1000
        guard fraction != 0 else { return String(whole) }
        var digits = String(format: "%03lld", fraction)
        while digits.hasSuffix("0") { digits.removeLast() }
        return "\(whole).\(digits)"
    }

    /// Text for Plot's text nodes (Plot escapes `<` and `>` itself).
    private static func text(_ s: String) -> String { MarkupEscaping.escapeAmpersands(s) }

    /// An attribute whose value is escaped here, since Plot writes attribute values verbatim.
    private static func attribute<C>(_ name: String, _ value: String) -> Attribute<C> {
        Attribute(name: name, value: MarkupEscaping.escape(value), ignoreIfValueIsEmpty: false)
    }

    private static let utc = TimeZone(identifier: "UTC")!

    /// RFC 3986 unreserved characters: everything else in a file name is percent-encoded.
    private static let fileNameAllowed = CharacterSet(
        charactersIn: "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")
}
