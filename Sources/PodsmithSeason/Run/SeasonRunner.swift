import Foundation
import PodsmithKit

/// Options of a season run, with the defaults of `podsmith season`.
public struct SeasonRunOptions: Sendable {
    /// Episodes processed at once; default: the number of cores. Outputs do not depend on it.
    public var jobs: Int
    /// Redo every episode, even those up to date (`--force`).
    public var force: Bool
    /// Run only this shard's episodes (`--shard K/N`); `nil` runs all.
    public var shard: ShardSelector?
    /// How progress is shown (`--quiet` → `.quiet`); default: live on a terminal, lines otherwise.
    public var progress: SeasonProgressMode

    public init(
        jobs: Int = AvailableCores.count(), force: Bool = false,
        shard: ShardSelector? = nil, progress: SeasonProgressMode = .automatic
    ) {
        self.jobs = jobs
        self.force = force
        self.shard = shard
        self.progress = progress
    }
}

/// Runs every episode of a season through an ``EpisodeProcessor``, in parallel, incrementally.
///
/// - **Parallel:** `jobs` worker threads take episodes in season order. Threads, not Swift tasks:
///   processing is long blocking CPU work that would starve the cooperative pool. Results are
///   collected by position, so the summary and every file are the same whatever `jobs` is.
/// - **Incremental:** an episode is skipped when ``SeasonStateStore/freshness(of:fingerprint:)``
///   says it is up to date; `force` redoes all. An up-to-date episode made without one of the
///   processor's ``EpisodeProcessor/sidecarSuffixes`` (its sidecar fingerprint, kept in its state) gets
///   the new sidecars through ``EpisodeProcessor/writeSidecars(_:for:previous:context:)``, without
///   its audio being encoded again, or is processed again when the processor cannot write them alone.
/// - **Exclusive:** each episode is processed under its lock; one locked by another run is skipped
///   and reported busy (not waited for: shards on one output folder each do their own episodes, and
///   a run that waited would only redo work the other is finishing).
/// - **Isolated failures:** an error in one episode is recorded as its outcome; the others go on.
/// - **Interruptible:** after ``SeasonCancellation/cancel()`` no episode starts; the state of an
///   episode is removed when it starts and written only when it finished, so an interrupted or failed
///   episode is redone by the next run while finished ones are kept.
/// - **Shared folders:** shards on other machines may write into the same folder, so a run removes
///   leftover temporaries only of episodes whose lock it holds (``EpisodeTemporaries``), and an
///   episode's report is removed when it is redone, so `--merge` never publishes a half-replaced one.
public final class SeasonRunner: Sendable {
    /// The season.
    public let plan: SeasonPlan
    /// Where everything is written.
    public let outputDirectory: String
    /// Options.
    public let options: SeasonRunOptions
    /// Set it to stop the run early.
    public let cancellation: SeasonCancellation

    public init(
        plan: SeasonPlan, outputDirectory: String, options: SeasonRunOptions = SeasonRunOptions(),
        cancellation: SeasonCancellation = SeasonCancellation()
    ) {
        self.plan = plan
        self.outputDirectory = outputDirectory
        self.options = options
        self.cancellation = cancellation
    }

    /// Runs a season: the one call the CLI makes after loading the plan.
    /// - Throws: only when the output folder cannot be used at all (or an output would overwrite an
    ///   input); per-episode problems are outcomes in the summary.
    public static func run(
        plan: SeasonPlan, outputDirectory: String, options: SeasonRunOptions = SeasonRunOptions(),
        processor: some EpisodeProcessor, cancellation: SeasonCancellation = SeasonCancellation(),
        progressOutput: @escaping @Sendable (String) -> Void = SeasonProgress.standardError
    ) throws -> SeasonSummary {
        try SeasonRunner(plan: plan, outputDirectory: outputDirectory, options: options, cancellation: cancellation)
            .run(processor: processor, progressOutput: progressOutput)
    }

