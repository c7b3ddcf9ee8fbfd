import Foundation
import PodsmithKit

/// The real ``EpisodeProcessor``: `normalize` for every output format of an episode, plus the
/// sidecars a publishing host wants beside the audio.
///
/// One analysis pass serves all formats (the plan is adapted to each encoder's rate; a format with
/// another channel layout is analysed again). For each episode it writes, through temporary files:
/// the audio outputs (tags, artwork, re-timed chapters), `STEM.chapters.json` when there are chapters,
/// `STEM.waveform.json` (BBC audiowaveform format, drawn from the first output as it is encoded),
/// and `STEM.loudness.svg` (momentary and short-term loudness of the episode as published, on its own
/// timeline, target line, limiter activity and depth, the leveler's gain, a marker at each cut pause). Every output is linted against the platform's requirements; findings
/// become warnings in the episode's report.
public struct NormalizingEpisodeProcessor: EpisodeProcessor {
    /// Decode and measure every written file (see ``NormalizeOptions/verify``). Default `true`.
    public var verify: Bool
    /// Whose requirements the outputs are linted against. Default Apple Podcasts.
    public var platform: Platform
    /// Threads per episode. Default ``RenderThreading/singleThread``: the season runs one episode per
    /// job, so `--jobs N` keeps N cores busy, no more (as `make -j N` does), and no episode pays for
    /// hand-offs between threads that would only compete with the other jobs for the same cores.
    public var threading: RenderThreading

    public init(verify: Bool = true, platform: Platform = .apple, threading: RenderThreading = .singleThread) {
        self.verify = verify
        self.platform = platform
        self.threading = threading
    }

    public var version: String { "podsmith \(PodsmithVersion.string), verify \(verify), lint \(platform.rawValue)" }

