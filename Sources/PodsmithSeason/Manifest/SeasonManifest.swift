import Foundation
import PodsmithKit
internal import Yams

/// A season manifest: the show, the default settings and the episodes (`docs/season.md`).
///
/// Paths in a manifest are relative to the manifest's folder and are kept as written; ``SeasonPlan``
/// resolves them. A manifest is only ever built by ``load(path:)`` (which validates it completely,
/// see ``ManifestReader``) or by hand in code; the `Codable` conformance lets a tool write one back out.
public struct SeasonManifest: Sendable, Equatable, Codable {
    /// The show every episode belongs to.
    public var show: ShowInfo
    /// Settings every episode gets unless it overrides them.
    public var defaults: EpisodeSettings
    /// The episodes, in manifest order (which is also the order of every listing and report).
    public var episodes: [EpisodeEntry]
    /// How output files are named.
    public var naming: OutputNamingScheme

    public init(
        show: ShowInfo, defaults: EpisodeSettings = EpisodeSettings(), episodes: [EpisodeEntry],
        naming: OutputNamingScheme = .stem
    ) {
        self.show = show
        self.defaults = defaults
        self.episodes = episodes
        self.naming = naming
    }

    /// The largest manifest read (a regular file only: a device or FIFO would never end): 16 MiB is some
    /// 100,000 episodes.
    public static let maximumFileBytes = 16 << 20

    /// Reads and validates a YAML or JSON manifest (JSON when the name ends in `.json`).
    ///
    /// Nothing is written and no audio is opened. Every problem found is reported, each with its key
    /// path (`episodes[3].file`), in one ``ManifestValidationError``.
    /// - Returns: the manifest and the folder its paths are relative to.
    public static func load(
        path: String
    ) throws(ManifestValidationError) -> (manifest: SeasonManifest, baseDirectory: String) {
        let url = URL(fileURLWithPath: path)
        let data: Data
        do throws(RegularFileReader.Problem) {
            data = Data(try RegularFileReader.contents(of: path, limit: maximumFileBytes))
        } catch {
            let text = error == .missing ? "no such file" : "cannot read the manifest: \(error)"
            throw ManifestValidationError([ManifestIssue(path: "", message: "\(path): \(text)")])
        }
        let baseDirectory = url.standardizedFileURL.deletingLastPathComponent().path
        let tree = try parseTree(data, json: url.pathExtension.lowercased() == "json", name: path)
        var reader = ManifestReader(baseDirectory: baseDirectory)
        let manifest = reader.read(tree)
        if let manifest, reader.issues.isEmpty {
            return (manifest, baseDirectory)
        }
        throw ManifestValidationError(reader.issues)
    }

    /// The most values (mappings, lists and scalars, every alias expansion counted again) one manifest may
    /// decode to: far above a real season (a 1,000-episode manifest is about 20,000) and far below what
    /// an alias bomb expands to (see ``ManifestNodeBudget``).
    public static let nodeBudget = 100_000

    /// Parses manifest text into a generic tree, through `YAMLDecoder` or `JSONDecoder`.
    ///
    /// `Yams.load` is deliberately not used: it crashes on some malformed inputs (ENGINEERING-NOTES).
    /// More than ``nodeBudget`` values is an error ("too many nodes or aliases").
    public static func parseTree(
        _ data: Data, json: Bool, name: String = "manifest"
    ) throws(ManifestValidationError) -> JSONValue {
        let budget = ManifestNodeBudget(limit: nodeBudget)
        do {
            if json {
                let decoder = JSONDecoder()
                decoder.userInfo[ManifestNodeBudget.key] = budget
                return try decoder.decode(JSONValue.self, from: data)
            }
            guard let text = String(data: data, encoding: .utf8) else {
                throw ManifestValidationError([ManifestIssue(path: "", message: "\(name): not UTF-8 text")])
            }
            if text.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty {
                throw ManifestValidationError([ManifestIssue(path: "", message: "\(name): the manifest is empty")])
            }
            return try YAMLDecoder().decode(JSONValue.self, from: text, userInfo: [ManifestNodeBudget.key: budget])
        } catch let error as ManifestValidationError {
            throw error
        } catch  where budget.isSpent {
            // (The decoders may wrap the budget's error in their own, so the budget itself is asked.)
            throw ManifestValidationError([
                ManifestIssue(
                    path: "",
                    message:
                        "\(name): too many nodes or aliases (more than \(nodeBudget) values once aliases are expanded)")
            ])
        } catch {
            throw ManifestValidationError([
                ManifestIssue(
                    path: "", message: "\(name): not valid \(json ? "JSON" : "YAML"): \(Self.describe(error))")
            ])
        }
    }