    /// Runs the season (see the type's documentation).
    public func run(
        processor: some EpisodeProcessor,
        progressOutput: @escaping @Sendable (String) -> Void = SeasonProgress.standardError
    ) throws -> SeasonSummary {
        let problems = plan.problems(outputDirectory: outputDirectory)
        if !problems.isEmpty { throw ManifestValidationError(problems) }
        do {
            try FileManager.default.createDirectory(atPath: outputDirectory, withIntermediateDirectories: true)
        } catch {
            throw PodsmithError.outputNotWritable(path: outputDirectory, reason: error.localizedDescription)
        }
        let store = try SeasonStateStore(outputDirectory: outputDirectory)
        // Listed before this run writes anything; each episode's leftovers are removed under its lock
        // (see EpisodeTemporaries for why not by PID: shards on other machines share the folder).
        let temporaries = EpisodeTemporaries(
            folders: [outputDirectory, store.episodesDirectory],
            stems: plan.jobs.map(\.outputStem))
        let jobs = plan.restricted(to: options.shard).jobs
        let progress = SeasonProgress(mode: options.progress, total: jobs.count, output: progressOutput)
        let results = ResultSlots(count: jobs.count)
        let workerCount = max(1, min(options.jobs, jobs.count))
        // Jobs with no episode lend their cores to the running episodes from the start, and each
        // worker lends its own once no episode is left for it (the tail of the season).
        let spareCores = SpareCores()
        spareCores.lend(options.jobs - workerCount)
        let group = DispatchGroup()
        for worker in 0..<workerCount {
            group.enter()
            WorkerThread.start(name: "podsmith.job.\(worker)") { [self] in
                while let slot = results.next() {
                    let job = jobs[slot]
                    let outcome: EpisodeOutcome
                    if cancellation.isCancelled {
                        outcome = Self.outcome(job, .cancelled, "season cancelled before it started")
                    } else {
                        outcome = runOne(
                            job, processor: processor, store: store, temporaries: temporaries,
                            progress: progress, slot: slot, spareCores: spareCores)
                    }
                    results.store(outcome, at: slot)
                    progress.finished(slot: slot, outcome: outcome)
                }
                spareCores.lend()
                group.leave()
            }
        }
        group.wait()
        let summary = SeasonSummary(
            show: plan.show.title, outputDirectory: outputDirectory,
            shard: options.shard?.description, episodes: results.all())
        progress.close(summary: summary)
        return summary
    }

    private static func outcome(
        _ job: EpisodeJob, _ status: EpisodeOutcome.Status, _ message: String? = nil,
        _ result: EpisodeResult? = nil
    ) -> EpisodeOutcome {
        EpisodeOutcome(
            identity: job.identity, stem: job.outputStem, title: job.metadata.title, index: job.index,
            status: status, message: message, result: result)
    }

