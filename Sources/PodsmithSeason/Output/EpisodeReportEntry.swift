import Foundation
import PodsmithKit

/// One episode's line in `report.json` (and the `report` of its `STEM.report.json`): the season's
/// facts about the episode around the ``NormalizeReport`` that `normalize` made for it.
///
/// Why containment: the season publishes what `normalize --json` says, under the same keys and with
/// the same null rules, so a field added to the report reaches `report.json` by itself. The JSON is
/// flat: the season's keys (`episode`, `title`, `status`, `error`, `outputs`, `cuts`) beside every key of
/// ``NormalizeReport/CodingKeys``. A failed episode has no report; it writes `null` under every report
/// key but `input_file`, so a script sees the same keys for every episode.
public struct EpisodeReportEntry: Codable, Sendable, Equatable {
    /// The episode's identifier in the season (its output stem).
    public var episode: String
    /// Display title.
    public var title: String?
    public var status: EpisodeStatus
    /// Why the episode failed (`nil` unless `status` is `failed`).
    public var error: String?
    /// Files written, the feed's enclosure first.
    public var outputs: [ReportOutputFile]
    /// What `normalize` did for the first output (the feed's enclosure), with ``NormalizeReport/inputFile``
    /// the input as the manifest names it, ``NormalizeReport/outputFile`` the first output's name in the
    /// season's folder and ``NormalizeReport/warnings`` the episode's warnings (every
    /// output's and lint's); `nil` when the episode failed.
    public var report: NormalizeReport?
    /// The input as the manifest names it, also for a failed episode.
    public var inputFile: String
    /// The stretches of the input that trims and shortened pauses removed, in the input's time (`cuts`):
    /// what re-times anything given in input time (soundbites) when the feed is written, after the audio.
    /// `nil` for a failed episode, or one processed before this was recorded.
    public var cuts: [TimeSpan]?

    enum SeasonKeys: String, CodingKey {
        case episode, title, status, error, outputs, cuts
    }

    /// The entry for an episode that was processed; its status follows from its warnings.
    /// - Parameters:
    ///   - episode: the episode's identifier in the season.
    ///   - inputFile: the input as the manifest names it; default: the report's.
    ///   - report: what `normalize` did; its limited ranges (and their depths), leveler gain curve and
    ///     loudness series are dropped (they feed the plot, not the report).
    ///   - outputs: the files written, the feed's enclosure first.
    ///   - warnings: the episode's warnings; default: the report's.
    public init(
        episode: String, title: String? = nil, inputFile: String? = nil, report: NormalizeReport,
        outputs: [ReportOutputFile], warnings: [String]? = nil
    ) {
        var report = report
        report.inputFile = inputFile ?? report.inputFile
        // Names as the season gives them, not where this run's temporary files were: the same
        // season sharded or not, in any folder, writes the same report.
        report.outputFile = outputs.first?.file ?? report.outputFile
        report.warnings = warnings ?? report.warnings
        report.limitedRanges = []
        report.limitedRangeMaxReductionsDB = []
        report.levelerGain = nil
        report.inputLoudnessSeries = nil
        self.episode = episode
        self.title = title
        self.inputFile = report.inputFile
        self.status = report.warnings.isEmpty ? .ok : .warning
        self.error = nil
        self.outputs = outputs
        self.report = report
    }

    /// The entry for an episode that failed: no figures, no outputs.
    public init(failed episode: String, title: String? = nil, inputFile: String, error: String) {
        self.episode = episode
        self.title = title
        self.inputFile = inputFile
        self.status = .failed
        self.error = error
        self.outputs = []
        self.report = nil
    }

    /// The input as measured before processing; `nil` when the episode failed.
    public var input: LoudnessMeasurement? { report?.input }
    /// The written file, decoded and measured; `nil` when it was not written or not verified.
    public var output: LoudnessMeasurement? { report?.output }
    /// The single gain applied, dB; `nil` when the episode failed or the gain is undefined.
    public var gainDB: Double? { report?.gainDB.finiteOrNil }
    /// The episode's warnings (every output's and lint's).
    public var warnings: [String] { report?.warnings ?? [] }
    /// Total time removed (trims and pause cuts), seconds.
    public var removedSeconds: Double { report?.removedSeconds.finiteOrZero ?? 0 }
    /// True when the output is mono normalized as dual-mono (AES TD1004).
    public var dualMono: Bool { report?.dualMono ?? false }

    /// Output duration when measured, else input duration minus what was removed.
    var outputDurationSeconds: Double? {
        guard status != .failed, let report else { return nil }
        if let d = report.output?.durationSeconds { return d }
        return max(0, report.input.durationSeconds - removedSeconds)
    }

    public init(from decoder: any Decoder) throws {
        let season = try decoder.container(keyedBy: SeasonKeys.self)
        episode = try season.decode(String.self, forKey: .episode)
        title = try season.decodeIfPresent(String.self, forKey: .title)
        status = try season.decode(EpisodeStatus.self, forKey: .status)
        error = try season.decodeIfPresent(String.self, forKey: .error)
        outputs = try season.decode([ReportOutputFile].self, forKey: .outputs)
        cuts = try season.decodeIfPresent([TimeSpan].self, forKey: .cuts)
        if status == .failed {
            report = nil
            let figures = try decoder.container(keyedBy: NormalizeReport.CodingKeys.self)
            inputFile = try figures.decode(String.self, forKey: .inputFile)
        } else {
            let report = try NormalizeReport(from: decoder)
            self.report = report
            inputFile = report.inputFile
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var season = encoder.container(keyedBy: SeasonKeys.self)
        try season.encode(episode, forKey: .episode)
        try season.encode(title, forKey: .title)
        try season.encode(status, forKey: .status)
        try season.encode(error, forKey: .error)
        try season.encode(outputs, forKey: .outputs)
        try season.encode(cuts, forKey: .cuts)
        if let report {
            try report.encode(to: encoder)
        } else {
            var figures = encoder.container(keyedBy: NormalizeReport.CodingKeys.self)
            for key in NormalizeReport.CodingKeys.allCases where key != .inputFile {
                try figures.encodeNil(forKey: key)
            }
            try figures.encode(inputFile, forKey: .inputFile)
        }
    }

    public static func == (lhs: Self, rhs: Self) -> Bool {
        guard
            lhs.episode == rhs.episode, lhs.title == rhs.title, lhs.status == rhs.status,
            lhs.error == rhs.error, lhs.outputs == rhs.outputs, lhs.inputFile == rhs.inputFile, lhs.cuts == rhs.cuts
        else { return false }
        // Reports compare as what they publish: their JSON.
        let encoder = JSONEncoder.podsmith
        return (try? lhs.report.map(encoder.encode)) == (try? rhs.report.map(encoder.encode))
    }
}
