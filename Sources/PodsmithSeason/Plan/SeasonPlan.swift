import Foundation
import PodsmithKit

/// A season ready to run: the show and one resolved ``EpisodeJob`` per episode, in season order.
///
/// Made from a manifest (``load(path:)`` / ``init(manifest:baseDirectory:manifestPath:)``) or from a
/// folder of audio files (``directory(_:titleReader:)``).
public struct SeasonPlan: Sendable {
    /// The show (artwork and paths as written in the manifest).
    public var show: ShowInfo
    /// Absolute path of the show's artwork, if any.
    public var showArtworkPath: String?
    /// The episodes, in season order.
    public var jobs: [EpisodeJob]
    /// The folder the manifest's relative paths start from (the folder itself in directory mode).
    public var baseDirectory: String
    /// The manifest file, `nil` in directory mode.
    public var manifestPath: String?

    public init(
        show: ShowInfo, showArtworkPath: String? = nil, jobs: [EpisodeJob], baseDirectory: String,
        manifestPath: String? = nil
    ) {
        self.show = show
        self.showArtworkPath = showArtworkPath
        self.jobs = jobs
        self.baseDirectory = baseDirectory
        self.manifestPath = manifestPath
    }

    /// Loads a season from `path`: a folder (directory mode) or a YAML/JSON manifest.
    /// - Throws: ``ManifestValidationError`` listing every problem; nothing has been written.
    public static func load(path: String) throws(ManifestValidationError) -> SeasonPlan {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw ManifestValidationError([ManifestIssue(path: "", message: "no such file or folder: \(path)")])
        }
        if isDirectory.boolValue { return try directory(path) }
        let (manifest, base) = try SeasonManifest.load(path: path)
        return SeasonPlan(manifest: manifest, baseDirectory: base, manifestPath: path)
    }

    /// Resolves a validated manifest into jobs.
    ///
    /// Each episode's settings are its overrides over the season's defaults over the built-in
    /// defaults (see ``EpisodeJob``); a format without a bitrate takes the settings' `bitrate`.
    public init(manifest: SeasonManifest, baseDirectory: String, manifestPath: String? = nil) {
        let show = manifest.show
        let showArtwork = show.artwork.map { Self.resolve($0, base: baseDirectory) }
        var jobs: [EpisodeJob] = []
        for (index, entry) in manifest.episodes.enumerated() {
            let settings = manifest.defaults.overridden(by: entry.overrides)
            let preset = settings.preset.flatMap(LoudnessPreset.init(rawValue:)) ?? .podcast
            var target = preset.target
            if let lufs = settings.targetLUFS { target.integratedLUFS = lufs }
            if let dbtp = settings.truePeakDBTP { target.truePeakDBTP = dbtp }
            let outputs = (settings.formats ?? [OutputSpec(format: .mp3)]).map { spec -> OutputSpec in
                var resolved = spec
                if resolved.bitrateKbps == nil, spec.format.isLossy {
                    resolved.bitrateKbps = settings.bitrateKbps
                }
                return resolved
            }
            let fileStem = PathText.stem(entry.file)
            let stem = OutputNaming.stem(for: entry, scheme: manifest.naming) ?? "episode-\(index + 1)"
            var metadata = EpisodeDescription(
                title: entry.title ?? fileStem,
                album: show.title,
                artist: show.author,
                number: entry.number,
                season: entry.season,
                date: entry.date.flatMap(PublicationDate.parse),
                description: entry.description,
                artworkPath: entry.artwork.map { Self.resolve($0, base: baseDirectory) } ?? showArtwork,
                chaptersPath: entry.chapters.map { Self.resolve($0, base: baseDirectory) },
                transcriptPath: entry.transcript.map { Self.resolve($0, base: baseDirectory) })
            metadata.guid = entry.guid
            metadata.soundbites = entry.soundbites ?? []
            jobs.append(
                EpisodeJob(
                    identity: Self.identity(of: entry.file),
                    index: index,
                    inputPath: Self.resolve(entry.file, base: baseDirectory),
                    outputStem: stem,
                    outputs: outputs,
                    presetName: preset.rawValue,
                    target: target,
                    trimSilence: settings.trimSilence ?? true,
                    tuning: settings.tuningValues,
                    metadata: metadata))
            jobs[jobs.count - 1].leveler = settings.leveler ?? false
        }
        self.init(
            show: show, showArtworkPath: showArtwork, jobs: jobs, baseDirectory: baseDirectory,
            manifestPath: manifestPath)
    }

    /// Extensions directory mode treats as audio (what libsndfile reads here, MP3 and Ogg included).
    public static let audioExtensions: Set<String> = [
        "wav", "wave", "flac", "mp3", "ogg", "opus", "aif", "aiff",
        "aifc", "w64", "rf64", "caf",
    ]

    /// A season of every audio file directly in `folder` (not in subfolders), sorted by name:
    /// titles from each file's title tag or else its name, the `podcast` preset, MP3 output, the
    /// folder's name as the show title.
    /// - Parameter titleReader: reads a file's title tag (the default opens it with libsndfile).
    /// - Throws: ``ManifestValidationError`` when the folder has no audio or two files share a stem.
    public static func directory(
        _ folder: String,
        titleReader: (String) -> String? = { try? AudioFileOpener.open(path: $0).tags["title"] }
    )
        throws(ManifestValidationError) -> SeasonPlan
    {
        let base = URL(fileURLWithPath: folder).standardizedFileURL.path
        let names: [String]
        do {
            names = try FileManager.default.contentsOfDirectory(atPath: base)
        } catch {
            throw ManifestValidationError([
                ManifestIssue(path: "", message: "\(folder): cannot list the folder: \(error.localizedDescription)")
            ])
        }
        let audio = names.filter { name in
            guard !name.hasPrefix("."), audioExtensions.contains((name as NSString).pathExtension.lowercased()) else {
                return false
            }
            var isDirectory: ObjCBool = false
            return FileManager.default.fileExists(
                atPath: (base as NSString).appendingPathComponent(name), isDirectory: &isDirectory)
                && !isDirectory.boolValue
        }.sorted()
        guard !audio.isEmpty else {
            throw ManifestValidationError([
                ManifestIssue(
                    path: "",
                    message:
                        "\(folder): no audio files (looked for \(audioExtensions.sorted().joined(separator: ", ")))")
            ])
        }
        let entries = audio.map { name -> EpisodeEntry in
            let path = (base as NSString).appendingPathComponent(name)
            let tagged = titleReader(path)?.trimmingCharacters(in: .whitespacesAndNewlines)
            let stem = (name as NSString).deletingPathExtension
            let title = tagged.flatMap { $0.isEmpty ? nil : $0 } ?? stem.replacingOccurrences(of: "_", with: " ")
            return EpisodeEntry(file: name, title: title)
        }
        var issues: [ManifestIssue] = []
        let stems = entries.map { OutputNaming.stem(for: $0, scheme: .stem) }
        for (index, stem) in stems.enumerated() where stem == nil {
            issues.append(
                ManifestIssue(
                    path: entries[index].file, message: "no usable output name can be made from this file name"))
        }
        for collision in OutputNaming.collisions(stems.map { $0.map { ["\($0).mp3"] } ?? [] }) {
            issues.append(
                ManifestIssue(
                    path: entries[collision.index].file,
                    message:
                        "output name '\(collision.name)' is also written for \(entries[collision.earlier].file); rename one or use a manifest"
                ))
        }
        if !issues.isEmpty { throw ManifestValidationError(issues) }
        let show = ShowInfo(title: PathText.lastComponent(base))
        let manifest = SeasonManifest(show: show, episodes: entries)
        return SeasonPlan(manifest: manifest, baseDirectory: base)
    }

    /// The plan restricted to one shard's episodes (season order kept).
    public func restricted(to shard: ShardSelector?) -> SeasonPlan {
        guard let shard else { return self }
        var copy = self
        copy.jobs = jobs.filter { shard.contains($0) }
        return copy
    }

    /// `path` made absolute against `base` (absolute paths and `~` are kept), standardized.
    public static func resolve(_ path: String, base: String) -> String {
        let expanded = (path as NSString).expandingTildeInPath
        let absolute = expanded.hasPrefix("/") ? expanded : (base as NSString).appendingPathComponent(expanded)
        return URL(fileURLWithPath: absolute).standardizedFileURL.path
    }

    /// The stable identity of an episode file as written: `./raw//ep1.wav` → `raw/ep1.wav`.
    public static func identity(of path: String) -> String {
        var parts: [Substring] = []
        for part in path.split(separator: "/", omittingEmptySubsequences: true) where part != "." {
            parts.append(part)
        }
        return (path.hasPrefix("/") ? "/" : "") + parts.joined(separator: "/")
    }
}