    private func runOne(
        _ job: EpisodeJob, processor: some EpisodeProcessor, store: SeasonStateStore,
        temporaries: EpisodeTemporaries, progress: SeasonProgress, slot: Int, spareCores: SpareCores
    ) -> EpisodeOutcome {
        let lock: EpisodeLock
        do {
            guard let held = try store.tryLock(stem: job.outputStem) else {
                return Self.outcome(job, .busy, "busy, being processed by another run")
            }
            lock = held
        } catch {
            return Self.outcome(job, .failed, "\(error)")
        }
        defer { lock.release() }
        temporaries.removeLeftovers(of: job.outputStem)

        let fingerprint = job.settingsFingerprint + "\nprocessor=" + processor.version
        let sidecars = processor.sidecarSuffixes
        var reason = "forced"
        // Sidecars the episode was not made with, when its audio is up to date.
        var newSidecars: [String] = []
        var previous: EpisodeState?
        if !options.force {
            switch store.freshness(of: job, fingerprint: fingerprint) {
            case .upToDate(var state):
                // The sidecar fingerprint (kept apart from the settings, so that a new kind of sidecar
                // does not redo the audio when the processor can write it alone).
                let made = state.sidecarSuffixes ?? sidecars
                newSidecars = sidecars.filter { !made.contains($0) }
                state.sidecarSuffixes = sidecars
                guard !newSidecars.isEmpty else {
                    if state != store.load(stem: job.outputStem) { try? store.save(state, stem: job.outputStem) }
                    return Self.outcome(job, .upToDate, nil, state.result)
                }
                previous = state
                reason = "new sidecars: " + newSidecars.map { job.outputStem + $0 }.joined(separator: ", ")
            case .stale(let why):
                reason = why
            }
        }

        progress.started(slot: slot, stem: job.outputStem)
        if let previous {
            if let outcome = addSidecars(
                newSidecars, to: job, state: previous, processor: processor, store: store,
                reason: reason, progress: progress, slot: slot)
            {
                return outcome
            }
            reason += " (the processor cannot write them alone)"
        }
        store.invalidate(stem: job.outputStem)
        // Left behind only if this run is interrupted while the episode is under way: the next run's
        // reason then says so, rather than "no previous run".
        store.markStarted(stem: job.outputStem)
        // The report is the episode's commit record: `--merge` publishes an episode only when its
        // report is there, so a run that dies while redoing it must not leave the old one beside
        // half-replaced audio.
        if let reportPath = try? OutputNaming.path(
            in: outputDirectory,
            fileName: OutputNaming.reportFileName(stem: job.outputStem))
        {
            try? FileManager.default.removeItem(atPath: reportPath)
        }
        do {
            let stamps = try ([job.inputPath] + job.auxiliaryInputPaths).map(FileStamp.make(path:))
            let context = EpisodeContext(
                outputDirectory: outputDirectory, cancellation: cancellation, spareCores: spareCores
            ) { fraction in
                progress.update(slot: slot, fraction: fraction)
            }
            var result = try processor.process(job, context: context)
            result.outputs = try measured(result.outputs)
            result.report = result.report.map { Self.sized($0, by: result.outputs) }
            // State first, report last: a report in the folder (what `--merge` publishes) always has
            // its state behind it, whatever instant a SIGKILL lands at. Killed between the two, the next
            // run sees the report missing and redoes the episode (a missing report makes it stale).
            try store.save(
                EpisodeState(
                    identity: job.identity, fingerprint: fingerprint, inputs: stamps,
                    result: result, sidecarSuffixes: sidecars),
                stem: job.outputStem)
            try writeReport(job, result: result)
            store.clearStarted(stem: job.outputStem)
            return Self.outcome(job, .processed, reason, result)
        } catch is SeasonCancelledError {
            return Self.outcome(job, .cancelled, "cancelled while processing; the next run redoes it")
        } catch {
            store.clearStarted(stem: job.outputStem)
            let message = "\(error)"
            // Recorded so that `--merge` (which sees only the folder) can tell failed from missing.
            try? writeReport(job, result: EpisodeResult(outputs: [], durationSeconds: 0), error: message)
            return Self.outcome(job, .failed, message)
        }
    }

    /// The processor's files with their sizes on disk.
    /// - Throws: when the processor reported a file it did not write.
    private func measured(_ outputs: [WrittenFile]) throws -> [WrittenFile] {
        try outputs.map { file in
            let path = try OutputNaming.path(in: outputDirectory, fileName: file.name)
            guard let info = FileStamp.statFile(path) else {
                throw PodsmithError.internalError("the processor reported \(file.name) but did not write it")
            }
            return WrittenFile(name: file.name, bytes: info.bytes)
        }
    }

    /// The report with each output's size as measured on disk: the processor writes through temporaries
    /// and cannot know the final sizes when it builds the report.
    static func sized(_ entry: EpisodeReportEntry, by files: [WrittenFile]) -> EpisodeReportEntry {
        var copy = entry
        copy.outputs = entry.outputs.map { output in
            var sized = output
            if let file = files.first(where: { $0.name == output.file }) { sized.sizeBytes = file.bytes }
            return sized
        }
        return copy
    }

