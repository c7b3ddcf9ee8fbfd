import Foundation
import PodsmithKit

/// Loudness figures of one file in `report.json`, in named units.
///
/// Every figure is optional: BS.1770-4 defines no integrated loudness for silence, and an episode that
/// failed has no output. A missing or non-finite figure is written as JSON `null`, never dropped, so a
/// script reading the report sees the same keys for every episode.
public struct ReportLoudness: Codable, Sendable, Equatable {
    /// Gated integrated loudness, LUFS (BS.1770-4 §2.8).
    public var integratedLUFS: Double?
    /// Largest inter-sample peak, dBTP (BS.1770-4 Annex 2).
    public var truePeakDBTP: Double?
    /// Loudness range, LU (EBU Tech 3342).
    public var loudnessRangeLU: Double?
    /// Largest short-term (3 s) loudness, LUFS.
    public var maxShortTermLUFS: Double?
    /// Duration, seconds.
    public var durationSeconds: Double?

    /// The measurement's own keys (`measure --json`): the season publishes a part of them.
    typealias CodingKeys = LoudnessMeasurement.CodingKeys

    public init(
        integratedLUFS: Double?, truePeakDBTP: Double?, loudnessRangeLU: Double? = nil,
        maxShortTermLUFS: Double? = nil, durationSeconds: Double?
    ) {
        self.integratedLUFS = integratedLUFS
        self.truePeakDBTP = truePeakDBTP
        self.loudnessRangeLU = loudnessRangeLU
        self.maxShortTermLUFS = maxShortTermLUFS
        self.durationSeconds = durationSeconds
    }

    /// The figures of a meter's measurement.
    public init(_ measurement: LoudnessMeasurement) {
        self.init(
            integratedLUFS: measurement.integratedLUFS, truePeakDBTP: measurement.truePeakDBTP,
            loudnessRangeLU: measurement.loudnessRangeLU, maxShortTermLUFS: measurement.maxShortTermLUFS,
            durationSeconds: measurement.durationSeconds)
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init(
            integratedLUFS: try c.decodeIfPresent(Double.self, forKey: .integratedLUFS),
            truePeakDBTP: try c.decodeIfPresent(Double.self, forKey: .truePeakDBTP),
            loudnessRangeLU: try c.decodeIfPresent(Double.self, forKey: .loudnessRangeLU),
            maxShortTermLUFS: try c.decodeIfPresent(Double.self, forKey: .maxShortTermLUFS),
            durationSeconds: try c.decodeIfPresent(Double.self, forKey: .durationSeconds))
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(integratedLUFS.finiteOrNil, forKey: .integratedLUFS)
        try c.encode(truePeakDBTP.finiteOrNil, forKey: .truePeakDBTP)
        try c.encode(loudnessRangeLU.finiteOrNil, forKey: .loudnessRangeLU)
        try c.encode(maxShortTermLUFS.finiteOrNil, forKey: .maxShortTermLUFS)
        try c.encode(durationSeconds.finiteOrNil, forKey: .durationSeconds)
    }
}

/// One file written for an episode (one per output format).
public struct ReportOutputFile: Codable, Sendable, Equatable {
    /// File name relative to the season's output folder.
    public var file: String
    /// Format name (`mp3`, `flac`, …).
    public var format: String
    /// Exact size on disk, bytes (what the feed's enclosure length states).
    public var sizeBytes: Int64

    enum CodingKeys: String, CodingKey {
        case file, format
        case sizeBytes = "size_bytes"
    }

    public init(file: String, format: String, sizeBytes: Int64) {
        self.file = file
        self.format = format
        self.sizeBytes = sizeBytes
    }
}

/// How an episode's run ended.
public enum EpisodeStatus: String, Codable, Sendable, CaseIterable {
    /// Written, and nothing to report.
    case ok
    /// Written, with warnings (capped gain, a lint warning, …).
    case warning
    /// Not written: the episode failed (see `error`).
    case failed
    /// Not processed this run because its outputs were already up to date.
    case skipped
}

