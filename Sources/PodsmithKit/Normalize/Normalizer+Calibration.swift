import PodsmithCodecs
import PodsmithCore

extension Normalizer {
    /// The gain that reaches the target in the *written* file.
    ///
    /// Two things move the written file's loudness away from what the gain alone predicts: the limiter
    /// takes a little loudness away when it acts (0.1–0.5 LU on music, less on speech), and a lossy
    /// encoder takes some too (LAME at 128 kbit/s low-passes and drops masked detail: −0.3 to −0.5 LU
    /// on bright music, since K-weighting favours high frequencies). Rather than learn that from the
    /// encoded file and encode again (the encoder is ~90 % of the job):
    /// - for a lossy format, verified or not (`--no-verify` should land on the target too), a few
    ///   short excerpts are rendered (the source seeks to each; see ``CodecProbe`` and
    ///   ``probeCodec(source:plan:gainDB:ceilingDBTP:outputPath:)``), encoded, decoded and
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
    /// - Parameter probeBeside: the output's final path, beside which the codec probe writes its
    ///   excerpts; `nil` when the sink is not this normalizer's encoder (a host's, see
    ///   ``render(plan:from:into:observer:progress:)``), so there is no codec to probe.
    /// - Returns: the gain, and the ceiling the limiter should aim at.
    func calibrated(
        source: some SeekableAudioSource, plan: Plan, ceilingDBTP: Double,
        probeBeside outputPath: String?,
        progress: ((Stage, Double) throws -> Void)?
    ) throws -> (gainDB: Double, ceilingDBTP: Double) {
        var gainDB = plan.gainDB
        var ceilingDBTP = ceilingDBTP
        let lossy = options.encoder.format.isLossy
        var limits =
            plan.programme.truePeakDBTP.map { $0 + gainDB > ceilingDBTP - options.limiter.safetyMarginDB } ?? false
        guard !plan.gainCapped, limits || lossy else { return (gainDB, ceilingDBTP) }
        try progress?(.calibrating, 0)
        var codecLossDB = 0.0
        if lossy, let outputPath {
            let probe = try probeCodec(
                source: source, plan: plan, gainDB: gainDB, ceilingDBTP: ceilingDBTP,
                outputPath: outputPath)
            codecLossDB = probe.lossDB
            if probe.overshootDB > 0 {
                ceilingDBTP -= probe.overshootDB
                limits =
                    plan.programme.truePeakDBTP.map { $0 + gainDB > ceilingDBTP - options.limiter.safetyMarginDB }
                    ?? false
            }
        }
        // The trial starts from the gain already corrected for the codec, so that it measures (and
        // corrects) the limiter's loss alone, normally in one pass.
        gainDB = min(gainDB + codecLossDB, options.maxGainDB)
        guard limits else { return (gainDB, ceilingDBTP) }
        for _ in 0..<2 {
            let format = AudioFormat(sampleRate: plan.outputSampleRate, channelCount: plan.outputChannels)
            let sink = MeterSink(format: format)
            _ = try renderPass(
                plan: plan, from: source, gainDB: gainDB, ceilingDBTP: ceilingDBTP, into: sink,
                observer: nil, progress: progress.map { report in { try report(.calibrating, $1) } })
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
    /// by x dB raises the limited programme's loudness by (1 − s)·x. With 0.2 instead of 0 (a plain
    /// error correction) the output lands on the target rather than a few hundredths under it, and
    /// one trial pass does where two were needed; measured on limited speech and music (see
    /// `docs/calibration.md`).
    static let limiterLossSlope = 0.2

    /// The lossy encoder's loudness loss, LU (uncoded minus decoded), on the excerpts of a
    /// ``CodecProbe``: each is rendered through the same chain as the output (downmix, resample, gain,
    /// limiter) after a second of pre-roll that settles the resampler and the limiter and is then
    /// dropped; all are encoded into one probe file beside the output, decoded and measured.
    /// - Returns: the loudness loss, and the codec's true-peak overshoot when the excerpts reach within
    ///   3 dB of the ceiling (0 otherwise: quiet excerpts say nothing about the peaks that matter).
    func probeCodec(
        source reader: some SeekableAudioSource, plan: Plan, gainDB: Double, ceilingDBTP: Double,
        outputPath: String
    ) throws -> (lossDB: Double, overshootDB: Double) {
        let probe = CodecProbe(edit: plan.edit)
        guard !probe.windows.isEmpty else { return (0, 0) }
        let format = reader.format
        let channels = plan.outputChannels
        let outFormat = AudioFormat(sampleRate: plan.outputSampleRate, channelCount: channels)
        let probeFile = try AtomicOutputFile(finalPath: outputPath + ".probe")
        defer { probeFile.discard() }
        let encoder = try options.encoder.makeEncoder(
            path: probeFile.temporaryPath, sampleRate: plan.outputSampleRate,
            channelCount: channels, metadata: EpisodeMetadata(genre: nil),
            forcesOneStream: true, mp3Quality: Self.probeMP3Quality)
        let uncodedMeter = LoudnessMeter(format: outFormat)
        let input = AudioBuffer(channelCount: format.channelCount, capacity: options.blockFrames)
        let slice = AudioBuffer(channelCount: channels, capacity: options.blockFrames)
        let ratio = plan.outputSampleRate / format.sampleRate

        for window in probe.windows {
            let preRoll = min(window.lowerBound, Int64(format.sampleRate))
            try reader.seek(toFrame: window.lowerBound - preRoll)
            // A fresh chain per excerpt: nothing of the last excerpt's filter state or gain reduction
            // leaks into this one, which the pre-roll settles instead.
            let chain = try RenderChain.make(
                plan: plan, input: format, gainDB: gainDB, limiter: options.limiter,
                ceilingDBTP: ceilingDBTP
            ).processor
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
            var remaining = window.upperBound - (window.lowerBound - preRoll)
            while remaining > 0, try reader.read(into: input) > 0 {
                input.frameCount = Int(min(Int64(input.frameCount), remaining))
                remaining -= Int64(input.frameCount)
                try chain.process(input, emit: take)
            }
            try chain.finish(emit: take)
        }
        try encoder.finish()
        let uncoded = uncodedMeter.result()
        let decoded = try LoudnessAnalysis.measure(
            AudioFileOpener.open(path: probeFile.temporaryPath), meter: .podsmith)
        guard let before = uncoded.integratedLUFS ?? uncoded.ungatedLUFS,
            let after = decoded.integratedLUFS ?? decoded.ungatedLUFS
        else { return (0, 0) }
        var overshoot = 0.0
        if let peakBefore = uncoded.truePeakDBTP, let peakAfter = decoded.truePeakDBTP, peakBefore > ceilingDBTP - 3 {
            overshoot = max(0, peakAfter - peakBefore)
        }
        return (before - after, overshoot)
    }

    /// LAME's algorithm quality for the codec probe's excerpts: 7, about half the CPU time of the
    /// output's quality 3. What the probe learns does not depend on it: LAME's loudness loss is a
    /// level change set by the bitrate, the same at quality 7 as at 3 to 0.01 LU (see
    /// `docs/calibration.md`).
    static let probeMP3Quality = 7
}

/// The end of a trial render: measures loudness (no true peak, which is most of a meter's cost)
/// instead of encoding.
final class MeterSink: AudioSink {
    private let meter: LoudnessMeter
    private(set) var result: LoudnessMeasurement?

    init(format: AudioFormat) {
        meter = LoudnessMeter(format: format, options: LoudnessMeterOptions(measuresTruePeak: false))
    }

    func write(_ buffer: AudioBuffer) throws {
        meter.process(buffer)
    }

    func finish() throws {
        result = meter.result()
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
/// change (see ``Normalizer/probeMP3Quality``), and three 2 s excerpts came within a few hundredths
/// of an LU of six 10 s ones (see `docs/calibration.md`). A programme shorter than the excerpts
/// together is probed whole.
struct CodecProbe: Sendable {
    let windows: [Range<Int64>]

    /// Excerpts for an output of `outputSeconds`: three under ten minutes, six from then on.
    static func excerptCount(outputSeconds: Double) -> Int { outputSeconds < 600 ? 3 : 6 }

    /// Seconds per excerpt for an output of `outputSeconds`: ``fraction`` of it over `count`
    /// excerpts, clamped to `minimumSeconds...maximumSeconds`.
    static func excerptSeconds(
        outputSeconds: Double, count: Int, fraction: Double = 0.025,
        minimumSeconds: Double = 2, maximumSeconds: Double = 10
    ) -> Double {
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
            guard
                let region = edit.keptRegions.first(where: { $0.contains(centre) })
                    ?? edit.keptRegions.last(where: {
                        $0.lowerBound <= centre
                    })
            else { continue }
            let start = min(
                max(region.lowerBound, centre - length / 2), max(region.lowerBound, region.upperBound - length))
            let window = start..<min(start + length, region.upperBound)
            if window.count >= shortest, windows.last.map({ $0.upperBound <= window.lowerBound }) ?? true {
                windows.append(window)
            }
        }
        self.windows = windows
    }
}