    public func process(_ job: EpisodeJob, context: EpisodeContext) throws -> EpisodeResult {
        guard let firstSpec = job.outputs.first else {
            throw PodsmithError.internalError("episode \(job.identity) has no output format")
        }
        let options = try baseOptions(for: job, encoder: firstSpec.encoderSettings)
        let steps = Double(job.outputs.count + 1)
        var step = 0.0
        // A correction pass starts its fraction again: the episode's bar holds its place instead of
        // jumping back (60 % → 40 % → 48 %).
        var shown = RenderPassCounter(maxPasses: options.maxPasses)
        let progress: (Normalizer.Stage, Double) throws -> Void = { _, fraction in
            context.reportProgress(shown.monotonic((step + fraction) / steps))
            try context.checkCancellation()
        }

        // M4A needs FFmpeg, loaded on first use: a machine without it fails the episode at once, naming the
        // output, rather than after the analysis.
        if let spec = job.outputs.first(where: { $0.encoderSettings.format == .m4a }),
            let problem = M4AEncoder.unavailability
        {
            throw PodsmithError.encoderFailed(
                path: try context.outputPath(spec.fileName(stem: job.outputStem)), reason: problem)
        }
        let first = Normalizer(options: options)
        let plan = try first.analyse(inputPath: job.inputPath, progress: progress)
        step += 1

        var written: [WrittenFile] = []
        var reports: [(spec: OutputSpec, report: NormalizeReport)] = []
        let waveform = WaveformObserver()
        for (index, spec) in job.outputs.enumerated() {
            var specOptions = options
            specOptions.encoder = spec.encoderSettings
            var normalizer = Normalizer(options: specOptions)
            normalizer.spareCores = context.spareCores
            let specPlan =
                try normalizer.adapted(plan) ?? normalizer.analyse(inputPath: job.inputPath, progress: progress)
            let name = spec.fileName(stem: job.outputStem)
            let report = try normalizer.write(
                plan: specPlan, inputPath: job.inputPath,
                outputPath: try context.outputPath(name),
                observer: index == 0 ? waveform : nil, progress: progress)
            written.append(WrittenFile(name: name, bytes: 0))
            reports.append((spec, report))
            step += 1
        }
        try context.checkCancellation()

        let main = reports[0].report
        let chaptersName = job.outputStem + OutputNaming.chaptersSuffix
        if FileManager.default.fileExists(atPath: try context.outputPath(chaptersName)),
            job.metadata.chaptersPath != nil
        {
            written.append(WrittenFile(name: chaptersName, bytes: 0))
        }
        if job.metadata.transcriptPath != nil {
            // The normalizer wrote them beside the first output (`STEM.transcript.vtt`, and `.srt` for SRT).
            for suffix in [OutputNaming.transcriptVTTSuffix, OutputNaming.transcriptSRTSuffix]
            where FileManager.default.fileExists(atPath: try context.outputPath(job.outputStem + suffix)) {
                written.append(WrittenFile(name: job.outputStem + suffix, bytes: 0))
            }
        }
        let waveformName = job.outputStem + OutputNaming.waveformSuffix
        try AtomicOutputFile.write(try waveform.result().jsonData(), to: try context.outputPath(waveformName))
        written.append(WrittenFile(name: waveformName, bytes: 0))

        let plotName = job.outputStem + OutputNaming.loudnessPlotSuffix
        let svg = Self.plot(plan: plan, report: main, title: job.metadata.title)
        try AtomicOutputFile.write(Data(svg.utf8), to: try context.outputPath(plotName))
        written.append(WrittenFile(name: plotName, bytes: 0))

        var warnings: [String] = []
        for (index, (spec, report)) in reports.enumerated() {
            warnings += report.warnings.map { "\(spec.format.rawValue): \($0)" }
            let path = try context.outputPath(spec.fileName(stem: job.outputStem))
            let facts = try FileInspector.inspect(path: path)
            // The first output is the feed's enclosure and meets every rule of the platform. The others are
            // alternates for other players (`podcast:alternateEnclosure`): the platform still judges their
            // loudness and peaks, but not its format rules (Apple takes no Opus and wants stereo PCM).
            let findings = Linter.check(facts: facts, loudness: report.output, platform: platform)
                .filter { index == 0 || $0.ruleID.hasPrefix("loudness.") }
            for finding in findings {
                warnings.append(
                    "\(spec.fileName(stem: job.outputStem)): lint \(finding.severity.rawValue): \(finding.message) [\(finding.ruleID)]"
                )
            }
        }
        // Sizes are the runner's to fill in (SeasonRunner.sized): the files are still temporaries here.
        let outputs = reports.map {
            ReportOutputFile(
                file: $0.spec.fileName(stem: job.outputStem),
                format: $0.spec.format.rawValue, sizeBytes: 0)
        }
        var entry = EpisodeReportEntry(
            episode: job.outputStem, title: job.metadata.title, inputFile: job.identity, report: main,
            outputs: outputs, warnings: warnings)
        entry.cuts = plan.edit.removedRanges.map { TimeSpan(startSeconds: $0.lowerBound, endSeconds: $0.upperBound) }
        let duration =
            main.output?.durationSeconds
            ?? Double(plan.edit.outputFrameCount) / plan.edit.sampleRate
        return EpisodeResult(outputs: written, durationSeconds: duration, report: entry)
    }

    /// The transcript sidecars are the only new kind this processor writes without the audio: an
    /// episode without a transcript has nothing to write for them (one with a transcript made before they
    /// existed is processed again, as its transcript is a new input anyway).
    public func writeSidecars(
        _ suffixes: [String], for job: EpisodeJob, previous: EpisodeResult, context: EpisodeContext
    ) throws -> EpisodeResult? {
        let transcriptSuffixes = [OutputNaming.transcriptVTTSuffix, OutputNaming.transcriptSRTSuffix]
        guard job.metadata.transcriptPath == nil, suffixes.allSatisfy(transcriptSuffixes.contains) else { return nil }
        return previous
    }