/// One episode's line in `report.json`: what went in, what came out and what was done to it.
public struct EpisodeReportEntry: Codable, Sendable, Equatable {
    /// The episode's identifier in the season (manifest key or input file stem).
    public var episode: String
    /// Display title.
    public var title: String?
    /// Input file, as given in the manifest.
    public var inputFile: String
    public var status: EpisodeStatus
    /// Why the episode failed (`nil` unless `status` is `failed`).
    public var error: String?
    /// Input as measured before processing.
    public var input: ReportLoudness
    /// The written file, decoded and measured; `nil` when it was not written or not verified.
    public var output: ReportLoudness?
    /// The single gain applied, dB.
    public var gainDB: Double?
    /// True when the gain was capped and the target was not reached.
    public var gainCapped: Bool
    /// Largest limiter gain reduction, dB (0 when it never acted).
    public var limiterMaxReductionDB: Double
    /// Time the limiter reduced the gain, seconds.
    public var limitedSeconds: Double
    /// Silence removed at the start, seconds.
    public var trimmedHeadSeconds: Double
    /// Silence removed at the end, seconds.
    public var trimmedTailSeconds: Double
    /// Pauses shortened.
    public var pausesShortened: Int
    /// Total time removed (trims and pause cuts), seconds.
    public var removedSeconds: Double
    /// Render passes.
    public var passes: Int
    /// Files written, the feed's enclosure first.
    public var outputs: [ReportOutputFile]
    /// Things the listener-facing result may suffer from.
    public var warnings: [String]
    /// True when the output is mono normalized as dual-mono: it measures 3.01 LU under the target as one
    /// channel, by design (AES TD1004).
    public var dualMono: Bool

    /// The keys of the season alone; every figure is written under the key `normalize --json` gives it
    /// (``NormalizeReport/CodingKeys``), so the two reports cannot drift apart.
    enum SeasonKeys: String, CodingKey {
        case episode, title, status, error, outputs
    }

    typealias ReportKeys = NormalizeReport.CodingKeys

    public init(
        episode: String, title: String? = nil, inputFile: String, status: EpisodeStatus,
        error: String? = nil, input: ReportLoudness, output: ReportLoudness?, gainDB: Double?,
        gainCapped: Bool = false, limiterMaxReductionDB: Double = 0, limitedSeconds: Double = 0,
        trimmedHeadSeconds: Double = 0, trimmedTailSeconds: Double = 0, pausesShortened: Int = 0,
        removedSeconds: Double = 0, passes: Int = 0, outputs: [ReportOutputFile] = [],
        warnings: [String] = [], dualMono: Bool = false
    ) {
        self.episode = episode
        self.title = title
        self.inputFile = inputFile
        self.status = status
        self.error = error
        self.input = input
        self.output = output
        self.gainDB = gainDB
        self.gainCapped = gainCapped
        self.limiterMaxReductionDB = limiterMaxReductionDB
        self.limitedSeconds = limitedSeconds
        self.trimmedHeadSeconds = trimmedHeadSeconds
        self.trimmedTailSeconds = trimmedTailSeconds
        self.pausesShortened = pausesShortened
        self.removedSeconds = removedSeconds
        self.passes = passes
        self.outputs = outputs
        self.warnings = warnings
        self.dualMono = dualMono
    }

    /// The entry for an episode that `normalize` processed: the part of its report that the season
    /// publishes (the loudness figures the season tracks, what was done; not the target, which is the
    /// season's, nor the MP3 seams).
    /// - Parameters:
    ///   - episode: the episode's identifier in the season.
    ///   - title: display title.
    ///   - report: what `normalize` did.
    ///   - outputs: the files written, the feed's enclosure first.
    ///   - warnings: the episode's warnings; default: the report's.
    public init(
        episode: String, title: String? = nil, report: NormalizeReport, outputs: [ReportOutputFile],
        warnings: [String]? = nil
    ) {
        let warnings = warnings ?? report.warnings
        self.init(
            episode: episode, title: title, inputFile: report.inputFile,
            status: warnings.isEmpty ? .ok : .warning, input: ReportLoudness(report.input),
            output: report.output.map(ReportLoudness.init), gainDB: report.gainDB,
            gainCapped: report.gainCapped, limiterMaxReductionDB: report.limiterMaxReductionDB,
            limitedSeconds: report.limitedSeconds, trimmedHeadSeconds: report.trimmedHeadSeconds,
            trimmedTailSeconds: report.trimmedTailSeconds, pausesShortened: report.pausesShortened,
            removedSeconds: report.removedSeconds, passes: report.passes, outputs: outputs,
            warnings: warnings, dualMono: report.dualMono)
    }

