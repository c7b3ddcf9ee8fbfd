import ArgumentParser
import Foundation
import PodsmithKit
import PodsmithSeason

extension Podsmith {
    /// `podsmith season MANIFEST|DIR -o OUTDIR`: a whole season, in parallel, incrementally.
    struct Season: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Normalize and encode a whole season in parallel, incrementally, with report, plots and feed.",
            discussion: """
                MANIFEST is a YAML or JSON season manifest (see docs/season.md and \
                docs/season.example.yml); a folder instead takes every audio file in it with the \
                default settings (podcast preset, MP3). The manifest is validated before any audio is \
                touched: every problem is listed with its key path and nothing is done.

                Each episode is normalized like `podsmith normalize` into OUTDIR (flat): STEM.mp3 (and \
                the other formats listed), STEM.chapters.json, STEM.waveform.json (BBC audiowaveform \
                format), STEM.loudness.svg and STEM.report.json; then report.json, index.html and \
                feed.xml for the season. State and locks live in OUTDIR/.podsmith/. An episode whose \
                input, artwork, chapters and settings are unchanged since the last run is skipped.

                Sharding (several machines, one shared OUTDIR): --shard K/N runs shard K of N, K from 0; \
                an episode's shard is a hash of its identity, so adding episodes moves no other. \
                Without --shard, K comes from JOB_COMPLETION_INDEX (Kubernetes Indexed Jobs) or \
                SLURM_ARRAY_TASK_ID (Slurm arrays, so --array=3,5 runs shards 3 and 5), N from --shards or \
                PODSMITH_SHARDS; a contiguous Slurm array without them counts from SLURM_ARRAY_TASK_MIN, of \
                SLURM_ARRAY_TASK_COUNT shards. The option wins over the environment. A sharded \
                run writes only its episodes' files; `--merge` then builds report.json, index.html and \
                feed.xml from what is in OUTDIR, without touching audio, and lists missing or failed \
                episodes (exit 1 if any).

                Ctrl-C stops within about a second, removes temporary files, keeps finished \
                episodes and says how many there are; the next run does the rest (its reason for an \
                episode that was under way: "previous run interrupted").

                --no-verify writes without decoding: the lint then checks what the files state \
                (container, headers, bitrate, sample rate, channels, bit depth, artwork), not their \
                loudness or true peak, and the run says so.

                Exit codes: 0 success; 1 some episodes failed (or, with --merge, are missing); 2 all \
                written, but some off the target, over the ceiling or failing lint (from the episodes' \
                reports, so a rerun that skips them exits the same; with --strict, any warning); 64 \
                usage error; 65 invalid manifest; 66 a manifest's audio file is missing; 73 OUTDIR \
                cannot be created.
                """)

        @Argument(
            help: ArgumentHelp(
                "A season manifest (.yml, .yaml, .json) or a folder of audio files.",
                valueName: "manifest-or-folder"),
            completion: .file())
        var source: String

        @Option(
            name: .shortAndLong, help: ArgumentHelp("Output folder (created if needed).", valueName: "outdir"),
            completion: .directory)
        var output: String

        // Optional, so that argument-parser does not append this machine's core count as a second default.
        @Option(
            help: "Episodes processed at once, one thread each: the cores kept busy (default: the cores available).")
        var jobs: Int?

        @Flag(help: "Redo every episode, even those that are up to date.")
        var force = false

        @Flag(help: "Exit 2 when any episode's report holds a warning, not only when one misses its target.")
        var strict = false

        @Option(help: ArgumentHelp("Process only shard K of N (K from 0).", valueName: "K/N"))
        var shard: String?

        @Option(
            help: ArgumentHelp(
                "Number of shards, for Kubernetes Indexed Jobs and Slurm arrays (else PODSMITH_SHARDS).",
                valueName: "N"))
        var shards: Int?

        @Flag(help: "Build report.json, index.html and feed.xml from the results already in OUTDIR; no audio work.")
        var merge = false

        @Flag(name: .customLong("no-verify"), help: "Do not decode and measure the written files.")
        var noVerify = false

        @Option(help: "Platform whose requirements every output is linted against: apple, spotify, generic.")
        var platform: Platform = .apple

        @Flag(name: .shortAndLong, help: "No progress on stderr.")
        var quiet = false

        @Flag(help: "Print the season summary as JSON on stdout.")
        var json = false

        func validate() throws {
            if let jobs, jobs < 1 { throw ValidationError("--jobs must be at least 1") }
            if let shards, shards < 1 { throw ValidationError("--shards must be at least 1") }
            if merge && force { throw ValidationError("--merge does no audio work; --force has no meaning with it") }
        }

        func run() throws {
            let plan: SeasonPlan
            do {
                plan = try SeasonPlan.load(path: source)
            } catch {
                for issue in error.issues { ErrorReporting.printError(manifestLine(issue)) }
                throw ExitCode(ErrorReporting.exitCode(for: error))
            }
            if merge { return try publish(plan, afterRun: nil) }

            let selector: ShardSelector?
            do {
                selector = try ShardSelector.resolve(explicit: shard, shardCount: shards)
            } catch {
                throw ExitCode(ErrorReporting.report(error, file: nil))
            }
            let cancellation = SeasonCancellation()
            let jobsHere = plan.restricted(to: selector).jobs
            let output = self.output
            TemporaryFiles.shared.onInterrupt { _ in
                cancellation.cancel()
                Self.printInterrupted(jobs: jobsHere, outputDirectory: output)
            }
            TemporaryFiles.shared.installSignalHandlers()
            if noVerify && !json && !quiet {
                ErrorReporting.printWarning(file: output, Self.unverifiedNotice)
            }
            let summary: SeasonSummary
            do {
                summary = try SeasonRunner.run(
                    plan: plan, outputDirectory: output,
                    options: SeasonRunOptions(
                        jobs: jobs ?? AvailableCores.count(), force: force, shard: selector,
                        progress: quiet || json ? .quiet : .automatic),
                    processor: NormalizingEpisodeProcessor(verify: !noVerify, platform: platform),
                    cancellation: cancellation)
            } catch let error as ManifestValidationError {
                for issue in error.issues { ErrorReporting.printError(manifestLine(issue)) }
                throw ExitCode(ErrorReporting.exitCode(for: error))
            } catch {
                throw ExitCode(ErrorReporting.report(error, file: output))
            }
            for outcome in summary.episodes where outcome.status == .failed {
                ErrorReporting.printError(outcome.failureLine)
            }
            if selector == nil {
                try publish(plan, afterRun: summary)
            } else if json {
                print(String(decoding: try summary.jsonData(), as: UTF8.self))
            }
            if summary.hasFailures { throw ExitCode(ExitStatus.someFailed) }
            if summary.missedTargets > 0 || (strict && summary.withWarnings > 0) {
                throw ExitCode(ExitStatus.writtenWithProblems)
            }
        }

        /// What a `--no-verify` season lints and what it cannot (said once per run).
        static let unverifiedNotice =
            "--no-verify: the outputs are linted for what they state (container, headers, bitrate, sample rate, "
            + "channels, bit depth, artwork), not for loudness or true peak, which needs decoding; "
            + "run `podsmith lint` on them to check those"

        /// One manifest problem, naming the manifest once (a problem about the whole file, such as a YAML
        /// syntax error, already begins with its name).
        func manifestLine(_ issue: ManifestIssue) -> String {
            let text = "\(issue)"
            let bare = source.count > 1 && source.hasSuffix("/") ? String(source.dropLast()) : source
            let named = text.hasPrefix(source + ": ") || text.hasPrefix(bare + ": ")
            return named ? text : "\(source): \(text)"
        }

        /// On Ctrl-C (or SIGTERM): how many of the run's episodes are finished and kept, and that running
        /// the same command again completes the season. Finished means recorded in the state folder, as
        /// the next run will judge it (an episode under way left no state and is redone).
        static func printInterrupted(jobs: [EpisodeJob], outputDirectory: String) {
            // Opened only when the run got as far as making it (opening creates the folders).
            let stateFolder = (outputDirectory as NSString).appendingPathComponent(".podsmith")
            let store =
                FileManager.default.fileExists(atPath: stateFolder)
                ? try? SeasonStateStore(outputDirectory: outputDirectory) : nil
            let finished = jobs.filter { store?.load(stem: $0.outputStem)?.identity == $0.identity }.count
            ErrorReporting.printError(
                "interrupted: \(finished) of \(jobs.count) episode\(jobs.count == 1 ? "" : "s") finished and kept in "
                    + "\(outputDirectory); run the same command again to finish the season")
        }

        /// Writes the season files; with `--merge`, reports what is missing or failed.
        func publish(_ plan: SeasonPlan, afterRun summary: SeasonSummary?) throws {
            let outcome: SeasonPublisher.Outcome
            do {
                if !FileManager.default.fileExists(atPath: output) {
                    throw PodsmithError.outputNotWritable(path: output, reason: "no such folder (nothing to merge)")
                }
                outcome = try SeasonPublisher.publish(
                    plan: plan, outputDirectory: output,
                    upToDate: Set((summary?.episodes ?? []).filter { $0.status == .upToDate }.map(\.stem)))
            } catch let error as ManifestValidationError {
                // A season-wide file would replace an input (checked before anything is written).
                for issue in error.issues { ErrorReporting.printError("\(source): \(issue)") }
                throw ExitCode(ErrorReporting.exitCode(for: error))
            } catch {
                throw ExitCode(ErrorReporting.report(error, file: output))
            }
            if json, let summary {
                print(String(decoding: try summary.jsonData(), as: UTF8.self))
            }
            if !quiet || summary == nil {
                for warning in outcome.warnings { ErrorReporting.printWarning(file: output + "/feed.xml", warning) }
            }
            guard summary == nil else { return }
            for stem in outcome.missing { ErrorReporting.printError("\(stem): missing (no result in \(output))") }
            for (stem, reason) in outcome.failed { ErrorReporting.printError("\(stem): failed: \(reason)") }
            if json {
                let value: OrderedJSON = .object([
                    ("published", .integer(Int64(outcome.published))),
                    ("missing", .array(outcome.missing.map(OrderedJSON.string))),
                    (
                        "failed",
                        .array(
                            outcome.failed.map {
                                .object([("episode", .string($0.stem)), ("error", .string($0.reason))])
                            })
                    ),
                ])
                print(value.rendered())
            } else if !quiet {
                FileHandle.standardError.write(
                    Data(
                        "merged \(outcome.published) of \(plan.jobs.count) episodes into \(output)/feed.xml, report.json, index.html\n"
                            .utf8))
            }
            if !outcome.isComplete { throw ExitCode(ExitStatus.someFailed) }
        }
    }
}

extension Platform: ExpressibleByArgument {}
