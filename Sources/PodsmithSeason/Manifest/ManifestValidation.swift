import Foundation
import PodsmithKit

/// One problem in a manifest, at a key path such as `episodes[3].file` (list positions count from 0).
public struct ManifestIssue: Sendable, Equatable, CustomStringConvertible {
    /// Where: dotted keys and `[index]` positions; empty for the whole manifest.
    public var path: String
    /// What is wrong and, where it helps, what would be right.
    public var message: String

    public init(path: String, message: String) {
        self.path = path
        self.message = message
    }

    public var description: String { path.isEmpty ? message : "\(path): \(message)" }
}

/// Every problem found in a manifest; nothing has been processed when this is thrown.
public struct ManifestValidationError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The problems, in manifest order.
    public var issues: [ManifestIssue]

    public init(_ issues: [ManifestIssue]) { self.issues = issues }

    /// One line per problem.
    public var description: String {
        (["invalid season manifest (\(issues.count) problem\(issues.count == 1 ? "" : "s")):"]
            + issues.map { "  \($0)" }).joined(separator: "\n")
    }

    /// Whether every problem is a missing file (the CLI then exits 66, EX_NOINPUT, rather than 65).
    public var onlyMissingFiles: Bool { issues.allSatisfy { $0.message.hasPrefix("no such file") } }
}

/// Reads a manifest's generic tree into a ``SeasonManifest``, collecting every problem on the way.
///
/// Checks, each reported with its key path: unknown keys (with the nearest known key suggested),
/// wrong value kinds, missing required keys, files that do not exist (episode audio, chapters,
/// artwork), dates that are not ISO 8601 or RFC 2822, unknown presets and formats, out-of-range
/// numbers, output names that collide (two episodes that would write the same file), and a
/// `leveler_strength` the leveler never uses (as `normalize` refuses `--leveler-strength` without
/// `--leveler`): an episode's override with that episode's leveler off once defaults and overrides are
/// resolved, or a default that reaches no episode whose leveler is on. A default strength with
/// `leveler: false` in some episodes' overrides is fine: it serves the others.
@_spi(ManifestReading) public struct ManifestReader {
    /// The folder the manifest's paths are relative to.
    public let baseDirectory: String
    /// Problems found so far.
    public internal(set) var issues: [ManifestIssue] = []

    static let topKeys = ["show", "defaults", "episodes", "naming"]
    static let showKeys = [
        "title", "author", "owner_email", "description", "language", "categories", "explicit",
        "artwork", "base_url", "link", "feed_url", "podcast_guid", "copyright", "locked", "chapters_in_notes",
    ]
    static var settingsKeys: [String] {
        ["preset", "target", "true_peak", "formats", "bitrate", "trim", "leveler"]
            + EpisodeSettings.tuning.map(\.manifestKey)
    }
    static let episodeKeys = [
        "file", "title", "number", "season", "date", "description", "chapters", "transcript", "artwork",
        "output", "overrides", "guid", "soundbites",
    ]
    static let soundbiteKeys = ["start", "duration", "title"]

    public init(baseDirectory: String) {
        self.baseDirectory = baseDirectory
    }

    /// The manifest, or `nil` when it is too broken to build (see ``issues`` either way).
    public mutating func read(_ tree: JSONValue) -> SeasonManifest? {
        guard let top = mapping(tree, at: "") else { return nil }
        checkKeys(top, known: Self.topKeys, at: "")
        let show = top["show"].flatMap { readShow($0) }
        if top["show"] == nil { issue("show", "missing; the show needs at least a title") }
        let defaults = top["defaults"].flatMap { readSettings($0, at: "defaults") } ?? EpisodeSettings()
        var naming = OutputNamingScheme.stem
        if let value = top["naming"], let text = string(value, at: "naming") {
            if let scheme = OutputNamingScheme(rawValue: text) {
                naming = scheme
            } else {
                issue(
                    "naming",
                    "unknown naming '\(text)' (known: \(OutputNamingScheme.allCases.map(\.rawValue).joined(separator: ", ")))"
                )
            }
        }
        var episodes: [EpisodeEntry?] = []
        if let value = top["episodes"] {
            if case .array(let items) = value {
                if items.isEmpty { issue("episodes", "the list is empty; a season needs at least one episode") }
                episodes = items.enumerated().map { readEpisode($1, at: "episodes[\($0)]") }
            } else {
                issue("episodes", "expected a list of episodes, found \(value.kindDescription)")
            }
        } else {
            issue("episodes", "missing; list the episodes under 'episodes:'")
        }
        checkOutputs(episodes, defaults: defaults, naming: naming)
        guard let show, episodes.allSatisfy({ $0 != nil }) else { return nil }
        return SeasonManifest(show: show, defaults: defaults, episodes: episodes.compactMap { $0 }, naming: naming)
    }

