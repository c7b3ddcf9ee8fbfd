import Foundation
import PodsmithCodecs
import PodsmithCore

/// Turns one raw episode into a normalized, encoded, verified file.
///
/// Two streaming passes over the input, memory bounded by a few blocks whatever the length:
/// 1. **Analyse**: decode once; measure the input, and the programme as it will be written (after any
///    downmix), with our BS.1770-4 meter; map silence.
/// 2. **Plan**: trims and pause cuts (``EditPlan``), one linear gain to the target, capped by
///    `maxGainDB`.
/// 3. **Render**: trim → downmix → resample → gain → look-ahead true-peak limiter (``RenderChain``) →
///    encode, with the encoder on its own thread (it is most of the work) and the DSP chain on the
///    calling thread.
/// 4. **Verify**: decode the written file and measure it (an MP3 while it is encoded, from the bytes
///    written, on a third thread: ``StreamingMP3Verifier``; other formats after). If the integrated
///    loudness is off by more than the tolerance or the true peak is over the ceiling (lossy encoders
///    overshoot), correct the gain or lower the limiter's ceiling and render again, at most
///    `maxPasses` times.
///
/// Normalization is linear: the gain is one number for the whole episode and the limiter touches only
/// the peaks that would cross the ceiling, so it never turns into a dynamic leveller. Only when asked
/// (``NormalizeOptions/leveler``) does a speech leveler run first: a gain per phrase, planned from the
/// analysis pass (``LevelerPlan``), applied on the input's timeline before the edit; the linear gain,
/// the limiter and the verification then land the leveled programme as they land any other.
///
/// ``run(inputPath:outputPath:inPlace:progress:)`` is path in, path out. A host that holds its audio
/// elsewhere analyses any ``SeekableAudioSource`` (``analyse(_:progress:)``) and renders into any
/// ``AudioSink`` (``render(plan:from:into:observer:progress:)``), touching no file.
public struct Normalizer {
    /// Stages reported to a progress callback.
    public enum Stage: String, Sendable { case analysing, calibrating, rendering, verifying }

    public var options: NormalizeOptions
    /// Cores lent by a season's idle workers to this episode's segmented MP3 encode (see ``SpareCores``).
    public var spareCores: SpareCores?

    public init(options: NormalizeOptions) {
        self.options = options
    }

    /// The figures from the analysis pass, and what will be done.
    public struct Plan: Sendable {
        public var input: LoudnessMeasurement
        /// The programme as it will be written (after downmix), measured.
        public var programme: LoudnessMeasurement
        public var edit: EditPlan
        public var outputChannels: Int
        public var outputSampleRate: Double
        public var monoConvention: MonoConvention?
        /// The loudness the written file must measure (the target, less 3.01 dB for dual-mono).
        public var measuredTargetLUFS: Double
        public var gainDB: Double
        public var gainCapped: Bool
        public var usedUngatedLoudness: Bool
        public var nonFiniteSamples: Int
        public var inputTags: [String: String]
        /// Input frames where the programme's highest peaks begin, in time order (half-second windows,
        /// at least 3 s apart): where the limiter will work hardest, for the codec probe.
        public var loudestPeakFrames: [Int64] = []
        /// The speech leveler's plan: `nil` when it is off (``NormalizeOptions/leveler``) or finds no speech.
        public var leveler: LevelerPlan?
        /// Its figures for the report.
        public var levelerSummary: LevelerSummary?
        /// How far the speech's phrase loudness spreads in the input, LU (see
        /// ``LevelerSummary/speechSpread(loudness:weights:)``); `nil` with fewer than two phrases.
        public var speechSpreadLU: Double?
        /// The programme's true peak after the leveler, before the linear gain, estimated from the peak
        /// map; `nil` without the leveler (then the programme's own true peak holds).
        public var leveledTruePeakDBTP: Double?

        /// The true peak the linear gain and the limiter will meet, dBTP.
        var truePeakBeforeGainDBTP: Double? { leveledTruePeakDBTP ?? programme.truePeakDBTP }
    }