    /// Writes the new sidecars of an episode whose audio is up to date, without processing it again.
    /// - Returns: the outcome, or `nil` when the processor cannot write them alone (it is then processed).
    ///   A failure leaves the audio, the state and the report as they were: the next run tries again.
    private func addSidecars(
        _ suffixes: [String], to job: EpisodeJob, state: EpisodeState,
        processor: some EpisodeProcessor, store: SeasonStateStore, reason: String,
        progress: SeasonProgress, slot: Int
    ) -> EpisodeOutcome? {
        let context = EpisodeContext(outputDirectory: outputDirectory, cancellation: cancellation) { fraction in
            progress.update(slot: slot, fraction: fraction)
        }
        do {
            guard
                var result = try processor.writeSidecars(
                    suffixes, for: job, previous: state.result,
                    context: context)
            else { return nil }
            result.outputs = try measured(result.outputs)
            result.report = result.report.map { Self.sized($0, by: result.outputs) }
            var updated = state
            updated.result = result
            try store.save(updated, stem: job.outputStem)
            try writeReport(job, result: result)
            return Self.outcome(job, .processed, reason, result)
        } catch is SeasonCancelledError {
            return Self.outcome(job, .cancelled, "cancelled while writing sidecars; the next run writes them")
        } catch {
            return Self.outcome(job, .failed, "\(error)")
        }
    }

    /// Writes `STEM.report.json`: the episode, its outputs and the processor's report, sorted keys
    /// and no timings, so that the file is the same for the same input and settings.
    /// A failed episode's report carries `error` and no outputs.
    private func writeReport(_ job: EpisodeJob, result: EpisodeResult, error: String? = nil) throws {
        struct Report: Encodable {
            var input: String
            var title: String
            var stem: String
            var outputs: [WrittenFile]
            var durationSeconds: Double
            var report: EpisodeReportEntry?
            var error: String?

            enum CodingKeys: String, CodingKey { case input, title, stem, outputs, durationSeconds, report, error }

            /// `report` is always there (`null` for a failed episode); `error` only when it failed.
            func encode(to encoder: any Encoder) throws {
                var c = encoder.container(keyedBy: CodingKeys.self)
                try c.encode(input, forKey: .input)
                try c.encode(title, forKey: .title)
                try c.encode(stem, forKey: .stem)
                try c.encode(outputs, forKey: .outputs)
                try c.encode(durationSeconds, forKey: .durationSeconds)
                try c.encode(report, forKey: .report)
                try c.encodeIfPresent(error, forKey: .error)
            }
        }
        let report = Report(
            input: job.identity, title: job.metadata.title, stem: job.outputStem,
            outputs: result.outputs, durationSeconds: result.durationSeconds, report: result.report,
            error: error)
        let path = try OutputNaming.path(
            in: outputDirectory, fileName: OutputNaming.reportFileName(stem: job.outputStem))
        try AtomicOutputFile.write(try JSONEncoder.podsmith.encode(report), to: path)
    }
}

/// Hands out episode positions to workers and collects outcomes by position.
private final class ResultSlots: Sendable {
    private struct Slots {
        var nextIndex = 0
        var outcomes: [EpisodeOutcome?]
    }

    private let slots: LockedBox<Slots>

    init(count: Int) { slots = LockedBox(Slots(outcomes: Array(repeating: nil, count: count))) }

    func next() -> Int? {
        slots.withLockedValue { slots in
            guard slots.nextIndex < slots.outcomes.count else { return nil }
            defer { slots.nextIndex += 1 }
            return slots.nextIndex
        }
    }

    func store(_ outcome: EpisodeOutcome, at index: Int) { slots.withLockedValue { $0.outcomes[index] = outcome } }

    func all() -> [EpisodeOutcome] { slots.withLockedValue { $0.outcomes.compactMap { $0 } } }
}