    /// `normalize`'s options for this job.
    func baseOptions(for job: EpisodeJob, encoder: EncoderSettings) throws -> NormalizeOptions {
        let meta = job.metadata
        var metadata = EpisodeMetadata(
            title: meta.title, artist: meta.artist, album: meta.album,
            episode: meta.number, season: meta.season,
            date: meta.date.map { String(PublicationDate.iso8601($0).prefix(10)) },
            comment: meta.description)
        metadata.artwork = try meta.artworkPath.map { try Artwork(contentsOf: $0) }
        var silence = SilenceOptions()
        silence.trimHead = job.trimSilence
        silence.trimTail = job.trimSilence
        var options = NormalizeOptions(
            target: job.target, silence: silence, encoder: encoder, metadata: metadata,
            chapters: try meta.chaptersPath.map { try ChapterList.load(path: $0) },
            verify: verify, recordsLoudnessSeries: true, threading: threading)
        options.transcript = try meta.transcriptPath.map { try Transcript.load(path: $0) }
        options.leveler = job.leveler
        for row in EpisodeSettings.tuning {
            if let value = job.tuning[row.setting] { row.apply(&options, value) }
        }
        return options
    }

    /// The episode's loudness plot (also `normalize --plot`'s), on the published file's timeline: the one
    /// chapters, transcripts and players use, so a moment on the plot is found at the same time in the
    /// episode. Each shortened pause is a marker where the cut falls; the trimmed head and tail are simply
    /// not there. The limiter's spans (and depths) and the leveler's gain come from the report, already on
    /// that timeline (the limiter runs after the edit; ``LevelerGainCurve/outputTimeline(_:)`` maps the
    /// leveler's input-time curve through the same edit as the cut markers).
    package static func plot(plan: Normalizer.Plan, report: NormalizeReport, title: String) -> String {
        let edit = plan.edit
        let hop = 0.1
        let outputSeconds = Double(edit.outputFrameCount) / edit.sampleRate
        // The series are the input's, every 100 ms: each output instant takes the value of the input instant
        // it comes from, shifted by the gain to show the programme as published.
        let gain = Float(report.gainDB)
        func published(_ series: [Float]) -> [Float] {
            (0..<max(0, Int((outputSeconds / hop).rounded(.down)))).map { k in
                let index = Int((edit.inputTime(forOutputTime: Double(k + 1) * hop) / hop).rounded()) - 1
                return series.indices.contains(index) ? series[index] + gain : -.infinity
            }
        }
        let limited = report.limitedRanges.map { TimeSpan(startSeconds: $0.lowerBound, endSeconds: $0.upperBound) }
        let inputSeconds = Double(edit.inputFrameCount) / edit.sampleRate
        let cuts = edit.removedRanges.filter { $0.lowerBound > 0 && $0.upperBound < inputSeconds }
            .map { edit.outputTime(forInputTime: $0.lowerBound) }
        let input = LoudnessPlotInput(
            momentaryLUFS: published(plan.programme.momentarySeries),
            shortTermLUFS: published(plan.programme.shortTermSeries), hopSeconds: hop,
            targetLUFS: plan.measuredTargetLUFS, limiterActivity: limited,
            limiterMaxReductionsDB: report.limitedRangeMaxReductionsDB, cutTimes: cuts,
            levelerGain: report.levelerGain, durationSeconds: outputSeconds, title: title)
        return LoudnessPlot.svg(input)
    }
}

/// Builds the waveform of what is encoded, block by block, on the encoder's thread.
final class WaveformObserver: RenderObserver, @unchecked Sendable {
    private var builder: WaveformBuilder?

    func renderWillStart(sampleRate: Double, channelCount: Int) {
        builder = WaveformBuilder(sampleRate: sampleRate)
    }

    func write(_ block: AudioBuffer) { builder?.process(block) }

    func result() throws -> WaveformData {
        guard let builder else { throw PodsmithError.internalError("no render pass fed the waveform") }
        return builder.finish()
    }
}