    /// Runs the whole job, file to file: the convenience that opens one ``SoundFileReader`` for every
    /// pass, writes through an ``AtomicOutputFile`` and makes the encoder the options ask for.
    /// - Parameters:
    ///   - inputPath: the raw episode.
    ///   - outputPath: the final name of the output; `nil` for a dry run (analyse and plan only).
    ///   - inPlace: allow `outputPath` to be the input itself.
    ///   - progress: called with the stage and the fraction done (0…1), from the calling thread; an
    ///     error it throws (a cancellation) stops the job, and the temporary output is removed.
    public func run(
        inputPath: String, outputPath: String?, inPlace: Bool = false,
        progress: ((Stage, Double) throws -> Void)? = nil
    ) throws -> NormalizeReport {
        try options.check()
        if let outputPath {
            try Self.checkNotSameFile(input: inputPath, output: outputPath, inPlace: inPlace)
        }
        if options.encoder.format == .m4a, let problem = M4AEncoder.unavailability {
            throw PodsmithError.encoderFailed(path: outputPath ?? inputPath, reason: problem)
        }
        // One reader serves every pass: the analysis reads it through, then each later pass seeks.
        let reader = try AudioFileOpener.open(path: inputPath)
        let plan = try analyse(reader, progress: progress)
        guard let outputPath else { return try predictedReport(plan, from: reader, progress: progress) }
        return try write(plan: plan, from: reader, outputPath: outputPath, progress: progress)
    }