    public init(from decoder: any Decoder) throws {
        let season = try decoder.container(keyedBy: SeasonKeys.self)
        let c = try decoder.container(keyedBy: ReportKeys.self)
        self.init(
            episode: try season.decode(String.self, forKey: .episode),
            title: try season.decodeIfPresent(String.self, forKey: .title),
            inputFile: try c.decode(String.self, forKey: .inputFile),
            status: try season.decode(EpisodeStatus.self, forKey: .status),
            error: try season.decodeIfPresent(String.self, forKey: .error),
            input: try c.decode(ReportLoudness.self, forKey: .input),
            output: try c.decodeIfPresent(ReportLoudness.self, forKey: .output),
            gainDB: try c.decodeIfPresent(Double.self, forKey: .gainDB),
            gainCapped: try c.decode(Bool.self, forKey: .gainCapped),
            limiterMaxReductionDB: try c.decode(Double.self, forKey: .limiterMaxReductionDB),
            limitedSeconds: try c.decode(Double.self, forKey: .limitedSeconds),
            trimmedHeadSeconds: try c.decode(Double.self, forKey: .trimmedHeadSeconds),
            trimmedTailSeconds: try c.decode(Double.self, forKey: .trimmedTailSeconds),
            pausesShortened: try c.decode(Int.self, forKey: .pausesShortened),
            removedSeconds: try c.decode(Double.self, forKey: .removedSeconds),
            passes: try c.decode(Int.self, forKey: .passes),
            outputs: try season.decode([ReportOutputFile].self, forKey: .outputs),
            warnings: try c.decode([String].self, forKey: .warnings),
            dualMono: try c.decode(Bool.self, forKey: .dualMono))
    }

    public func encode(to encoder: any Encoder) throws {
        var season = encoder.container(keyedBy: SeasonKeys.self)
        try season.encode(episode, forKey: .episode)
        try season.encode(title, forKey: .title)
        try season.encode(status, forKey: .status)
        try season.encode(error, forKey: .error)
        try season.encode(outputs, forKey: .outputs)
        var c = encoder.container(keyedBy: ReportKeys.self)
        try c.encode(inputFile, forKey: .inputFile)
        try c.encode(input, forKey: .input)
        try c.encode(output, forKey: .output)
        try c.encode(gainDB.finiteOrNil, forKey: .gainDB)
        try c.encode(gainCapped, forKey: .gainCapped)
        try c.encode(limiterMaxReductionDB.finiteOrZero, forKey: .limiterMaxReductionDB)
        try c.encode(limitedSeconds.finiteOrZero, forKey: .limitedSeconds)
        try c.encode(trimmedHeadSeconds.finiteOrZero, forKey: .trimmedHeadSeconds)
        try c.encode(trimmedTailSeconds.finiteOrZero, forKey: .trimmedTailSeconds)
        try c.encode(pausesShortened, forKey: .pausesShortened)
        try c.encode(removedSeconds.finiteOrZero, forKey: .removedSeconds)
        try c.encode(passes, forKey: .passes)
        try c.encode(warnings, forKey: .warnings)
        try c.encode(dualMono, forKey: .dualMono)
    }

    /// Output duration when measured, else input duration minus what was removed.
    var outputDurationSeconds: Double? {
        if let d = output?.durationSeconds { return d }
        guard status != .failed, let d = input.durationSeconds else { return nil }
        return max(0, d - removedSeconds)
    }
}

/// Season totals in `report.json`.
public struct SeasonTotals: Codable, Sendable, Equatable {
    public var episodes: Int
    public var succeeded: Int
    public var withWarnings: Int
    public var failed: Int
    public var skipped: Int
    /// Sum of input durations, seconds.
    public var inputDurationSeconds: Double
    /// Sum of output durations, seconds.
    public var outputDurationSeconds: Double
    /// Sum of time removed, seconds.
    public var removedSeconds: Double
    /// Sum of every output file's size, bytes.
    public var sizeBytes: Int64
    /// Number of warnings over all episodes.
    public var warnings: Int
    /// Largest |output integrated − target| over the measured outputs, LU; `nil` when none was measured.
    public var maxDeviationLU: Double?

    enum CodingKeys: String, CodingKey {
        case episodes, succeeded, failed, skipped, warnings
        case withWarnings = "with_warnings"
        case inputDurationSeconds = "input_duration_s"
        case outputDurationSeconds = "output_duration_s"
        case removedSeconds = "removed_s"
        case sizeBytes = "size_bytes"
        case maxDeviationLU = "max_deviation_lu"
    }

