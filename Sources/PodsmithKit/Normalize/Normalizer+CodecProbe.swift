import Foundation
import PodsmithCodecs
import PodsmithCore

extension Normalizer {
    /// What the codec probe measured.
    struct ProbeResult: Sendable, Equatable {
        /// The lossy encoder's loudness loss on the evenly spread excerpts, LU (uncoded minus decoded).
        var lossDB: Double
        /// The codec's true-peak overshoot, dB (decoded minus uncoded true peak), the larger of the
        /// evenly spread excerpts' and the peak excerpts'; 0 when no excerpt reaches within 3 dB of
        /// the ceiling (quiet excerpts say nothing about the peaks that matter).
        var overshootDB: Double
    }

    /// Measures the codec on the excerpts of a ``CodecProbe``: its loudness loss on the evenly spread
    /// excerpts, and its true-peak overshoot on those and on the excerpts around the programme's
    /// highest peaks (``Plan/loudestPeakFrames``), where the limiter works hardest and a codec
    /// overshoots most.
    func probeCodec(
        source reader: some SeekableAudioSource, plan: Plan, gainDB: Double, ceilingDBTP: Double,
        outputPath: String
    ) throws -> ProbeResult {
        let probe = CodecProbe(edit: plan.edit, loudestPeakFrames: plan.loudestPeakFrames)
        let spread = try probeCodec(
            windows: probe.windows, source: reader, plan: plan, gainDB: gainDB, ceilingDBTP: ceilingDBTP,
            outputPath: outputPath)
        let peaks = try probePeaks(
            source: reader, plan: plan, gainDB: gainDB, ceilingDBTP: ceilingDBTP, outputPath: outputPath)
        return ProbeResult(lossDB: spread.lossDB, overshootDB: max(spread.overshootDB, peaks))
    }

    /// The codec's true-peak overshoot on the excerpts around the programme's highest peaks, dB, encoded
    /// at the output's own quality (a faster LAME setting shapes peaks differently).
    func probePeaks(
        source reader: some SeekableAudioSource, plan: Plan, gainDB: Double, ceilingDBTP: Double,
        outputPath: String
    ) throws -> Double {
        let probe = CodecProbe(edit: plan.edit, loudestPeakFrames: plan.loudestPeakFrames)
        return try probeCodec(
            windows: probe.peakWindows, source: reader, plan: plan, gainDB: gainDB, ceilingDBTP: ceilingDBTP,
            outputPath: outputPath, mp3Quality: MP3EncoderOptions().quality
        ).overshootDB
    }

    /// The loudness loss and true-peak overshoot on `windows`: each is rendered through the same
    /// chain as the output (downmix, resample, gain, limiter) after a second of pre-roll that settles
    /// the resampler and the limiter and is then dropped; all are encoded into one probe file beside
    /// the output, decoded and measured.
    private func probeCodec(
        windows: [Range<Int64>], source reader: some SeekableAudioSource, plan: Plan, gainDB: Double,
        ceilingDBTP: Double, outputPath: String, mp3Quality: Int = Normalizer.probeMP3Quality
    ) throws -> ProbeResult {
        guard !windows.isEmpty else { return ProbeResult(lossDB: 0, overshootDB: 0) }
        let format = reader.format
        let channels = plan.outputChannels
        let outFormat = AudioFormat(sampleRate: plan.outputSampleRate, channelCount: channels)
        let probeFile = try AtomicOutputFile(finalPath: outputPath + ".probe")
        defer { probeFile.discard() }
        let encoder = try options.encoder.makeEncoder(
            path: probeFile.temporaryPath, sampleRate: plan.outputSampleRate,
            channelCount: channels, metadata: EpisodeMetadata(genre: nil),
            forcesOneStream: true, mp3Quality: mp3Quality)
        let uncodedMeter = LoudnessMeter(format: outFormat)
        let input = AudioBuffer(channelCount: format.channelCount, capacity: options.blockFrames)
        let slice = AudioBuffer(channelCount: channels, capacity: options.blockFrames)
        let ratio = plan.outputSampleRate / format.sampleRate

        for window in windows {
            let preRoll = min(window.lowerBound, Int64(format.sampleRate))
            try reader.seek(toFrame: window.lowerBound - preRoll)
            // A fresh chain per excerpt: nothing of the last excerpt's filter state or gain reduction
            // leaks into this one, which the pre-roll settles instead.
            let leveler = plan.leveler.map {
                LevelerGainStage(
                    curve: $0.curve, channelCount: format.channelCount, startFrame: window.lowerBound - preRoll,
                    capacity: options.blockFrames)
            }
            let chain = ProcessorChain([
                leveler,
                try RenderChain.make(
                    plan: plan, input: format, gainDB: gainDB, limiter: options.limiter,
                    ceilingDBTP: ceilingDBTP
                ).processor,
            ])
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
        else { return ProbeResult(lossDB: 0, overshootDB: 0) }
        var overshoot = 0.0
        if let peakBefore = uncoded.truePeakDBTP, let peakAfter = decoded.truePeakDBTP, peakBefore > ceilingDBTP - 3 {
            overshoot = max(0, peakAfter - peakBefore)
        }
        return ProbeResult(lossDB: before - after, overshootDB: overshoot)
    }

    /// LAME's algorithm quality for the codec probe's excerpts: 7, about half the CPU time of the
    /// output's quality 3. What the probe learns does not depend on it: LAME's loudness loss is a
    /// level change set by the bitrate, the same at quality 7 as at 3 to 0.01 LU (see
    /// `docs/calibration.md`).
    static let probeMP3Quality = 7
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
///
/// Besides, ``peakWindows``: up to ``peakExcerptCount`` excerpts of ``peakExcerptSeconds`` around the
/// programme's highest peaks, for the codec's true-peak overshoot only (their loudness is not the
/// programme's).
struct CodecProbe: Sendable {
    let windows: [Range<Int64>]
    var peakWindows: [Range<Int64>] = []

    /// Peak excerpts: eight (a hot jingle, the loudest plosives), 2 s each, the peak's half-second
    /// window 0.67 s in. Together 16 s more to encode (about 0.3 s of CPU at 128 kbit/s). A codec's
    /// overshoot varies from peak to peak, so the more limited peaks the probe hears, the closer its
    /// maximum comes to the whole file's.
    static let peakExcerptCount = 8
    static let peakExcerptSeconds = 2.0

    /// The evenly spread excerpts of ``init(edit:)``, and the peak excerpts around
    /// `loudestPeakFrames` (input frames, as in ``Normalizer/Plan/loudestPeakFrames``), each inside
    /// the kept region that holds its peak; a peak in a removed region is skipped.
    init(edit: EditPlan, loudestPeakFrames: [Int64]) {
        self.init(edit: edit)
        let length = Int64(Self.peakExcerptSeconds * edit.sampleRate)
        var peakWindows: [Range<Int64>] = []
        for frame in loudestPeakFrames {
            guard let region = edit.keptRegions.first(where: { $0.contains(frame) }) else { continue }
            let start = max(region.lowerBound, min(frame - length / 3, region.upperBound - length))
            let window = start..<min(start + length, region.upperBound)
            if !window.isEmpty, peakWindows.last.map({ $0.upperBound <= window.lowerBound }) ?? true {
                peakWindows.append(window)
            }
        }
        self.peakWindows = peakWindows
    }

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