    // MARK: - Sections

    private mutating func readShow(_ value: JSONValue) -> ShowInfo? {
        guard let map = mapping(value, at: "show") else { return nil }
        checkKeys(map, known: Self.showKeys, at: "show")
        let title = map["title"].flatMap { nonEmptyString($0, at: "show.title") }
        if map["title"] == nil { issue("show.title", "missing; the show needs a title") }
        var info = ShowInfo(title: title ?? "")
        info.author = map["author"].flatMap { nonEmptyString($0, at: "show.author") }
        if let value = map["owner_email"], let email = nonEmptyString(value, at: "show.owner_email") {
            let parts = email.split(separator: "@", omittingEmptySubsequences: false)
            if parts.count != 2 || parts[0].isEmpty || !parts[1].contains(".") || email.contains(" ") {
                issue("show.owner_email", "'\(email)' is not an e-mail address")
            }
            info.ownerEmail = email
        }
        // Trimmed: a YAML folded (`>`) or literal (`|`) block ends with a line break that is not part of the text.
        info.description = map["description"].flatMap { nonEmptyString($0, at: "show.description") }?
            .trimmingCharacters(in: .whitespacesAndNewlines)
        if let value = map["language"], let language = nonEmptyString(value, at: "show.language") {
            let valid = language.split(separator: "-", omittingEmptySubsequences: false).enumerated().allSatisfy {
                i, part in
                (i == 0 ? (2...3) : (1...8)).contains(part.count)
                    && part.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber) }
            }
            if !valid { issue("show.language", "'\(language)' is not a language tag like en or en-GB") }
            info.language = language
        }
        if let value = map["categories"] {
            info.categories = stringList(value, at: "show.categories") ?? []
            for (i, text) in info.categories.enumerated() {
                let parts = text.components(separatedBy: ">").map { $0.trimmingCharacters(in: .whitespaces) }
                if parts.count > 2 {
                    issue(
                        "show.categories[\(i)]", "'\(text)' has more than one '>': Apple's categories have two levels")
                } else if let problem = ApplePodcastCategories.problem(
                    category: parts[0], subcategory: parts.count > 1 ? parts[1] : nil)
                {
                    issue("show.categories[\(i)]", problem)
                }
            }
        }
        if let value = map["explicit"] { info.explicit = bool(value, at: "show.explicit") ?? false }
        if let value = map["artwork"], let path = nonEmptyString(value, at: "show.artwork") {
            checkFile(path, at: "show.artwork")
            info.artwork = path
        }
        if let value = map["base_url"], let url = nonEmptyString(value, at: "show.base_url") {
            checkURL(url, at: "show.base_url")
            info.baseURL = url
        }
        if let value = map["link"], let url = nonEmptyString(value, at: "show.link") {
            checkURL(url, at: "show.link")
            info.link = url
        }
        if let value = map["feed_url"], let url = nonEmptyString(value, at: "show.feed_url") {
            checkURL(url, at: "show.feed_url")
            info.feedURL = url
        }
        if let value = map["podcast_guid"], let guid = nonEmptyString(value, at: "show.podcast_guid") {
            if UUID(uuidString: guid) == nil {
                issue("show.podcast_guid", "'\(guid)' is not a UUID like ead4c236-bf58-58c6-a2c6-a6b28d128cb6")
            }
            info.podcastGUID = guid.lowercased()
        }
        info.copyright = map["copyright"].flatMap { nonEmptyString($0, at: "show.copyright") }
        if let value = map["locked"] { info.locked = bool(value, at: "show.locked") }
        if let value = map["chapters_in_notes"] { info.chaptersInNotes = bool(value, at: "show.chapters_in_notes") }
        return title == nil ? nil : info
    }

    private mutating func readSettings(_ value: JSONValue, at path: String) -> EpisodeSettings? {
        guard let map = mapping(value, at: path) else { return nil }
        checkKeys(map, known: Self.settingsKeys, at: path)
        var settings = EpisodeSettings()
        if let value = map["preset"], let name = string(value, at: "\(path).preset") {
            if LoudnessPreset(rawValue: name) == nil {
                issue(
                    "\(path).preset",
                    "unknown preset '\(name)' (known: \(LoudnessPreset.allCases.map(\.rawValue).joined(separator: ", ")))"
                )
            }
            settings.preset = name
        }
        if let value = map["target"], let lufs = number(value, at: "\(path).target", setting: .target, unit: "LUFS") {
            settings.targetLUFS = lufs
        }
        if let value = map["true_peak"],
            let dbtp = number(value, at: "\(path).true_peak", setting: .truePeak, unit: "dBTP")
        {
            settings.truePeakDBTP = dbtp
        }
        if let value = map["formats"] {
            let texts: [String]?
            if case .string(let single) = value {
                texts = [single]
            } else {
                texts = stringList(value, at: "\(path).formats")
            }
            if let texts {
                if texts.isEmpty { issue("\(path).formats", "the list is empty; give at least one format") }
                var specs: [OutputSpec] = []
                for (i, text) in texts.enumerated() {
                    let at = value.isArray ? "\(path).formats[\(i)]" : "\(path).formats"
                    do {
                        let spec = try OutputSpec(parsing: text)
                        if specs.contains(where: { $0.format == spec.format }) {
                            issue(
                                at,
                                "\(spec.format.rawValue) is listed twice; each format is one file named STEM.\(spec.format.fileExtension)"
                            )
                        }
                        specs.append(spec)
                    } catch {
                        issue(at, error.message)
                    }
                }
                settings.formats = specs
            }
        }
        if let value = map["bitrate"] {
            var text: String?
            if case .number(let n) = value {
                text = n.rounded() == n && abs(n) < 1e15 ? String(Int64(n)) : String(n)
            } else {
                text = string(value, at: "\(path).bitrate")
            }
            if let text {
                // Whether the formats take it is checked per episode (checkOutputs), where they are known.
                var digits = Substring(text.lowercased().trimmingCharacters(in: .whitespaces))
                if digits.hasSuffix("kbps") {
                    digits = digits.dropLast(4)
                } else if digits.hasSuffix("k") {
                    digits = digits.dropLast()
                }
                if let kbps = Int(digits), kbps > 0 {
                    settings.bitrateKbps = kbps
                } else {
                    issue("\(path).bitrate", "'\(text)' is not a bitrate in kbit/s like 128k")
                }
            }
        }
        if let value = map["trim"] { settings.trimSilence = bool(value, at: "\(path).trim") }
        if let value = map["leveler"] { settings.leveler = bool(value, at: "\(path).leveler") }
        for row in EpisodeSettings.tuning {
            guard let value = map[row.manifestKey] else { continue }
            if row.zeroMeansOff, value.meansOff {
                settings[keyPath: row.field] = 0
            } else if let number = number(
                value, at: "\(path).\(row.manifestKey)", setting: row.setting, unit: row.unit,
                allowsZero: row.zeroMeansOff)
            {
                settings[keyPath: row.field] = number
            }
        }
        return settings
    }

    private mutating func readEpisode(_ value: JSONValue, at path: String) -> EpisodeEntry? {
        guard let map = mapping(value, at: path) else { return nil }
        checkKeys(map, known: Self.episodeKeys, at: path)
        guard let fileValue = map["file"] else {
            issue("\(path).file", "missing; every episode needs its audio file")
            return nil
        }
        guard let file = nonEmptyString(fileValue, at: "\(path).file") else { return nil }
        checkFile(file, at: "\(path).file")
        var entry = EpisodeEntry(file: file)
        entry.title = map["title"].flatMap { nonEmptyString($0, at: "\(path).title") }
        entry.number = map["number"].flatMap { integer($0, at: "\(path).number", range: 0...1_000_000) }
        entry.season = map["season"].flatMap { integer($0, at: "\(path).season", range: 0...100_000) }
        if let value = map["date"], let text = string(value, at: "\(path).date") {
            if PublicationDate.parse(text) == nil {
                issue(
                    "\(path).date",
                    "'\(text)' is not a date: use ISO 8601 (2026-11-27 or 2026-11-27T10:00:00Z) or RFC 2822 (Fri, 27 Nov 2026 10:00:00 +0000)"
                )
            }
            entry.date = text
        }
        entry.description = map["description"].flatMap { nonEmptyString($0, at: "\(path).description") }?
            .trimmingCharacters(in: .whitespacesAndNewlines)
        if let value = map["chapters"], let chapters = nonEmptyString(value, at: "\(path).chapters") {
            checkFile(chapters, at: "\(path).chapters")
            entry.chapters = chapters
        }
        if let value = map["transcript"], let transcript = nonEmptyString(value, at: "\(path).transcript") {
            if Transcript.Format(pathExtension: (transcript as NSString).pathExtension) == nil {
                issue("\(path).transcript", "'\(transcript)' is not a .vtt or .srt file")
            } else {
                checkFile(transcript, at: "\(path).transcript")
            }
            entry.transcript = transcript
        }
        if let value = map["artwork"], let artwork = nonEmptyString(value, at: "\(path).artwork") {
            checkFile(artwork, at: "\(path).artwork")
            entry.artwork = artwork
        }
        entry.guid = map["guid"].flatMap { nonEmptyString($0, at: "\(path).guid") }
        if let value = map["soundbites"] { entry.soundbites = readSoundbites(value, at: "\(path).soundbites") }
        if let value = map["output"], let output = nonEmptyString(value, at: "\(path).output") {
            if OutputNaming.sanitizeStem(output) == nil {
                issue("\(path).output", "'\(output)' has nothing usable as a file name")
            }
            entry.output = output
        }
        entry.overrides = map["overrides"].flatMap { readSettings($0, at: "\(path).overrides") }
        return entry
    }

    /// `soundbites: [{start, duration, title}]`: seconds in the input's time, each 15–120 s long.
    private mutating func readSoundbites(_ value: JSONValue, at path: String) -> [Soundbite] {
        guard case .array(let items) = value else {
            issue(path, "expected a list of {start, duration, title}, found \(value.kindDescription)")
            return []
        }
        var bites: [Soundbite] = []
        for (i, item) in items.enumerated() {
            let at = "\(path)[\(i)]"
            guard let map = mapping(item, at: at) else { continue }
            checkKeys(map, known: Self.soundbiteKeys, at: at)
            func seconds(_ key: String) -> Double? {
                guard let value = map[key] else {
                    issue("\(at).\(key)", "missing; a soundbite needs start and duration in seconds")
                    return nil
                }
                let n: Double?
                switch value {
                case .number(let number): n = number
                case .string(let text): n = Double(text.trimmingCharacters(in: .whitespaces))
                default: n = nil
                }
                guard let n, n.isFinite, n >= 0, n < 1e7 else {
                    issue("\(at).\(key)", "expected seconds (a number from 0), found \(value.kindDescription)")
                    return nil
                }
                return n
            }
            let start = seconds("start")
            let duration = seconds("duration")
            if let duration, !Soundbite.durations.contains(duration) {
                issue(
                    "\(at).duration",
                    "\(duration) s is outside \(Int(Soundbite.durations.lowerBound))–\(Int(Soundbite.durations.upperBound)) s (Podcasting 2.0 soundbites)"
                )
            }
            let title = map["title"].flatMap { nonEmptyString($0, at: "\(at).title") }
            if let start, let duration {
                bites.append(Soundbite(startSeconds: start, durationSeconds: duration, title: title))
            }
        }
        return bites
    }

    /// Flags episodes that would write the same file (case-insensitively) or read the same input, and
    /// a `bitrate` that one of an episode's formats cannot take (reported where it was set, once).
    private mutating func checkOutputs(
        _ episodes: [EpisodeEntry?], defaults: EpisodeSettings, naming: OutputNamingScheme
    ) {
        var names: [[String]] = []
        var inputs: [String: Int] = [:]
        var bitrateIssues: [(path: String, issue: SettingIssue, episode: String, format: OutputFormat)] = []
        // A defaults `leveler_strength` is in use when one episode it reaches levels; until then, the
        // episodes it reaches with the leveler off.
        var defaultStrengthUsed = false
        var defaultStrengthUnused: [String] = []
        for (index, entry) in episodes.enumerated() {
            guard let entry else {
                names.append([])
                continue
            }
            let path = "episodes[\(index)]"
            let resolvedSettings = defaults.overridden(by: entry.overrides)
            if let kbps = resolvedSettings.bitrateKbps {
                let at = entry.overrides?.bitrateKbps != nil ? "\(path).overrides.bitrate" : "defaults.bitrate"
                for spec in resolvedSettings.formats ?? [OutputSpec(format: .mp3)] where spec.bitrateKbps == nil {
                    guard let found = EncoderSettings.bitrateIssue(kbps, format: spec.format),
                        !bitrateIssues.contains(where: { $0.path == at && $0.issue == found })
                    else { continue }
                    bitrateIssues.append((at, found, path, spec.format))
                }
            }
            if resolvedSettings.levelerStrength != nil {
                let levels = resolvedSettings.leveler == true
                if entry.overrides?.levelerStrength != nil {
                    if !levels {
                        issue(
                            "\(path).overrides.leveler_strength",
                            "leveler_strength needs the leveler, which is off for this episode; add 'leveler: true'")
                    }
                } else if levels {
                    defaultStrengthUsed = true
                } else {
                    defaultStrengthUnused.append(path)
                }
            }
            let key = entry.output != nil ? "output" : naming == .title && entry.title != nil ? "title" : "file"
            let resolved = SeasonPlan.resolve(entry.file, base: baseDirectory)
            if let earlier = inputs[resolved] {
                issue("\(path).file", "'\(entry.file)' is already episodes[\(earlier)]'s file")
            } else {
                inputs[resolved] = index
            }
            guard let stem = OutputNaming.stem(for: entry, scheme: naming) else {
                issue(
                    "\(path).\(key)",
                    "no usable output name can be made from '\(key == "file" ? entry.file : entry.title ?? "")'; set 'output'"
                )
                names.append([])
                continue
            }
            let settings = defaults.overridden(by: entry.overrides)
            let formats = settings.formats ?? [OutputSpec(format: .mp3)]
            var owned = formats.map { $0.fileName(stem: stem) }
            owned += OutputNaming.sidecarSuffixes.map { stem + $0 }
            names.append(owned)
        }
        // As `normalize --leveler-strength` needs `--leveler`: a strength the leveler never uses is a
        // mistake (the leveler forgotten), not a setting, once defaults and overrides are resolved.
        if !defaultStrengthUsed && !defaultStrengthUnused.isEmpty {
            let whom =
                defaultStrengthUnused.count == 1
                ? defaultStrengthUnused[0]
                : "every episode it applies to (\(defaultStrengthUnused.joined(separator: ", ")))"
            issue(
                "defaults.leveler_strength",
                "leveler_strength needs the leveler, which is off for \(whom); add 'leveler: true'")
        }
        for (at, found, episode, format) in bitrateIssues {
            issue(at, "\(found.value) \(found.rule) (\(episode) writes \(format.rawValue))")
        }
        for collision in OutputNaming.collisions(names) {
            let entry = episodes[collision.index]!
            let key = entry.output != nil ? "output" : naming == .title && entry.title != nil ? "title" : "file"
            issue(
                "episodes[\(collision.index)].\(key)",
                "output name '\(collision.name)' is also written by episodes[\(collision.earlier)]; set 'output' to tell them apart"
            )
        }
    }

    // MARK: - Values
}
