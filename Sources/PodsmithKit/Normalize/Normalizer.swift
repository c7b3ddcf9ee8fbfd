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
/// 4. **Verify**: decode the written file and measure it. If the integrated loudness is off by more than
///    the tolerance or the true peak is over the ceiling (lossy encoders overshoot), correct the gain or
///    lower the limiter's ceiling and render again, at most `maxPasses` times.
///
/// Normalization is linear: the gain is one number for the whole episode and the limiter touches only
/// the peaks that would cross the ceiling, so it never turns into a dynamic leveller.
public struct Normalizer {
    /// Stages reported to a progress callback.
    public enum Stage: String, Sendable { case analysing, rendering, verifying }

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
    ///   - progress: called with the stage and the fraction done (0…1), from the calling thread.
    public func run(inputPath: String, outputPath: String?, inPlace: Bool = false,
                    progress: ((Stage, Double) -> Void)? = nil) throws -> NormalizeReport {
        try options.encoder.checkBeforeAnalysis()
        if let outputPath {
            try Self.checkNotSameFile(input: inputPath, output: outputPath, inPlace: inPlace)
        }
        let plan = try analyse(inputPath: inputPath, progress: progress)
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
        guard let outputPath else { return report }

        AtomicOutputFile.removeStale(beside: outputPath)
        let metadata = try outputMetadata(plan: plan)
        var gainDB = plan.gainDB
        var ceilingDBTP = options.target.truePeakDBTP
        var pass = 0
        while true {
            pass += 1
            let output = try AtomicOutputFile(finalPath: outputPath)
            let stats = try render(inputPath: inputPath, plan: plan, gainDB: gainDB, ceilingDBTP: ceilingDBTP,
                                   metadata: metadata, to: output.temporaryPath, progress: progress)
            report.gainDB = gainDB
            report.limiterMaxReductionDB = stats.maxReductionDB
            report.limitedSeconds = stats.reducingSeconds
            report.passes = pass
            guard options.verify else {
                try output.commit()
                break
            }
            progress?(.verifying, 0)
            let measured = try LoudnessAnalysis.measure(SoundFileReader(path: output.temporaryPath), meter: .podsmith)
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
                // with a little room for the next encode's own variation.
                ceilingDBTP -= overshoot + 0.05
            }
        }
        if let chapters = metadata.chapters, !chapters.chapters.isEmpty {
            let sidecar = Self.chaptersSidecarPath(for: outputPath)
            let file = try AtomicOutputFile(finalPath: sidecar)
            do {
                try chapters.write(to: file.temporaryPath)
                try file.commit()
            } catch {
                file.discard()
                throw error
            }
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
    public func analyse(inputPath: String, progress: ((Stage, Double) -> Void)? = nil) throws -> Plan {
        let reader = try SoundFileReader(path: inputPath)
        let format = reader.format
        let outChannels = outputChannelCount(input: format.channelCount)
        let outRate = options.encoder.format.outputSampleRate(input: format.sampleRate,
                                                              requested: options.encoder.sampleRate)
        let analyser = try ProgrammeAnalyser(format: format, outputChannels: outChannels, silence: options.silence,
                                             recordSeries: options.recordsLoudnessSeries)
        let total = Double(format.frameCount ?? 0)
        try runConnected(channelCount: format.channelCount, capacity: options.blockFrames, producer: { pipe in
            let buffer = AudioBuffer(channelCount: format.channelCount, capacity: options.blockFrames)
            var read: Int64 = 0
            while try reader.read(into: buffer) > 0 {
                try pipe.push(buffer)
                read += Int64(buffer.frameCount)
                if total > 0 { progress?(.analysing, min(1, Double(read) / total)) }
            }
        }, consumer: { pipe in
            try pipe.drain { try analyser.process($0) }
        })
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

    /// Channels the output will have for an input of `inputChannels`.
    func outputChannelCount(input inputChannels: Int) -> Int {
        switch options.channels {
        case .mono: return 1
        case .stereo: return 2
        case .keep:
            switch options.encoder.format {
            case .mp3, .opus: return min(inputChannels, 2)
            case .wav, .flac: return inputChannels
            }
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
    func render(inputPath: String, plan: Plan, gainDB: Double, ceilingDBTP: Double, metadata: EpisodeMetadata,
                to path: String, progress: ((Stage, Double) -> Void)?) throws -> LimiterStatistics {
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
        let encoder = UncheckedBox(try makeEncoder(path: path, sampleRate: plan.outputSampleRate,
                                                   channelCount: channels, metadata: metadata))
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

        try runConnected(channelCount: channels, capacity: options.blockFrames, producer: { pipe in
            let buffer = AudioBuffer(channelCount: format.channelCount, capacity: options.blockFrames)
            while try reader.read(into: buffer) > 0 {
                consumed += Int64(buffer.frameCount)
                if let editor {
                    try editor.process(buffer) { try downstream($0, pipe) }
                } else {
                    try downstream(buffer, pipe)
                }
                if total > 0 { progress?(.rendering, min(1, Double(consumed) / total)) }
            }
            try editor?.finish { try downstream($0, pipe) }
            try flushAfterEditor(pipe)
        }, consumer: { pipe in
            try pipe.drain { try encoder.value.write($0) }
            try encoder.value.finish()
        })
        return limiter.statistics
    }

    /// The encoder for the requested format.
    func makeEncoder(path: String, sampleRate: Double, channelCount: Int,
                     metadata: EpisodeMetadata) throws -> any AudioEncoder {
        let settings = options.encoder
        switch settings.format {
        case .mp3:
            return try MP3Encoder(path: path, sampleRate: sampleRate, channelCount: channelCount, metadata: metadata,
                                  options: MP3EncoderOptions(bitrateKbps: settings.bitrateKbps,
                                                             vbrQuality: settings.vbrQuality))
        case .opus:
            return try OpusEncoder(path: path, sampleRate: sampleRate, channelCount: channelCount, metadata: metadata,
                                   options: OpusEncoderOptions(bitrateKbps: settings.bitrateKbps))
        case .flac:
            let depth: Quantizer.BitDepth
            switch settings.bitDepth {
            case .int16: depth = .int16
            case .int24: depth = .int24
            case .float32: throw PodsmithError.usage("FLAC has no float encoding; use --bit-depth 16 or 24")
            }
            return try FLACEncoder(path: path, sampleRate: sampleRate, channelCount: channelCount, metadata: metadata,
                                   options: FLACEncoderOptions(bitDepth: depth))
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

/// Carries a non-Sendable value to the one other thread that uses it (ownership moves with it).
final class UncheckedBox<Value>: @unchecked Sendable {
    let value: Value
    init(_ value: Value) { self.value = value }
}