    /// Totals over `entries` for a season aimed at `targetLUFS`.
    public init(entries: [EpisodeReportEntry], targetLUFS: Double) {
        episodes = entries.count
        succeeded = entries.filter { $0.status == .ok || $0.status == .warning }.count
        withWarnings = entries.filter { $0.status == .warning }.count
        failed = entries.filter { $0.status == .failed }.count
        skipped = entries.filter { $0.status == .skipped }.count
        inputDurationSeconds = entries.compactMap { $0.input.durationSeconds.finiteOrNil }.reduce(0, +)
        outputDurationSeconds = entries.compactMap { $0.outputDurationSeconds.finiteOrNil }.reduce(0, +)
        removedSeconds = entries.map(\.removedSeconds.finiteOrZero).reduce(0, +)
        sizeBytes = entries.flatMap(\.outputs).map(\.sizeBytes).reduce(0, +)
        warnings = entries.map(\.warnings.count).reduce(0, +)
        // A dual-mono output is heard 3.01 LU louder than it measures on its one channel.
        maxDeviationLU = entries.compactMap { entry in
            entry.output?.integratedLUFS.finiteOrNil.map {
                (entry.dualMono ? MonoConvention.dualMono : .singleChannel).perceivedLoudness(measured: $0, channels: 1)
            }
        }.map { abs($0 - targetLUFS) }.max()
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(episodes, forKey: .episodes)
        try c.encode(succeeded, forKey: .succeeded)
        try c.encode(withWarnings, forKey: .withWarnings)
        try c.encode(failed, forKey: .failed)
        try c.encode(skipped, forKey: .skipped)
        try c.encode(inputDurationSeconds, forKey: .inputDurationSeconds)
        try c.encode(outputDurationSeconds, forKey: .outputDurationSeconds)
        try c.encode(removedSeconds, forKey: .removedSeconds)
        try c.encode(sizeBytes, forKey: .sizeBytes)
        try c.encode(warnings, forKey: .warnings)
        try c.encode(maxDeviationLU, forKey: .maxDeviationLU)
    }
}

/// `report.json`: the whole season, per episode and in total.
///
/// Keys are snake_case with the unit in the name (`_lufs`, `_dbtp`, `_db`, `_lu`, `_s`, `_bytes`), so the
/// file reads without this documentation. Encode it with ``jsonData()``.
public struct SeasonReport: Codable, Sendable, Equatable {
    /// Format version of this file, raised when a key changes meaning.
    public var version: Int
    /// Season title.
    public var title: String?
    /// Target integrated loudness, LUFS.
    public var targetLUFS: Double
    /// True-peak ceiling, dBTP.
    public var truePeakCeilingDBTP: Double
    /// When the report was written (ISO 8601, UTC).
    public var generatedAt: String?
    public var episodes: [EpisodeReportEntry]
    public var totals: SeasonTotals

    enum CodingKeys: String, CodingKey {
        case version, title, episodes, totals
        case targetLUFS = "target_lufs"
        case truePeakCeilingDBTP = "true_peak_ceiling_dbtp"
        case generatedAt = "generated_at"
    }

    /// A report over `episodes` with totals computed from them.
    public init(title: String?, target: LoudnessTarget, episodes: [EpisodeReportEntry], generatedAt: Date? = nil) {
        version = 1
        self.title = title
        targetLUFS = target.integratedLUFS
        truePeakCeilingDBTP = target.truePeakDBTP
        self.generatedAt = generatedAt.map { ISO8601DateFormatter().string(from: $0) }
        self.episodes = episodes
        totals = SeasonTotals(entries: episodes, targetLUFS: target.integratedLUFS)
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(version, forKey: .version)
        try c.encode(title, forKey: .title)
        try c.encode(targetLUFS, forKey: .targetLUFS)
        try c.encode(truePeakCeilingDBTP, forKey: .truePeakCeilingDBTP)
        try c.encode(generatedAt, forKey: .generatedAt)
        try c.encode(episodes, forKey: .episodes)
        try c.encode(totals, forKey: .totals)
    }

    /// The report as pretty-printed JSON with sorted keys (stable diffs between runs).
    public func jsonData() throws -> Data {
        try JSONEncoder.podsmith.encode(self)
    }
}
