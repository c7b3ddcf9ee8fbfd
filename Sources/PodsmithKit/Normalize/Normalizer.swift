import Foundation

/// Turns one raw episode into a normalized, encoded, verified file.
///
/// Two streaming passes over the input, memory bounded by a few blocks whatever the length:
/// 1. **Analyse**: decode once; measure the input, and the programme as it will be written (after any
///    downmix), with our BS.1770-4 meter; map silence.
/// 2. **Plan**: trims and pause cuts (``EditPlan``), one linear gain to the target, capped by
///    `maxGainDB`.
/// 3. **Render**: trim → downmix → gain → look-ahead true-peak limiter → resample → encode, with the
///    encoder on its own thread (it is most of the work) and the DSP chain on the calling thread.
/// 4. **Verify**: decode the written file and measure it (an MP3 while it is encoded, from the bytes
///    written, on a third thread: ``StreamingMP3Verifier``; other formats after). If the integrated loudness is off by more than
///    the tolerance or the true peak is over the ceiling (lossy encoders overshoot), correct the gain or
///    lower the limiter's ceiling and render again, at most `maxPasses` times.
///
/// Normalization is linear: the gain is one number for the whole episode and the limiter touches only
/// the peaks that would cross the ceiling, so it never turns into a dynamic leveller.
public struct Normalizer {
    /// Stages reported to a progress callback.
    public enum Stage: String, Sendable { case analysing, calibrating, rendering, verifying }