    private static func describe(_ error: Error) -> String {
        let text: String
        if let yaml = error as? YamlError {
            text = "\(yaml)"
        } else if case DecodingError.dataCorrupted(let context) = error {
            text = context.underlyingError.map { "\($0)" } ?? context.debugDescription
        } else {
            text = "\(error)"
        }
        let line = text.replacingOccurrences(of: "\n", with: " ")
        // French typography puts a space before a colon (`title: IA : le règlement`), which YAML reads as
        // a second key on the line.
        guard line.contains("mapping values are not allowed") else { return line }
        return line + " (hint: put a value that contains ': ' in quotes, such as title: \"IA : le règlement\")"
    }
}

/// The show: what the feed's channel says about it.
public struct ShowInfo: Sendable, Equatable, Codable {
    /// Show title (required).
    public var title: String
    /// Author, written as the artist tag of every episode and the feed's `itunes:author`.
    public var author: String?
    /// Owner contact e-mail for podcast directories (`itunes:owner`).
    public var ownerEmail: String?
    /// Show description.
    public var description: String?
    /// Language code, e.g. `en` or `en-GB` (RFC 5646).
    public var language: String?
    /// Apple Podcasts categories, e.g. `Technology` or `Arts > Books`.
    public var categories: [String]
    /// Whether the show is marked explicit.
    public var explicit: Bool
    /// Cover art, a path relative to the manifest.
    public var artwork: String?
    /// The URL the published files will be served from; enclosure URLs are this plus the file name.
    public var baseURL: String?
    /// The show's website.
    public var link: String?
    /// Where the feed itself is published (`atom:link rel="self"`); default `base_url` + `feed.xml`.
    public var feedURL: String?
    /// The show's `podcast:guid` when it must not follow the feed URL (a moved feed keeps its guid).
    public var podcastGUID: String?
    /// `<copyright>` text.
    public var copyright: String?
    /// `<podcast:locked>`: `true` asks other platforms not to import the feed without the owner's consent.
    public var locked: Bool?
    /// Whether the chapters' timestamps are appended to each episode's show notes; `nil` means yes.
    public var chaptersInNotes: Bool?

    public init(
        title: String, author: String? = nil, ownerEmail: String? = nil, description: String? = nil,
        language: String? = nil, categories: [String] = [], explicit: Bool = false,
        artwork: String? = nil, baseURL: String? = nil, link: String? = nil
    ) {
        self.title = title
        self.author = author
        self.ownerEmail = ownerEmail
        self.description = description
        self.language = language
        self.categories = categories
        self.explicit = explicit
        self.artwork = artwork
        self.baseURL = baseURL
        self.link = link
    }
}

/// One episode as the manifest lists it.
public struct EpisodeEntry: Sendable, Equatable, Codable {
    /// The raw audio, relative to the manifest (required).
    public var file: String
    /// Episode title; the file's stem when absent.
    public var title: String?
    /// Episode number (`itunes:episode`).
    public var number: Int?
    /// Season number (`itunes:season`).
    public var season: Int?
    /// Publication date as written (ISO 8601 date or date-time, or RFC 2822).
    public var date: String?
    /// Episode description (show notes).
    public var description: String?
    /// Chapters file (JSON chapters), relative to the manifest.
    public var chapters: String?
    /// Transcript (WebVTT `.vtt` or SRT `.srt`), relative to the manifest.
    public var transcript: String?
    /// Episode artwork, relative to the manifest; the show's when absent.
    public var artwork: String?
    /// Explicit output stem; wins over the naming scheme (sanitized like any other name).
    public var output: String?
    /// The feed item's `guid`, when it must be a given one (an episode published before by another tool).
    public var guid: String?
    /// Settings that differ from the season's defaults.
    public var overrides: EpisodeSettings?
    /// Highlights for `<podcast:soundbite>`, in the input's time.
    public var soundbites: [Soundbite]?

    public init(
        file: String, title: String? = nil, number: Int? = nil, season: Int? = nil, date: String? = nil,
        description: String? = nil, chapters: String? = nil, artwork: String? = nil,
        output: String? = nil, overrides: EpisodeSettings? = nil, transcript: String? = nil
    ) {
        self.file = file
        self.title = title
        self.number = number
        self.season = season
        self.date = date
        self.description = description
        self.chapters = chapters
        self.transcript = transcript
        self.artwork = artwork
        self.output = output
        self.overrides = overrides
    }
}

/// How the outputs of an episode are named in the (flat) output folder.
public enum OutputNamingScheme: String, Sendable, Equatable, Codable, CaseIterable {
    /// After the input file's stem: `raw/ep01.wav` → `ep01.mp3` (the default).
    case stem
    /// After a slug of the episode title: "Episode 1: Hello!" → `episode-1-hello.mp3`.
    case title
}
