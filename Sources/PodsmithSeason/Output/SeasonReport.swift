import Foundation
import PodsmithKit

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

/// Season totals in `report.json`.
public struct SeasonTotals: Codable, Sendable, Equatable {
    public var episodes: Int
    public var succeeded: Int
    public var withWarnings: Int
    public var failed: Int
    /// Of ``succeeded``, the episodes this run found up to date and did not process again (0 for
    /// `--merge`, which processes nothing and cannot tell).
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
    /// Of ``warnings``, the lint errors (`FILE: lint error: …`): what the console summary counts as
    /// "N lint errors", so that the two agree.
    public var lintErrors: Int
    /// Largest |output integrated − target| over the measured outputs, LU; `nil` when none was measured.
    public var maxDeviationLU: Double?

    enum CodingKeys: String, CodingKey {
        case episodes, succeeded, failed, skipped, warnings
        case withWarnings = "with_warnings"
        case lintErrors = "lint_errors"
        case inputDurationSeconds = "input_duration_s"
        case outputDurationSeconds = "output_duration_s"
        case removedSeconds = "removed_s"
        case sizeBytes = "size_bytes"
        case maxDeviationLU = "max_deviation_lu"
    }

    /// Totals over `entries` for a season aimed at `targetLUFS`; `upToDate` names the episodes (by
    /// stem) that the run found up to date.
    public init(entries: [EpisodeReportEntry], targetLUFS: Double, upToDate: Set<String> = []) {
        episodes = entries.count
        succeeded = entries.filter { $0.status == .ok || $0.status == .warning }.count
        withWarnings = entries.filter { $0.status == .warning }.count
        failed = entries.filter { $0.status == .failed }.count
        skipped =
            entries.filter { $0.status == .skipped || ($0.status != .failed && upToDate.contains($0.episode)) }
            .count
        inputDurationSeconds = entries.compactMap { $0.input?.durationSeconds.finiteOrNil }.reduce(0, +)
        outputDurationSeconds = entries.compactMap { $0.outputDurationSeconds.finiteOrNil }.reduce(0, +)
        removedSeconds = entries.map(\.removedSeconds.finiteOrZero).reduce(0, +)
        sizeBytes = entries.flatMap(\.outputs).map(\.sizeBytes).reduce(0, +)
        warnings = entries.map(\.warnings.count).reduce(0, +)
        lintErrors = entries.map { $0.warnings.filter(SeasonSummary.isLintError).count }.reduce(0, +)
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
        try c.encode(lintErrors, forKey: .lintErrors)
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

    /// A report over `episodes` with totals computed from them (`upToDate`: stems this run skipped).
    public init(
        title: String?, target: LoudnessTarget, episodes: [EpisodeReportEntry], generatedAt: Date? = nil,
        upToDate: Set<String> = []
    ) {
        version = 1
        self.title = title
        targetLUFS = target.integratedLUFS
        truePeakCeilingDBTP = target.truePeakDBTP
        self.generatedAt = generatedAt.map { ISO8601DateFormatter().string(from: $0) }
        self.episodes = episodes
        totals = SeasonTotals(entries: episodes, targetLUFS: target.integratedLUFS, upToDate: upToDate)
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