    public var options: NormalizeOptions

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
    }

    /// Runs the whole job.
    /// - Parameters:
    ///   - inputPath: the raw episode.
    ///   - outputPath: the final name of the output; `nil` for a dry run (analyse and plan only).
    ///   - inPlace: allow `outputPath` to be the input itself.
    ///   - progress: called with the stage and the fraction done (0…1), from the calling thread; an
    ///     error it throws (a cancellation) stops the job, and the temporary output is removed.
    public func run(inputPath: String, outputPath: String?, inPlace: Bool = false,
                    progress: ((Stage, Double) throws -> Void)? = nil) throws -> NormalizeReport {
        try options.check()
        if let outputPath {
            try Self.checkNotSameFile(input: inputPath, output: outputPath, inPlace: inPlace)
        }
        let plan = try analyse(inputPath: inputPath, progress: progress)
        guard let outputPath else { return plannedReport(plan, inputPath: inputPath, outputPath: nil) }
        return try write(plan: plan, inputPath: inputPath, outputPath: outputPath, progress: progress)
    }

    /// The report of a plan before anything is written (what `--dry-run` prints).
    public func plannedReport(_ plan: Plan, inputPath: String, outputPath: String?) -> NormalizeReport {
        var warnings: [String] = []
        if plan.nonFiniteSamples > 0 {
            warnings.append("\(plan.nonFiniteSamples) NaN/Inf samples in the input were replaced by silence")
        }
        if plan.gainCapped {
            warnings.append(String(format: "gain capped at +%.1f dB (--max-gain): the output stays below the target",
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
        report.inputLoudnessSeries = plan.programme.momentarySeries.isEmpty ? nil
            : (momentary: plan.programme.momentarySeries, shortTerm: plan.programme.shortTermSeries)
        return report
    }

    /// Renders an analysed plan into `outputPath` (through a temporary file), verifies it and corrects
    /// it if needed; writes `STEM.chapters.json` beside it when there are chapters.
    /// - Parameter plan: from ``analyse(inputPath:progress:)`` of this normalizer, or ``adapted(_:)``.
    /// - Parameter observer: sees every block handed to the encoder (on the encoder's thread); told
    ///   when a pass starts, so that only the final pass's blocks count.
    public func write(plan: Plan, inputPath: String, outputPath: String, observer: (any RenderObserver)? = nil,
                      progress: ((Stage, Double) throws -> Void)? = nil) throws -> NormalizeReport {
        var report = plannedReport(plan, inputPath: inputPath, outputPath: outputPath)

        AtomicOutputFile.removeStale(beside: outputPath)
        let metadata = try outputMetadata(plan: plan)
        // A codec that rebuilds peaks above what went in more than the probe's excerpts show gets room
        // under the ceiling from the start (see OutputFormat.truePeakHeadroomDB).
        var ceilingDBTP = options.target.truePeakDBTP - options.encoder.format.truePeakHeadroomDB
        // The output's temporary is created first: an unwritable folder fails before any work.
        var nextOutput: AtomicOutputFile? = try AtomicOutputFile(finalPath: outputPath)
        var gainDB: Double
        (gainDB, ceilingDBTP) = try calibrated(inputPath: inputPath, plan: plan, ceilingDBTP: ceilingDBTP,
                                               outputPath: outputPath, progress: progress)
        var pass = 0
        var oneStream = false
        while true {
            pass += 1
            let output = try nextOutput ?? AtomicOutputFile(finalPath: outputPath)
            nextOutput = nil
            // An MP3 is measured while it is encoded (see StreamingMP3Verifier); other formats after.
            var streaming: StreamingMP3Verifier?
            var parallel: ParallelMP3Encoder?
            let stats: LimiterStatistics
            do {
                stats = try render(inputPath: inputPath, plan: plan, gainDB: gainDB, ceilingDBTP: ceilingDBTP,
                                   sink: { rate, channels in
                                       let encoder = try makeEncoder(path: output.temporaryPath, sampleRate: rate,
                                                                     channelCount: channels, metadata: metadata,
                                                                     forcesOneStream: oneStream)
                                       parallel = encoder as? ParallelMP3Encoder
                                       if options.verify, let mp3 = encoder as? any MP3ByteSource {
                                           streaming = try StreamingMP3Verifier(
                                               encoder: mp3, threaded: options.threading == .pipelined)
                                       }
                                       return encoder
                                   }, observer: observer, progress: progress)
            } catch let seam as ParallelMP3Encoder.SeamNotFound {
                // A window without a clean seam (it happens on speech; see ParallelMP3Encoder): encode
                // this pass again with one LAME instance.
                _ = streaming?.finish()
                output.discard()
                oneStream = true
                pass -= 1
                report.mp3Seams = ParallelMP3Encoder.SeamStatistics(notFound: 1)
                report.warnings.append("\(seam) (\(seam.detail)); encoded with one LAME instance instead")
                continue
            } catch let PodsmithError.outputNotWritable(_, reason) {
                // The user knows the output by its final name, not by its temporary's.
                _ = streaming?.finish()
                output.discard()
                throw PodsmithError.outputNotWritable(path: outputPath, reason: reason)
            } catch {
                _ = streaming?.finish()
                throw error
            }
            report.gainDB = gainDB
            if let parallel { report.mp3Seams = parallel.seamStatistics }
            report.limiterMaxReductionDB = stats.maxReductionDB
            report.limitedSeconds = stats.reducingSeconds
            report.limitedRanges = stats.activeRanges.map {
                (Double($0.lowerBound) / plan.outputSampleRate)..<(Double($0.upperBound) / plan.outputSampleRate)
            }
            report.passes = pass
            guard options.verify else {
                try output.commit()
                break
            }
            try progress?(.verifying, 0)
            let measured = try streaming?.finish()
                ?? LoudnessAnalysis.measure(SoundFileReader(path: output.temporaryPath), meter: .podsmith)
            report.output = measured
            let level = measured.integratedLUFS ?? measured.ungatedLUFS
            let loudnessError = level.map { plan.measuredTargetLUFS - $0 } ?? 0
            let loudnessOK = abs(loudnessError) <= options.toleranceLU || (plan.gainCapped && loudnessError > 0)
            let overshoot = (measured.truePeakDBTP ?? -.infinity) - options.target.truePeakDBTP
            let peakOK = overshoot <= 0
            if (loudnessOK && peakOK) || pass >= options.maxPasses {
                if !loudnessOK, let level {
                    report.warnings.append(String(format: "after %d passes the output measures %.2f LUFS, %.2f LU from the target",
                                                  pass, level, -loudnessError))
                }
                if !peakOK {
                    report.warnings.append(String(format: "after %d passes the true peak is %.2f dBTP, over the %.1f dBTP ceiling",
                                                  pass, measured.truePeakDBTP ?? 0, options.target.truePeakDBTP))
                }
                try output.commit()
                break
            }
            output.discard()
            if !loudnessOK && !plan.gainCapped {
                gainDB = min(gainDB + loudnessError, options.maxGainDB)
            }
            if !peakOK {
                // Lossy encoding added `overshoot` dB on top of the limiter's output: aim that much lower,
                // with room for the next encode's own variation (a lossy encode of the same signal differs by
                // a tenth of a dB from run to run).
                ceilingDBTP -= overshoot + 0.15
            }
        }
        if let chapters = metadata.chapters, !chapters.chapters.isEmpty {
            try AtomicOutputFile.write(chapters.jsonData(), to: Self.chaptersSidecarPath(for: outputPath))
        }
        return report
    }

    /// The gain that reaches the target in the *written* file.
    ///
    /// Two things move the written file's loudness away from what the gain alone predicts: the limiter
    /// takes a little loudness away when it acts (0.1–0.5 LU on music, less on speech), and a lossy
    /// encoder takes some too (LAME at 128 kbit/s low-passes and drops masked detail: −0.3 to −0.5 LU
    /// on bright music, since K-weighting favours high frequencies). Rather than learn that from the
    /// encoded file and encode again (the encoder is ~90 % of the job):
    /// - for a lossy format, verified or not (`--no-verify` should land on the target too), a few
    ///   short excerpts are rendered (the reader seeks to each; see ``CodecProbe`` and
    ///   ``probeCodec(inputPath:plan:gainDB:ceilingDBTP:outputPath:)``), encoded, decoded and
    ///   measured against the same excerpts uncoded: the codec's loss;
    /// - only when the limiter is expected to act (the programme's true peak plus the gain reaches the
    ///   ceiling), a trial pass runs the whole DSP chain into a loudness-only meter (no true peak, which
    ///   is most of a meter's cost): the limiter's loss depends on every peak of the programme, which
    ///   excerpts cannot stand for. Without limiting the chain is linear and the plan's gain already
    ///   holds, so that pass is skipped.
    /// The gain is corrected by both, so that verification normally passes on the first encode.
    ///
    /// The probe also compares the excerpts' true peaks before and after the codec: a lossy encoder
    /// adds its own overshoot on top of the limiter's ceiling (low-bitrate Opus by 0.5 dB and more), so
    /// when the excerpts hold peaks near the ceiling the limiter aims that much lower.
    /// - Returns: the gain, and the ceiling the limiter should aim at.
    func calibrated(inputPath: String, plan: Plan, ceilingDBTP: Double, outputPath: String,
                    progress: ((Stage, Double) throws -> Void)?) throws -> (gainDB: Double, ceilingDBTP: Double) {
        var gainDB = plan.gainDB
        var ceilingDBTP = ceilingDBTP
        let lossy = options.encoder.format.isLossy
        var limits = plan.programme.truePeakDBTP.map { $0 + gainDB > ceilingDBTP - options.limiter.safetyMarginDB } ?? false
        guard !plan.gainCapped, limits || lossy else { return (gainDB, ceilingDBTP) }
        try progress?(.calibrating, 0)
        var codecLossDB = 0.0
        if lossy {
            let probe = try probeCodec(inputPath: inputPath, plan: plan, gainDB: gainDB, ceilingDBTP: ceilingDBTP,
                                       outputPath: outputPath)
            codecLossDB = probe.lossDB
            if probe.overshootDB > 0 {
                ceilingDBTP -= probe.overshootDB
                limits = plan.programme.truePeakDBTP.map { $0 + gainDB > ceilingDBTP - options.limiter.safetyMarginDB } ?? false
            }
        }
        // The trial starts from the gain already corrected for the codec, so that it measures (and
        // corrects) the limiter's loss alone, normally in one pass.
        gainDB = min(gainDB + codecLossDB, options.maxGainDB)
        guard limits else { return (gainDB, ceilingDBTP) }
        for _ in 0..<2 {
            let sink = MeterSink()
            _ = try render(inputPath: inputPath, plan: plan, gainDB: gainDB, ceilingDBTP: ceilingDBTP,
                           sink: { rate, channels in
                               sink.start(AudioFormat(sampleRate: rate, channelCount: channels))
                               return sink
                           }, observer: nil, progress: progress.map { report in { try report(.calibrating, $1) } })
            guard let level = sink.result?.integratedLUFS ?? sink.result?.ungatedLUFS else { break }
            let error = plan.measuredTargetLUFS + codecLossDB - level
            // More gain, more limiting: the output rises by only (1 − s) of a gain step, so the step
            // that closes the error is error / (1 − s) (see ``limiterLossSlope``).
            gainDB = min(gainDB + error / (1 - Self.limiterLossSlope), options.maxGainDB)
            // With s anywhere in 0…0.4 the residual is at most a quarter of the error: a second trial
            // pass (a few seconds per hour) only when that could reach 0.125 LU, well inside the
            // tolerance; at the measured s ≈ 0.2 it is a few hundredths of the error.
            if abs(error) < 0.5 { break }
        }
        return (gainDB, ceilingDBTP)
    }

    /// How much of a gain change the limiter takes back, for gains that make it act: raising the gain
    /// by x dB raises the limited programme's loudness by (1 − s)·x. Measured with two trial passes
    /// (the second after a correction by the first's error): 0.21–0.24 on four of the season
    /// benchmark's 3-minute episodes limited by 4.6–7.4 dB (`normalize` with a debug print of each
    /// trial's gain and error), 0.2 on a speech-and-music hour limited by up to 4.4 dB (a 0.15 dB
    /// correction moved the loss by 0.03 LU). Using 0.2 instead of 0 (a plain error correction), the
    /// output lands on the target instead of consistently a few hundredths under it, and one trial
    /// pass does where two were needed.
    static let limiterLossSlope = 0.2

    /// The lossy encoder's loudness loss, LU (uncoded minus decoded), on the excerpts of a
    /// ``CodecProbe``: each is rendered through the same chain as the output (downmix, resample, gain,
    /// limiter) after a second of pre-roll that settles the resampler and the limiter and is then
    /// dropped; all are encoded into one probe file beside the output, decoded and measured.
    /// - Returns: the loudness loss, and the codec's true-peak overshoot when the excerpts reach within
    ///   3 dB of the ceiling (0 otherwise: quiet excerpts say nothing about the peaks that matter).
    func probeCodec(inputPath: String, plan: Plan, gainDB: Double, ceilingDBTP: Double,
                    outputPath: String) throws -> (lossDB: Double, overshootDB: Double) {
        let probe = CodecProbe(edit: plan.edit)
        guard !probe.windows.isEmpty else { return (0, 0) }
        let reader = try SoundFileReader(path: inputPath)
        let format = reader.format
        let channels = plan.outputChannels
        let outFormat = AudioFormat(sampleRate: plan.outputSampleRate, channelCount: channels)
        let probeFile = try AtomicOutputFile(finalPath: outputPath + ".probe")
        defer { probeFile.discard() }
        let encoder = try makeEncoder(path: probeFile.temporaryPath, sampleRate: plan.outputSampleRate,
                                      channelCount: channels, metadata: EpisodeMetadata(genre: nil),
                                      forcesOneStream: true, mp3Quality: Self.probeMP3Quality)
        let uncodedMeter = LoudnessMeter(format: outFormat)
        let input = AudioBuffer(channelCount: format.channelCount, capacity: options.blockFrames)
        let slice = AudioBuffer(channelCount: channels, capacity: options.blockFrames)
        let ratio = plan.outputSampleRate / format.sampleRate
        var limiterOptions = options.limiter
        limiterOptions.ceilingDBTP = ceilingDBTP

        for window in probe.windows {
            let preRoll = min(window.lowerBound, Int64(format.sampleRate))
            try reader.seek(toFrame: window.lowerBound - preRoll)
            let mixer = channels == format.channelCount
                ? nil : try ChannelMixer(inputChannels: format.channelCount, outputChannels: channels)
            let resampler = plan.outputSampleRate == format.sampleRate
                ? nil : try Resampler(inputRate: format.sampleRate, outputRate: plan.outputSampleRate, channelCount: channels)
            let gain = GainStage(gainDB: gainDB, channelCount: channels)
            let limiter = TruePeakLimiter(options: limiterOptions, sampleRate: plan.outputSampleRate, channelCount: channels)
            // Output frames to drop (the pre-roll) and to keep (the window), at the output rate.
            let skip = Int64((Double(preRoll) * ratio).rounded())
            let keep = Int64((Double(window.count) * ratio).rounded())
            var position: Int64 = 0
            func take(_ block: AudioBuffer) throws {
                let start = max(0, skip - position), end = min(Int64(block.frameCount), skip + keep - position)
                position += Int64(block.frameCount)
                guard end > start else { return }
                var offset = Int(start)
                while offset < Int(end) {
                    let n = min(slice.capacity, Int(end) - offset)
                    for c in 0..<channels {
                        slice.baseAddress(ofChannel: c).update(from: block.baseAddress(ofChannel: c) + offset, count: n)
                    }
                    slice.frameCount = n
                    uncodedMeter.process(slice)
                    try encoder.write(slice)
                    offset += n
                }
            }
            func limit(_ block: AudioBuffer) throws {
                try gain.process(block) { try limiter.process($0, emit: take) }
            }
            func resample(_ block: AudioBuffer) throws {
                if let resampler { try resampler.process(block, emit: limit) } else { try limit(block) }
            }
            func mix(_ block: AudioBuffer) throws {
                if let mixer { try mixer.process(block, emit: resample) } else { try resample(block) }
            }
            var remaining = window.upperBound - (window.lowerBound - preRoll)
            while remaining > 0, try reader.read(into: input) > 0 {
                input.frameCount = Int(min(Int64(input.frameCount), remaining))
                remaining -= Int64(input.frameCount)
                try mix(input)
            }
            try mixer?.finish(emit: resample)
            try resampler?.finish(emit: limit)
            try limiter.finish(emit: take)
        }
        try encoder.finish()
        let uncoded = uncodedMeter.result()
        let decoded = try LoudnessAnalysis.measure(SoundFileReader(path: probeFile.temporaryPath), meter: .podsmith)
        guard let before = uncoded.integratedLUFS ?? uncoded.ungatedLUFS,
              let after = decoded.integratedLUFS ?? decoded.ungatedLUFS else { return (0, 0) }
        var overshoot = 0.0
        if let peakBefore = uncoded.truePeakDBTP, let peakAfter = decoded.truePeakDBTP, peakBefore > ceilingDBTP - 3 {
            overshoot = max(0, peakAfter - peakBefore)
        }
        return (before - after, overshoot)
    }

    /// LAME's algorithm quality for the codec probe's excerpts: 7, about half the CPU time of the
    /// output's quality 3 (1.05 against 1.95 CPU-s for a 3-minute stereo episode at 128 kbit/s, `lame
    /// -q 7` against `-q 3`). What the probe learns does not depend on it: LAME's loudness loss is a
    /// level change set by the bitrate (decoded, a minute of speech, of music and of mono speech each
    /// lost 0.40 LU at 64 kbit/s CBR, 0.44–0.45 at 128, 0.26 at 192 and none at VBR `-V 2`, the same
    /// at `-q 7` as at `-q 3` to 0.01 LU; see ``CodecProbe`` for the probe's own figures).
    static let probeMP3Quality = 7

    /// `STEM.chapters.json` beside the output.
    public static func chaptersSidecarPath(for outputPath: String) -> String {
        let url = URL(fileURLWithPath: outputPath)
        return url.deletingPathExtension().path + ".chapters.json"
    }

    // MARK: - Analyse and plan

    /// Decodes the input once, measures it and maps its silence.
    public func analyse(inputPath: String, progress: ((Stage, Double) throws -> Void)? = nil) throws -> Plan {
        let reader = try SoundFileReader(path: inputPath)
        let format = reader.format
        let outChannels = outputChannelCount(input: format.channelCount)
        let outRate = options.encoder.format.outputSampleRate(input: format.sampleRate,
                                                              requested: options.encoder.sampleRate)
        let analyser = try ProgrammeAnalyser(format: format, outputChannels: outChannels, silence: options.silence,
                                             recordSeries: options.recordsLoudnessSeries)
        let total = Double(format.frameCount ?? 0)
        try runConnected(channelCount: format.channelCount, capacity: options.blockFrames,
                         threaded: options.threading == .pipelined, producer: { pipe in
            let buffer = AudioBuffer(channelCount: format.channelCount, capacity: options.blockFrames)
            var read: Int64 = 0
            while try reader.read(into: buffer) > 0 {
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
        guard let level, level > -70 else { throw PodsmithError.noProgramme(path: inputPath) }

        let mono = outChannels == 1
        let convention: MonoConvention? = mono ? options.monoConvention : nil
        let measuredTarget = options.target.integratedLUFS
            - (convention == .dualMono ? MonoConvention.dualMonoOffsetDB : 0)
        var gain = measuredTarget - level
        let capped = gain > options.maxGainDB
        if capped { gain = options.maxGainDB }
        return Plan(input: input, programme: programme, edit: edit, outputChannels: outChannels,
                    outputSampleRate: outRate, monoConvention: convention, measuredTargetLUFS: measuredTarget,
                    gainDB: gain, gainCapped: capped, usedUngatedLoudness: usedUngated,
                    nonFiniteSamples: reader.nonFiniteSampleCount, inputTags: reader.tags)
    }

    /// The plan another normalizer made, adapted to this one's encoder (sample rate), so that one
    /// analysis serves several output formats; `nil` when the output's channel layout differs (then
    /// the programme must be measured again as that layout).
    public func adapted(_ plan: Plan) -> Plan? {
        guard outputChannelCount(input: plan.input.channelCount) == plan.outputChannels else { return nil }
        var copy = plan
        copy.outputSampleRate = options.encoder.format.outputSampleRate(input: plan.input.sampleRate,
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

    // MARK: - Render

    /// One render pass into `path`.
    /// - Parameter sink: where the rendered blocks go: the encoder, or a meter for a trial pass.
    func render(inputPath: String, plan: Plan, gainDB: Double, ceilingDBTP: Double,
                sink makeSink: (_ sampleRate: Double, _ channels: Int) throws -> any AudioEncoder,
                observer: (any RenderObserver)?,
                progress: ((Stage, Double) throws -> Void)?) throws -> LimiterStatistics {
        let reader = try SoundFileReader(path: inputPath)
        let format = reader.format
        let channels = plan.outputChannels
        let editor = plan.edit.isIdentity ? nil : EditRenderer(plan: plan.edit, channelCount: format.channelCount)
        let mixer = channels == format.channelCount
            ? nil : try ChannelMixer(inputChannels: format.channelCount, outputChannels: channels)
        let gain = GainStage(gainDB: gainDB, channelCount: channels)
        var limiterOptions = options.limiter
        limiterOptions.ceilingDBTP = ceilingDBTP
        let resampler = plan.outputSampleRate == format.sampleRate
            ? nil : try Resampler(inputRate: format.sampleRate, outputRate: plan.outputSampleRate, channelCount: channels)
        let limiter = TruePeakLimiter(options: limiterOptions, sampleRate: plan.outputSampleRate, channelCount: channels)
        observer?.renderWillStart(sampleRate: plan.outputSampleRate, channelCount: channels)
        let watcher = UncheckedBox(observer)
        let encoder = UncheckedBox(try makeSink(plan.outputSampleRate, channels))
        let total = Double(plan.edit.inputFrameCount)
        var consumed: Int64 = 0

        // The chain after the editor: downmix → resample → gain → limiter → pipe. Resampling and
        // downmixing come before the limiter so that its ceiling holds for the signal as written.
        func limitAndSend(_ block: AudioBuffer, _ pipe: BlockPipe) throws {
            try gain.process(block) { gained in
                try limiter.process(gained) { try pipe.push($0) }
            }
        }
        func resampleAndSend(_ block: AudioBuffer, _ pipe: BlockPipe) throws {
            if let resampler {
                try resampler.process(block) { try limitAndSend($0, pipe) }
            } else {
                try limitAndSend(block, pipe)
            }
        }
        func downstream(_ block: AudioBuffer, _ pipe: BlockPipe) throws {
            if let mixer {
                try mixer.process(block) { try resampleAndSend($0, pipe) }
            } else {
                try resampleAndSend(block, pipe)
            }
        }
        func flushAfterEditor(_ pipe: BlockPipe) throws {
            try mixer?.finish { try resampleAndSend($0, pipe) }
            try resampler?.finish { try limitAndSend($0, pipe) }
            try limiter.finish { try pipe.push($0) }
        }

        try runConnected(channelCount: channels, capacity: options.blockFrames,
                         threaded: options.threading == .pipelined, producer: { pipe in
            let buffer = AudioBuffer(channelCount: format.channelCount, capacity: options.blockFrames)
            while try reader.read(into: buffer) > 0 {
                consumed += Int64(buffer.frameCount)
                if let editor {
                    try editor.process(buffer) { try downstream($0, pipe) }
                } else {
                    try downstream(buffer, pipe)
                }
                if total > 0 { try progress?(.rendering, min(1, Double(consumed) / total)) }
            }
            try editor?.finish { try downstream($0, pipe) }
            try flushAfterEditor(pipe)
        }, consumer: { block in
            watcher.value?.render(block)
            try encoder.value.write(block)
        }, finish: {
            try encoder.value.finish()
        })
        return limiter.statistics
    }

    /// The encoder for the requested format.
    /// - Parameter mp3Quality: LAME's algorithm quality, for the codec probe (the output always uses
    ///   ``MP3EncoderOptions``' default).
    func makeEncoder(path: String, sampleRate: Double, channelCount: Int,
                     metadata: EpisodeMetadata, forcesOneStream: Bool = false,
                     mp3Quality: Int = MP3EncoderOptions().quality) throws -> any AudioEncoder {
        let settings = options.encoder
        switch settings.format {
        case .mp3 where settings.encodeThreads > 1 && !forcesOneStream:
            return try ParallelMP3Encoder(path: path, sampleRate: sampleRate, channelCount: channelCount,
                                          metadata: metadata, options: MP3EncoderOptions(bitrateKbps: settings.bitrateKbps),
                                          threads: settings.encodeThreads)
        case .mp3:
            return try MP3Encoder(path: path, sampleRate: sampleRate, channelCount: channelCount, metadata: metadata,
                                  options: MP3EncoderOptions(bitrateKbps: settings.bitrateKbps,
                                                             vbrQuality: settings.vbrQuality, quality: mp3Quality))
        case .opus:
            return try OpusEncoder(path: path, sampleRate: sampleRate, channelCount: channelCount, metadata: metadata,
                                   options: OpusEncoderOptions(bitrateKbps: settings.bitrateKbps))
        case .flac:
            return try FLACEncoder(path: path, sampleRate: sampleRate, channelCount: channelCount, metadata: metadata,
                                   options: FLACEncoderOptions(bitDepth: settings.bitDepth))
        case .wav:
            return try WAVEncoder(path: path, sampleRate: sampleRate, channelCount: channelCount,
                                  bitDepth: settings.bitDepth, metadata: metadata)
        }
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

/// The end of a trial render: measures loudness (no true peak) instead of encoding.
final class MeterSink: AudioEncoder, @unchecked Sendable {
    private var meter: LoudnessMeter?
    private(set) var result: LoudnessMeasurement?

    func start(_ format: AudioFormat) {
        meter = LoudnessMeter(format: format, options: LoudnessMeterOptions(measuresTruePeak: false))
    }

    func write(_ buffer: AudioBuffer) throws {
        meter?.process(buffer)
    }

    func finish() throws {
        result = meter?.result()
    }
}

/// Where the codec probe samples the programme: excerpts spread evenly over the output, in input
/// frames, each inside one kept region of the edit (so no cut or crossfade falls inside an excerpt and
/// each can be rendered on its own).
///
/// The probe's cost is an encode of its excerpts, so it is sized to the programme: together the
/// excerpts are 2.5 % of the output, three of them under ten minutes and six from then on, each at
/// least 2 s and at most 10 s (6 s for a 3-minute episode, 15 s at ten minutes, a minute from 40
/// minutes on). A second render pass, which the probe exists to avoid, costs a whole encode. What it
/// measures hardly depends on where it listens: LAME's loss at a constant bitrate is mostly a level
/// change (see ``Normalizer/probeMP3Quality``). Measured through the probe on ten of the season
/// benchmark's 3-minute episodes and SampleAudio's seven files, against six 10 s excerpts at quality
/// 3 (0.43–0.45 LU at 128 kbit/s): three 2 s excerpts at quality 3 were within 0.008 LU on every
/// file, at quality 7 within 0.023 LU; six 2 s excerpts were 0.043 LU off on one episode, six 1 s
/// ones 0.081. With three 2 s excerpts at quality 7 every output landed in one pass, within 0.04 LU
/// of the target. A programme shorter than the excerpts together is probed whole.
struct CodecProbe: Sendable {
    let windows: [Range<Int64>]

    /// Excerpts for an output of `outputSeconds`: three under ten minutes, six from then on.
    static func excerptCount(outputSeconds: Double) -> Int { outputSeconds < 600 ? 3 : 6 }

    /// Seconds per excerpt for an output of `outputSeconds`: ``fraction`` of it over `count`
    /// excerpts, clamped to `minimumSeconds...maximumSeconds`.
    static func excerptSeconds(outputSeconds: Double, count: Int, fraction: Double = 0.025,
                               minimumSeconds: Double = 2, maximumSeconds: Double = 10) -> Double {
        min(maximumSeconds, max(minimumSeconds, outputSeconds * fraction / Double(count)))
    }

    init(edit: EditPlan) {
        let outputSeconds = Double(edit.outputFrameCount) / edit.sampleRate
        let count = Self.excerptCount(outputSeconds: outputSeconds)
        self.init(edit: edit, count: count, seconds: Self.excerptSeconds(outputSeconds: outputSeconds, count: count))
    }

    init(edit: EditPlan, count: Int, seconds: Double) {
        let length = Int64(seconds * edit.sampleRate)
        let total = edit.outputFrameCount
        if total <= length * Int64(count) {
            windows = edit.keptRegions
            return
        }
        var windows: [Range<Int64>] = []
        // An excerpt shorter than this says too little (a region squeezed between cuts).
        let shortest = min(length, Int64(edit.sampleRate))
        for i in 0..<Int64(count) {
            let centre = edit.inputFrame(forOutputFrame: (2 * i + 1) * total / (2 * Int64(count)))
            guard let region = edit.keptRegions.first(where: { $0.contains(centre) }) ?? edit.keptRegions.last(where: {
                $0.lowerBound <= centre
            }) else { continue }
            let start = min(max(region.lowerBound, centre - length / 2), max(region.lowerBound, region.upperBound - length))
            let window = start..<min(start + length, region.upperBound)
            if window.count >= shortest, windows.last.map({ $0.upperBound <= window.lowerBound }) ?? true {
                windows.append(window)
            }
        }
        self.windows = windows
    }
}

/// Carries a non-Sendable value to the one other thread that uses it (ownership moves with it).
final class UncheckedBox<Value>: @unchecked Sendable {
    let value: Value
    init(_ value: Value) { self.value = value }
}

/// An MP3 encoder whose written audio bytes can be watched as they are written.
protocol MP3ByteSource: AnyObject {
    var sampleRate: Int { get }
    var channelCount: Int { get }
    var streamLeadingFrames: Int { get }
    var byteTap: ((_ bytes: UnsafeRawBufferPointer, _ encodedFrames: Int64) throws -> Void)? { get set }
}

extension MP3Encoder: MP3ByteSource {}
extension ParallelMP3Encoder: MP3ByteSource {}

/// Verification of an MP3 while it is being encoded: the bytes ``MP3Encoder`` writes (its
/// ``MP3Encoder/byteTap``) go through a byte ring to a thread of their own, which decodes them
/// (``MP3StreamDecoder``) and measures them with our meter, so that the written file's figures are
/// ready as soon as LAME has finished instead of a decode of the whole file later.
///
/// The bytes measured are the written file's own (the tap passes the buffer just written, after the
/// write succeeded), and the decoder drops and trims what a gapless decode of the finished file drops
/// and trims, so the figures are those of the file as written. If the stream decoder fails (it should
/// not), ``finish()`` returns `nil` and the caller decodes the file instead.
///
/// Not threaded, the tap decodes and measures the bytes itself, on the encoder's thread, with no
/// ring (see ``RenderThreading/singleThread``).
final class StreamingMP3Verifier: @unchecked Sendable {
    private let decoder: MP3StreamDecoder
    private let meter: LoudnessMeter
    private let ring: UnsafeMutableRawPointer
    private let capacity: Int
    private var head = 0
    private var count = 0
    private var frameLimit: Int64 = .max
    private var closed = false
    private var failed = false
    private let condition = NSCondition()
    private let done = DispatchSemaphore(value: 0)

    private let threaded: Bool

    /// Attaches to `encoder` (sets its byte tap) and, when `threaded`, starts the decoding thread.
    /// - Parameter ringBytes: bytes buffered between the threads; at 128 kbit/s 1 MB is a minute of audio.
    init(encoder: any MP3ByteSource, threaded: Bool = true, ringBytes: Int = 1 << 20) throws {
        decoder = try MP3StreamDecoder(sampleRate: encoder.sampleRate, channelCount: encoder.channelCount,
                                       leadingFrames: encoder.streamLeadingFrames)
        meter = LoudnessMeter(format: AudioFormat(sampleRate: Double(encoder.sampleRate), channelCount: encoder.channelCount))
        self.threaded = threaded
        capacity = threaded ? ringBytes : 0
        ring = .allocate(byteCount: capacity, alignment: 16)
        guard threaded else {
            encoder.byteTap = { bytes, frames in self.decodeInline(bytes, encodedFrames: frames) }
            return
        }
        encoder.byteTap = { bytes, frames in self.append(bytes, encodedFrames: frames) }
        let thread = Thread { [self] in
            run()
            done.signal()
        }
        thread.stackSize = 1 << 20
        thread.start()
    }

    deinit { ring.deallocate() }

    /// Decodes and measures `bytes`; `encodedFrames` is how many frames the encoder had taken when it
    /// wrote them (the decoder trims to it).
    private func decode(_ bytes: UnsafeRawBufferPointer, encodedFrames: Int64) throws {
        decoder.frameLimit = encodedFrames
        try decoder.feed(bytes) { meter.process($0) }
    }

    /// Decodes and measures what the decoder still holds; marks the verification failed if it cannot.
    private func finishDecoding() {
        do { try decoder.finish { meter.process($0) } } catch { failed = true }
    }

    /// Encoder's thread, not threaded: decodes and measures the bytes at once.
    private func decodeInline(_ bytes: UnsafeRawBufferPointer, encodedFrames: Int64) {
        guard !failed else { return }
        do { try decode(bytes, encodedFrames: encodedFrames) } catch { failed = true }
    }

    /// Encoder's thread: copies the bytes into the ring (waits while it is full).
    private func append(_ bytes: UnsafeRawBufferPointer, encodedFrames: Int64) {
        var offset = 0
        condition.lock()
        frameLimit = encodedFrames
        while offset < bytes.count && !failed {
            while count == capacity && !failed { condition.wait() }
            if failed { break }
            let tail = (head + count) % capacity
            let n = min(bytes.count - offset, capacity - count, capacity - tail)
            condition.unlock()
            (ring + tail).copyMemory(from: bytes.baseAddress! + offset, byteCount: n)
            condition.lock()
            count += n
            offset += n
            condition.signal()
        }
        condition.signal()
        condition.unlock()
    }

    /// Decoding thread: feeds contiguous spans of the ring to the decoder until closed and empty.
    private func run() {
        while true {
            condition.lock()
            while count == 0 && !closed { condition.wait() }
            if count == 0 && closed {
                condition.unlock()
                finishDecoding()
                return
            }
            let start = head, n = min(count, capacity - head), limit = frameLimit
            condition.unlock()
            do {
                try decode(UnsafeRawBufferPointer(start: ring + start, count: n), encodedFrames: limit)
            } catch {
                condition.lock()
                failed = true
                condition.broadcast()
                condition.unlock()
                return
            }
            condition.lock()
            head = (head + n) % capacity
            count -= n
            condition.signal()
            condition.unlock()
        }
    }

    /// After the encoder's ``MP3Encoder/finish()`` (or after it failed): waits for the decoding thread
    /// and returns the written file's figures, or `nil` if the stream could not be decoded.
    func finish() -> LoudnessMeasurement? {
        guard threaded else {
            if !failed { finishDecoding() }
            return failed ? nil : meter.result()
        }
        condition.lock()
        closed = true
        condition.broadcast()
        condition.unlock()
        done.wait()
        return failed ? nil : meter.result()
    }
}
