import Foundation
import PodsmithKit

/// Turns one episode into its published files; the season engine runs many of these at once.
///
/// The real implementation wraps `normalize`; tests use a fake. A processor must:
/// - write only inside `context.outputDirectory`, each file through ``AtomicOutputFile`` (so an
///   interrupted run leaves no partial file under a final name), named after `job.outputStem`;
/// - be safe to call from several threads at once for *different* jobs (the engine never runs one
///   job twice at a time);
/// - call `context.reportProgress` now and then (it is cheap) and `context.checkCancellation()`
///   between blocks, so that a cancelled season stops within about a second.
public protocol EpisodeProcessor: Sendable {
    /// Changes whenever the processor's output for the same job and input would change (a new
    /// encoder version, a fixed limiter): it is part of the state fingerprint, so a new value redoes
    /// every episode on the next run.
    var version: String { get }

    /// Processes one episode.
    /// - Returns: what was written; the engine records it in the state and writes `STEM.report.json`.
    /// - Throws: any error; the episode is reported failed and the others go on.
    func process(_ job: EpisodeJob, context: EpisodeContext) throws -> EpisodeResult

    /// The suffixes of the sidecar files this processor writes beside the audio (each `STEM` + suffix).
    /// The list is each episode's sidecar fingerprint: a suffix that a finished episode was not made
    /// with is produced for it by the next run through ``writeSidecars(_:for:previous:context:)``,
    /// without the audio being encoded again. Default ``OutputNaming/sidecarSuffixes``.
    var sidecarSuffixes: [String] { get }

    /// Writes the sidecars with `suffixes` for an episode whose audio is up to date, from what its last
    /// run recorded (`previous`), under the same rules as ``process(_:context:)``.
    /// - Returns: `previous` with the new files added to its outputs (a sidecar that does not apply to
    ///   this episode may be left unwritten), or `nil` when this processor cannot make them without
    ///   processing the episode again: the runner then processes it.
    func writeSidecars(
        _ suffixes: [String], for job: EpisodeJob, previous: EpisodeResult,
        context: EpisodeContext
    ) throws -> EpisodeResult?
}

extension EpisodeProcessor {
    public var version: String { "1" }

    public var sidecarSuffixes: [String] { OutputNaming.sidecarSuffixes }

    /// Cannot: the episode is processed again.
    public func writeSidecars(
        _ suffixes: [String], for job: EpisodeJob, previous: EpisodeResult,
        context: EpisodeContext
    ) throws -> EpisodeResult? {
        nil
    }
}

/// What a processor gets besides its job: where to write, how to report progress, whether to stop.
public final class EpisodeContext: Sendable {
    /// The season's output folder (flat).
    public let outputDirectory: String
    /// Cores the season's idle workers lend to the episodes still running (its tail).
    public let spareCores: SpareCores?
    private let progressHandler: @Sendable (Double) -> Void
    private let cancellation: SeasonCancellation

    /// Made by the runner; public so that a processor can be tested on its own.
    public init(
        outputDirectory: String, cancellation: SeasonCancellation = SeasonCancellation(),
        spareCores: SpareCores? = nil, progress: @escaping @Sendable (Double) -> Void = { _ in }
    ) {
        self.outputDirectory = outputDirectory
        self.spareCores = spareCores
        self.cancellation = cancellation
        self.progressHandler = progress
    }

    /// Reports how far the episode is, 0…1 (values are clamped).
    public func reportProgress(_ fraction: Double) {
        progressHandler(min(max(fraction.isFinite ? fraction : 0, 0), 1))
    }

    /// True once the season has been cancelled.
    public var isCancelled: Bool { cancellation.isCancelled }

    /// Throws ``SeasonCancelledError`` once the season has been cancelled.
    public func checkCancellation() throws {
        if cancellation.isCancelled { throw SeasonCancelledError() }
    }

    /// The path of an output file in the output folder.
    /// - Throws: when `fileName` is not one plain file name (see ``OutputNaming/path(in:fileName:)``).
    public func outputPath(_ fileName: String) throws -> String {
        try OutputNaming.path(in: outputDirectory, fileName: fileName)
    }
}

/// Thrown by ``EpisodeContext/checkCancellation()``: the episode stopped because the season was cancelled.
public struct SeasonCancelledError: Error, Sendable, CustomStringConvertible {
    public init() {}
    public var description: String { "cancelled" }
}

/// A flag that stops a running season: no new episode starts, running ones stop at their next
/// ``EpisodeContext/checkCancellation()``. The CLI sets it from its SIGINT handler.
public final class SeasonCancellation: Sendable {
    private let cancelled = LockedBox(false)

    public init() {}

    /// Requests the stop (idempotent).
    public func cancel() { cancelled.withLockedValue { $0 = true } }

    /// Whether ``cancel()`` was called.
    public var isCancelled: Bool { cancelled.withLockedValue { $0 } }
}

/// One file an episode wrote.
public struct WrittenFile: Sendable, Equatable, Codable {
    /// The file's name in the output folder.
    public var name: String
    /// Its size, bytes.
    public var bytes: Int64

    public init(name: String, bytes: Int64) {
        self.name = name
        self.bytes = bytes
    }
}

/// What a processor reports for one episode.
public struct EpisodeResult: Sendable, Equatable, Codable {
    /// The files written, in the job's output order (sidecars such as chapters may follow).
    public var outputs: [WrittenFile]
    /// Duration of the published audio, seconds.
    public var durationSeconds: Double
    /// The episode's line in `report.json` (loudness before and after, gain, limiter, trims…), also
    /// written as the `report` field of `STEM.report.json`; `nil` when the processor has none, and then
    /// the episode is published as missing.
    public var report: EpisodeReportEntry?

    public init(outputs: [WrittenFile], durationSeconds: Double, report: EpisodeReportEntry? = nil) {
        self.outputs = outputs
        self.durationSeconds = durationSeconds
        self.report = report
    }
}