    /// What `--dry-run` prints: the plan, with the gain and the limiter's work predicted by the same
    /// calibration a real run does (the codec probe, into a temporary folder, and the trial renders),
    /// so that the preview shows the limiting the output will get rather than none.
    public func predictedReport(
        _ plan: Plan, from source: some SeekableAudioSource,
        progress: ((Stage, Double) throws -> Void)? = nil
    ) throws -> NormalizeReport {
        var report = plannedReport(plan, inputPath: source.name, outputPath: nil)
        let probeFolder = FileManager.default.temporaryDirectory
            .appendingPathComponent("podsmith-dry-run-\(UUID().uuidString)", isDirectory: true)
        try FileManager.default.createDirectory(at: probeFolder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: probeFolder) }
        let calibration = try calibrated(
            source: source, plan: plan,
            ceilingDBTP: options.target.truePeakDBTP - options.encoder.format.truePeakHeadroomDB,
            probeBeside: probeFolder.appendingPathComponent("probe." + options.encoder.format.fileExtension).path,
            progress: progress)
        report.gainDB = calibration.gainDB
        if let stats = calibration.limiter {
            report.limiterMaxReductionDB = stats.maxReductionDB
            report.limitedSeconds = stats.reducingSeconds
            report.limitedOver1dBSeconds = stats.overOneDBSeconds
            report.limitedOver3dBSeconds = stats.overThreeDBSeconds
            report.limiterReductionP95DB = stats.reductionP95DB
        }
        return report
    }

    /// The report of a plan before anything is written or rendered.
    public func plannedReport(_ plan: Plan, inputPath: String, outputPath: String?) -> NormalizeReport {
        var warnings: [String] = []
        if plan.nonFiniteSamples > 0 {
            warnings.append("\(plan.nonFiniteSamples) NaN/Inf samples in the input were replaced by silence")
        }
        if plan.gainCapped {
            warnings.append(
                String(
                    format: "gain capped at +%.1f dB (--max-gain): the output stays below the target",
                    options.maxGainDB))
        }
        if plan.usedUngatedLoudness {
            warnings.append("clip shorter than one 400 ms block: normalized on its ungated loudness")
        }
        let edit = plan.edit
        var report = NormalizeReport(
            inputFile: inputPath, outputFile: outputPath, input: plan.input, output: nil,
            target: options.target, monoConvention: plan.monoConvention, gainDB: plan.gainDB,
            gainCapped: plan.gainCapped, usedUngatedLoudness: plan.usedUngatedLoudness,
            limiterMaxReductionDB: 0, limitedSeconds: 0,
            trimmedHeadSeconds: Double(edit.headTrimFrames) / edit.sampleRate,
            trimmedTailSeconds: Double(edit.tailTrimFrames) / edit.sampleRate,
            pausesShortened: edit.shortenedPauseCount,
            removedSeconds: Double(edit.inputFrameCount - edit.outputFrameCount) / edit.sampleRate,
            passes: 0, warnings: warnings)
        report.outputDurationSeconds = Double(edit.outputFrameCount) / edit.sampleRate
        report.leveler = plan.levelerSummary
        report.levelerGain = plan.leveler.map { $0.curve.reportedOutputTimeline(edit) }
        report.speechSpreadLU = plan.speechSpreadLU
        report.inputLoudnessSeries =
            plan.programme.momentarySeries.isEmpty
            ? nil
            : (momentary: plan.programme.momentarySeries, shortTerm: plan.programme.shortTermSeries)
        return report
    }

    /// Renders an analysed plan into `outputPath` (through a temporary file), verifies it and corrects
    /// it if needed; writes `STEM.chapters.json` beside it when there are chapters.
    /// - Parameter plan: from ``analyse(inputPath:progress:)`` of this normalizer, or ``adapted(_:)``.
    /// - Parameter observer: sees every block handed to the encoder (on the encoder's thread); told
    ///   when a pass starts, so that only the final pass's blocks count.
    public func write(
        plan: Plan, inputPath: String, outputPath: String, observer: (any RenderObserver)? = nil,
        progress: ((Stage, Double) throws -> Void)? = nil
    ) throws -> NormalizeReport {
        try write(
            plan: plan, from: AudioFileOpener.open(path: inputPath), outputPath: outputPath, observer: observer,
            progress: progress)
    }

    /// ``write(plan:inputPath:outputPath:observer:progress:)`` from a source already open: the one
    /// the plan was analysed from, or another holding the same programme. The report names the
    /// input by the source's ``AudioSource/name``.
    public func write(
        plan: Plan, from source: some SeekableAudioSource, outputPath: String,
        observer: (any RenderObserver)? = nil,
        progress: ((Stage, Double) throws -> Void)? = nil
    ) throws -> NormalizeReport {
        let inputPath = source.name
        var report = plannedReport(plan, inputPath: inputPath, outputPath: outputPath)

        AtomicOutputFile.removeStale(beside: outputPath)
        let metadata = try outputMetadata(plan: plan)
        // The sidecars (chapters, transcript) are committed before the audio: a run cut short between the two
        // leaves the new chapters beside the previous audio (which the next run replaces), never new audio beside stale chapters.
        let sidecar = try metadata.chapters.flatMap { $0.chapters.isEmpty ? nil : try $0.jsonData() }
        func publish(_ output: AtomicOutputFile) throws {
            if let sidecar { try AtomicOutputFile.write(sidecar, to: Self.chaptersSidecarPath(for: outputPath)) }
            try writeTranscript(plan: plan, outputPath: outputPath)
            try output.commit()
        }
        // A codec that rebuilds peaks above what went in more than the probe's excerpts show gets room
        // under the ceiling from the start (see OutputFormat.truePeakHeadroomDB).
        let ceilingDBTP = options.target.truePeakDBTP - options.encoder.format.truePeakHeadroomDB
        // The output's temporary is created first: an unwritable folder fails before any work.
        var nextOutput: AtomicOutputFile? = try AtomicOutputFile(finalPath: outputPath)
        var calibration = try calibrated(
            source: source, plan: plan, ceilingDBTP: ceilingDBTP,
            probeBeside: outputPath, progress: progress)
        // The analysis, the plan and the trials are done with their lists: their memory goes back before
        // the render's threads start allocating from heaps of their own (see FreedMemory).
        FreedMemory.release()
        var pass = 0
        while true {
            pass += 1
            let output = try nextOutput ?? AtomicOutputFile(finalPath: outputPath)
            nextOutput = nil
            // An MP3 is measured while it is encoded (see StreamingMP3Verifier); other formats after.
            var streaming: StreamingMP3Verifier?
            var parallel: ParallelMP3Encoder?
            var metered: MeteredSink?
            let uncodedByTrial = calibration.response.measuredLevel(
                gainDB: calibration.gainDB, ceilingDBTP: calibration.ceilingDBTP)
            let stats: LimiterStatistics
            do {
                let encoder = try options.encoder.makeEncoder(
                    path: output.temporaryPath, sampleRate: plan.outputSampleRate, channelCount: plan.outputChannels,
                    metadata: metadata,
                    expectedSeconds: Double(plan.edit.outputFrameCount) / plan.edit.sampleRate,
                    spareCores: spareCores)
                parallel = encoder as? ParallelMP3Encoder
                if options.verify, let mp3 = encoder as? any MP3ByteSource {
                    streaming = try StreamingMP3Verifier(encoder: mp3, threaded: options.threading == .pipelined)
                }
                let format = AudioFormat(sampleRate: plan.outputSampleRate, channelCount: plan.outputChannels)
                // The uncoded loudness a correction needs is what a trial at this gain and ceiling
                // measured, when one did (the same chain); otherwise it is measured on the way.
                metered = options.verify && uncodedByTrial == nil ? MeteredSink(encoder, format: format) : nil
                stats = try renderPass(
                    plan: plan, from: source, gainDB: calibration.gainDB, ceilingDBTP: calibration.ceilingDBTP,
                    into: metered ?? encoder, observer: observer, progress: progress)
            } catch let PodsmithError.outputNotWritable(_, reason) {
                // The user knows the output by its final name, not by its temporary's.
                _ = streaming?.finish()
                output.discard()
                throw PodsmithError.outputNotWritable(path: outputPath, reason: reason)
            } catch {
                _ = streaming?.finish()
                throw error
            }
            report.gainDB = calibration.gainDB
            if let parallel { report.mp3Seams = parallel.seamStatistics }
            report.limiterMaxReductionDB = stats.maxReductionDB
            report.limitedSeconds = stats.reducingSeconds
            report.limitedOver1dBSeconds = stats.overOneDBSeconds
            report.limitedOver3dBSeconds = stats.overThreeDBSeconds
            report.limiterReductionP95DB = stats.reductionP95DB
            report.limitedRanges = stats.activeRanges.map {
                (Double($0.lowerBound) / plan.outputSampleRate)..<(Double($0.upperBound) / plan.outputSampleRate)
            }
            report.limitedRangeMaxReductionsDB = stats.activeRangeMaxReductionsDB
            report.passes = pass
            guard options.verify else {
                try publish(output)
                break
            }
            try progress?(.verifying, 0)
            let measured =
                try streaming?.finish()
                ?? LoudnessAnalysis.measure(AudioFileOpener.open(path: output.temporaryPath), meter: .podsmith)
            report.output = measured
            let level = measured.integratedLUFS ?? measured.ungatedLUFS
            let loudnessError = level.map { plan.measuredTargetLUFS - $0 } ?? 0
            let loudnessOK = abs(loudnessError) <= options.toleranceLU || (plan.gainCapped && loudnessError > 0)
            let overshoot = (measured.truePeakDBTP ?? -.infinity) - options.target.truePeakDBTP
            let peakOK = overshoot <= -truePeakGuardDB
            if (loudnessOK && peakOK) || pass >= options.maxPasses {
                if !loudnessOK, let level {
                    report.warnings.append(
                        String(
                            format: "after %d passes the output measures %.2f LUFS, %.2f LU from the target",
                            pass, level, -loudnessError))
                }
                if overshoot > 0 {
                    report.warnings.append(
                        String(
                            format: "after %d passes the true peak is %.2f dBTP, over the %.1f dBTP ceiling",
                            pass, measured.truePeakDBTP ?? 0, options.target.truePeakDBTP))
                }
                try publish(output)
                break
            }
            output.discard()
            calibration = try corrected(
                calibration, measured: measured, uncodedLUFS: metered?.uncodedLUFS ?? uncodedByTrial,
                limiterActed: stats.maxReductionDB > 0, source: source, plan: plan, progress: progress)
        }
        return report
    }

    /// `STEM.chapters.json` beside the output.
    public static func chaptersSidecarPath(for outputPath: String) -> String {
        let url = URL(fileURLWithPath: outputPath)
        return url.deletingPathExtension().path + ".chapters.json"
    }

    // MARK: - Analyse and plan

    /// Decodes the input once, measures it and maps its silence.
    public func analyse(inputPath: String, progress: ((Stage, Double) throws -> Void)? = nil) throws -> Plan {
        try analyse(AudioFileOpener.open(path: inputPath), progress: progress)
    }

    /// Reads `source` from where it stands to its end (all of it, when fresh), measures the programme
    /// and maps its silence. The plan's tags and non-finite count are the source's.
    public func analyse(
        _ source: some SeekableAudioSource,
        progress: ((Stage, Double) throws -> Void)? = nil
    ) throws -> Plan {
        let format = source.format
        let outChannels = outputChannelCount(input: format.channelCount)
        let outRate = options.encoder.format.outputSampleRate(
            input: format.sampleRate,
            requested: options.encoder.sampleRate)
        let analyser = try ProgrammeAnalyser(
            format: format, outputChannels: outChannels, silence: options.silence,
            recordSeries: options.recordsLoudnessSeries)
        let total = Double(format.frameCount ?? 0)
        try runConnected(
            channelCount: format.channelCount, capacity: options.blockFrames,
            threaded: options.threading == .pipelined,
            producer: { pipe in
                let buffer = AudioBuffer(channelCount: format.channelCount, capacity: options.blockFrames)
                var read: Int64 = 0
                while try source.read(into: buffer) > 0 {
                    try pipe.push(buffer)
                    read += Int64(buffer.frameCount)
                    if total > 0 { try progress?(.analysing, min(1, Double(read) / total)) }
                }
            }, consumer: { try analyser.process($0) })
        let (input, programme, silence) = analyser.finish()
        let frameCount = input.frameCount

        var edit = EditPlan.identity(frameCount: frameCount, sampleRate: format.sampleRate)
        if options.silence.trimHead || options.silence.trimTail || options.silence.maxPauseSeconds != nil {
            edit = EditPlan(silence: silence, options: options.silence)
        }

        // BS.1770 defines no gated loudness for less than one 400 ms block; such clips are normalized on
        // their ungated loudness. Anything with nothing above the absolute gate is refused.
        let usedUngated = programme.integratedLUFS == nil && Double(frameCount) < 0.4 * format.sampleRate
        let level = usedUngated ? programme.ungatedLUFS : programme.integratedLUFS
        guard let level, level > -70 else { throw PodsmithError.noProgramme(path: source.name) }

        let mono = outChannels == 1
        let convention: MonoConvention? = mono ? options.monoConvention : nil
        let measuredTarget = options.target
            .measuredTarget(channels: outChannels, convention: options.monoConvention).integratedLUFS
        var gain = measuredTarget - level
        let capped = gain > options.maxGainDB
        if capped { gain = options.maxGainDB }
        var plan = Plan(
            input: input, programme: programme, edit: edit, outputChannels: outChannels,
            outputSampleRate: outRate, monoConvention: convention, measuredTargetLUFS: measuredTarget,
            gainDB: gain, gainCapped: capped, usedUngatedLoudness: usedUngated,
            nonFiniteSamples: source.nonFiniteSampleCount, inputTags: source.tags,
            loudestPeakFrames: analyser.peaks.loudestWindows(
                count: CodecProbe.peakExcerptCount, apartFrames: Int64(3 * format.sampleRate)))
        planLeveler(&plan, analyser: analyser, level: level)
        return plan
    }

    /// The plan another normalizer made, adapted to this one's encoder (sample rate), so that one
    /// analysis serves several output formats; `nil` when the output's channel layout differs (then
    /// the programme must be measured again as that layout).
    public func adapted(_ plan: Plan) -> Plan? {
        guard outputChannelCount(input: plan.input.channelCount) == plan.outputChannels else { return nil }
        var copy = plan
        copy.outputSampleRate = options.encoder.format.outputSampleRate(
            input: plan.input.sampleRate,
            requested: options.encoder.sampleRate)
        return copy
    }

    /// Channels the output will have for an input of `inputChannels`.
    func outputChannelCount(input inputChannels: Int) -> Int {
        switch options.channels {
        case .mono: return 1
        case .stereo: return 2
        case .keep: return min(inputChannels, options.encoder.format.maxChannels)
        }
    }

    /// The tags to write: the user's, completed from the input's own tags; chapters re-timed.
    func outputMetadata(plan: Plan) throws -> EpisodeMetadata {
        var metadata = options.metadata
        let tags = plan.inputTags
        if metadata.title == nil { metadata.title = tags["title"] }
        if metadata.artist == nil { metadata.artist = tags["artist"] }
        if metadata.album == nil { metadata.album = tags["album"] }
        if metadata.comment == nil { metadata.comment = tags["comment"] }
        if metadata.genre == nil { metadata.genre = tags["genre"] ?? "Podcast" }
        if metadata.date == nil && metadata.year == nil { metadata.date = tags["date"] }
        if metadata.episode == nil, let track = tags["track"] {
            metadata.episode = Int(track.split(separator: "/").first ?? "")
        }
        if let chapters = options.chapters {
            let edit = plan.edit
            let inputDuration = Double(edit.inputFrameCount) / edit.sampleRate
            let outputDuration = Double(edit.outputFrameCount) / edit.sampleRate
            metadata.chapters = chapters.retimed(inputDuration: inputDuration, outputDuration: outputDuration) { t in
                edit.isKept(inputTime: t) ? edit.outputTime(forInputTime: t) : nil
            }
        }
        return metadata
    }

    // MARK: - Safety

    /// Refuses to write over the input unless asked.
    static func checkNotSameFile(input: String, output: String, inPlace: Bool) throws {
        var a = stat(), b = stat()
        guard stat(input, &a) == 0, stat(output, &b) == 0 else { return }
        if a.st_dev == b.st_dev && a.st_ino == b.st_ino && !inPlace {
            throw PodsmithError.outputIsInput(path: output)
        }
    }
}
