import Foundation
import PodsmithKit

/// What happened to one episode in a season run.
public struct EpisodeOutcome: Sendable, Equatable, Codable {
    /// How the episode ended.
    public enum Status: String, Sendable, Codable {
        /// Processed in this run.
        case processed
        /// Skipped: input and settings unchanged since the last run, outputs still there.
        case upToDate = "up-to-date"
        /// Processing failed (see ``EpisodeOutcome/message``); the other episodes went on.
        case failed
        /// Skipped: another run on the same output folder holds its lock and is processing it.
        case busy
        /// Not finished because the season was cancelled; the next run does it.
        case cancelled
    }

    /// The episode's identity (manifest-relative input path).
    public var identity: String
    /// Its output stem.
    public var stem: String
    /// Its title.
    public var title: String
    /// Position in the season.
    public var index: Int
    /// How it ended.
    public var status: Status
    /// Why it was processed ("settings changed", "forced"…) or why it failed; `nil` when up to date.
    public var message: String?
    /// Outputs, duration and report: from this run, or from the last one when up to date.
    public var result: EpisodeResult?

    public init(
        identity: String, stem: String, title: String, index: Int, status: Status, message: String? = nil,
        result: EpisodeResult? = nil
    ) {
        self.identity = identity
        self.stem = stem
        self.title = title
        self.index = index
        self.status = status
        self.message = message
        self.result = result
    }

    /// The one line that reports a failed episode on stderr, naming it once: most failures already
    /// begin with the input's path (`/show/ep03.wav: not a readable audio file`), which then stands
    /// alone; any other message is prefixed with the episode's identity.
    public var failureLine: String {
        let text = message ?? "failed"
        if let colon = text.range(of: ": ") {
            let subject = text[..<colon.lowerBound]
            if subject == identity || subject.hasSuffix("/" + identity) { return text }
        }
        return "\(identity): \(text)"
    }
}

/// The outcome of a season run, episodes in season order whatever `--jobs` was.
public struct SeasonSummary: Sendable, Equatable, Codable {
    /// The show's title.
    public var show: String
    /// The output folder.
    public var outputDirectory: String
    /// The shard that ran (`K/N`), `nil` for the whole season.
    public var shard: String?
    /// One outcome per episode that was considered, in season order.
    public var episodes: [EpisodeOutcome]

    public init(show: String, outputDirectory: String, shard: String? = nil, episodes: [EpisodeOutcome]) {
        self.show = show
        self.outputDirectory = outputDirectory
        self.shard = shard
        self.episodes = episodes
    }

    /// Episodes with a given status.
    public func count(_ status: EpisodeOutcome.Status) -> Int { episodes.filter { $0.status == status }.count }

    /// Whether some episode failed (the CLI then exits 1). Busy episodes are not failures (the run
    /// holding them reports on them).
    public var hasFailures: Bool { count(.failed) > 0 }

    /// The warnings of an episode's report: this run's, or the stored one when it was up to date, so a
    /// rerun that skips everything judges the season as the run that wrote it did.
    private func warnings(of outcome: EpisodeOutcome) -> [String] {
        guard outcome.status == .processed || outcome.status == .upToDate else { return [] }
        return outcome.result?.report?.warnings ?? []
    }

    /// Episodes written whose report holds any warning.
    public var withWarnings: Int { episodes.filter { !warnings(of: $0).isEmpty }.count }

    /// Lint errors in the written episodes' reports.
    public var lintErrors: Int { episodes.map { warnings(of: $0).filter(Self.isLintError).count }.reduce(0, +) }

    /// Episodes written but off the target, over the ceiling or failing lint (the CLI then exits 2).
    public var missedTargets: Int { episodes.filter { warnings(of: $0).contains(where: Self.isMiss) }.count }

    /// A lint error as the season's processor words it (`FILE: lint error: …`).
    static func isLintError(_ warning: String) -> Bool { warning.contains(": lint error: ") }

    /// A warning that says the written file is not what was promised: a lint error, or the
    /// normalizer's "after N passes the output measures … from the target" / "… the true peak is …
    /// over the … ceiling". A capped gain (`--max-gain`) is a warning, not a miss: the user asked for it.
    static func isMiss(_ warning: String) -> Bool {
        isLintError(warning)
            || (warning.contains("after ") && (warning.contains(" from the target") || warning.contains(" ceiling")))
    }

    /// The summary as `--json` prints it: pretty, sorted keys, so that it diffs cleanly.
    public func jsonData() throws -> Data {
        try JSONEncoder.podsmith.encode(self)
    }

    /// One line: `12 episodes: 3 processed, 8 up to date, 1 failed, 2 with warnings, 1 lint error`.
    public var headline: String {
        var parts: [String] = []
        for (status, label) in [
            (EpisodeOutcome.Status.processed, "processed"), (.upToDate, "up to date"),
            (.failed, "failed"), (.busy, "busy in another run"), (.cancelled, "cancelled"),
        ] {
            let n = count(status)
            if n > 0 || status == .processed { parts.append("\(n) \(label)") }
        }
        let warned = withWarnings
        if warned > 0 { parts.append("\(warned) with warnings") }
        let lint = lintErrors
        if lint > 0 { parts.append("\(lint) lint error\(lint == 1 ? "" : "s")") }
        return "\(episodes.count) episode\(episodes.count == 1 ? "" : "s"): " + parts.joined(separator: ", ")
    }
}
