import Foundation
import PodsmithKit

/// One episode with every setting resolved: what an ``EpisodeProcessor`` needs to produce its
/// outputs, and nothing it has to look up elsewhere.
///
/// Built-in defaults (used when neither the episode nor the season's `defaults` set a value):
/// preset `podcast` (−16 LUFS, −1 dBTP), formats `[mp3]`, encoder-default bitrate, silence trimmed (as `normalize` does),
/// the processor's default trim threshold, no pause shortening.
public struct EpisodeJob: Sendable, Equatable {
    /// Stable identity of the episode: its input path relative to the manifest (or the file name in
    /// directory mode), with `/` separators. Shards and state are keyed on it or on ``outputStem``.
    public var identity: String
    /// Position in the season (manifest order, or sorted file names in directory mode).
    public var index: Int
    /// Absolute path of the raw audio.
    public var inputPath: String
    /// Stem every output of this episode is named after (`STEM.mp3`, `STEM.report.json`).
    public var outputStem: String
    /// The files to write, one per entry, each with its bitrate resolved.
    public var outputs: [OutputSpec]
    /// The preset's name, when the target came from one.
    public var presetName: String
    /// Loudness target (the preset's, with `target` / `true_peak` overrides applied).
    public var target: LoudnessTarget
    /// Whether leading and trailing silence is trimmed.
    public var trimSilence: Bool
    /// Whether the speech leveler runs (`leveler: true` in the manifest).
    public var leveler = false
    /// The ``EpisodeSettings/tuning`` values the manifest set (trim threshold, longest pause, …); a
    /// setting not listed keeps `normalize`'s default.
    public var tuning: [Setting: Double]
    /// Tags and feed fields.
    public var metadata: EpisodeDescription

    public init(
        identity: String, index: Int, inputPath: String, outputStem: String, outputs: [OutputSpec],
        presetName: String = LoudnessPreset.podcast.rawValue,
        target: LoudnessTarget = LoudnessPreset.podcast.target, trimSilence: Bool = false,
        tuning: [Setting: Double] = [:], metadata: EpisodeDescription
    ) {
        self.identity = identity
        self.index = index
        self.inputPath = inputPath
        self.outputStem = outputStem
        self.outputs = outputs
        self.presetName = presetName
        self.target = target
        self.trimSilence = trimSilence
        self.tuning = tuning
        self.metadata = metadata
    }

    /// The audio output file names, in ``outputs`` order.
    public var outputFileNames: [String] { outputs.map { $0.fileName(stem: outputStem) } }

    /// Every file name this episode may own in the output folder (audio outputs and sidecars), used
    /// to detect collisions between episodes.
    public var ownedFileNames: [String] {
        outputFileNames + OutputNaming.sidecarSuffixes.map { outputStem + $0 }
    }

    /// Files besides the audio whose content goes into the outputs (chapters, artwork, transcript): a change to
    /// any of them makes the episode out of date, like a change to the audio.
    public var auxiliaryInputPaths: [String] {
        [metadata.chaptersPath, metadata.artworkPath, metadata.transcriptPath].compactMap { $0 }
    }

    /// A canonical description of every setting that affects the outputs (formats, bitrates,
    /// target, trimming, the leveler, every ``tuning`` value, tags, output names), as sorted-key JSON.
    ///
    /// Two jobs with the same fingerprint and the same input content produce the same files, so the
    /// incremental run compares fingerprints to decide whether an episode must be redone. Input
    /// paths are not part of it (moving the raw files does not change the result), content is
    /// tracked separately by ``SeasonState``.
    public var settingsFingerprint: String {
        var fields: [String: JSONValue] = [
            "fingerprintVersion": .number(2),
            "stem": .string(outputStem),
            "outputs": .array(outputs.map { .string($0.description) }),
            "preset": .string(presetName),
            "targetLUFS": .number(target.integratedLUFS),
            "truePeakDBTP": .number(target.truePeakDBTP),
            "trimSilence": .bool(trimSilence),
            "tuning": .object(Dictionary(uniqueKeysWithValues: tuning.map { ($0.key.manifestKey, .number($0.value)) })),
        ]
        // Only when on: a season that never asks for the leveler keeps the fingerprints it had.
        if leveler { fields["leveler"] = .bool(true) }
        fields["metadata"] = metadata.fingerprintValue
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        // Encoding a JSONValue cannot fail (no non-finite numbers reach here: the reader rejects them).
        let data = (try? encoder.encode(JSONValue.object(fields))) ?? Data()
        return String(decoding: data, as: UTF8.self)
    }
}

/// Tags written into the outputs and fields of the feed item.
public struct EpisodeDescription: Sendable, Equatable {
    /// Episode title (ID3 `TIT2`).
    public var title: String
    /// The show's title, written as the album (`TALB`).
    public var album: String?
    /// The show's author, written as the artist (`TPE1`).
    public var artist: String?
    /// Episode number (track number `TRCK`, `itunes:episode`).
    public var number: Int?
    /// Season number (`itunes:season`).
    public var season: Int?
    /// Publication instant.
    public var date: Date?
    /// Show notes.
    public var description: String?
    /// Absolute path of the cover art (the episode's own, else the show's).
    public var artworkPath: String?
    /// Absolute path of the chapters file.
    public var chaptersPath: String?
    /// Absolute path of the transcript (WebVTT or SRT).
    public var transcriptPath: String?
    /// The feed item's guid as the manifest gives it (`nil`: derived, see ``SeasonPublisher``).
    /// Not part of the fingerprint: it changes the feed, not the files.
    public var guid: String?
    /// `<podcast:soundbite>`s in the input's time, re-timed when the feed is written (not part of the
    /// fingerprint either: they change the feed, not the files).
    public var soundbites: [Soundbite] = []

    public init(
        title: String, album: String? = nil, artist: String? = nil, number: Int? = nil, season: Int? = nil,
        date: Date? = nil, description: String? = nil, artworkPath: String? = nil, chaptersPath: String? = nil,
        transcriptPath: String? = nil
    ) {
        self.title = title
        self.album = album
        self.artist = artist
        self.number = number
        self.season = season
        self.date = date
        self.description = description
        self.artworkPath = artworkPath
        self.chaptersPath = chaptersPath
        self.transcriptPath = transcriptPath
    }

    fileprivate var fingerprintValue: JSONValue {
        func text(_ value: String?) -> JSONValue { value.map { .string($0) } ?? .null }
        func integer(_ value: Int?) -> JSONValue { value.map { .number(Double($0)) } ?? .null }
        return .object([
            "title": .string(title),
            "album": text(album),
            "artist": text(artist),
            "number": integer(number),
            "season": integer(season),
            "date": text(date.map(PublicationDate.iso8601)),
            "description": text(description),
            // Only whether there is artwork or chapters: their content is tracked as an input.
            "artwork": .bool(artworkPath != nil),
            "chapters": .bool(chaptersPath != nil),
            "transcript": .bool(transcriptPath != nil),
        ])
    }
}
