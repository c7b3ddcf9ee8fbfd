import Foundation

/// Podsmith's own loudness meter: ITU-R BS.1770-4 / EBU R128 integrated loudness, loudness range
/// (EBU Tech 3342), momentary and short-term maxima, sample peak and true peak, in Swift.
///
/// It is made of two independent halves that never share state:
/// - ``LoudnessBlocks``: K-weighting (``KWeightingKernel``, chains of channels × time chunks in
///   `SIMD4<Double>` lanes), 100 ms energy steps, 400 ms gating blocks and 3 s short-term blocks;
/// - ``TruePeakMeter``: sample peak and 4× oversampled true peak (``TruePeakKernel``, `SIMD8<Float>`).
///
/// ``process(_:)`` runs both on the caller's thread. ``LoudnessAnalysis`` instead feeds each half from
/// its own thread (``processLoudness(_:)`` and ``processPeaks(_:)``); since each half sees the same
/// blocks in the same order either way, the result is identical, bit for bit.
///
/// Channel order for 5 and 6 channels is the WAVE order (see ``ChannelWeights``); the LFE channel is
/// not measured for loudness but does count for the peaks.
public final class LoudnessMeter: LoudnessMeasuring {
    /// The stream being measured.
    public let format: AudioFormat
    /// What is measured besides I and LRA.
    public let options: LoudnessMeterOptions
    let blocks: LoudnessBlocks
    let peaks: TruePeakMeter
    /// Short buffers wait here until a whole span (``preferredBlockFrames``) has gathered, so that
    /// their steps too run in the time-chunked lanes: a decoder's 1,152-frame MP3 frames and a
    /// pipeline's 16,384-frame blocks would otherwise all go through the serial chains (measured on
    /// a 3-minute stereo episode normalized to MP3: K-weighting was 3.9 % of the CPU time, three
    /// meters' worth, nearly all serial). Allocated at the first short buffer; a copy costs far less
    /// than the filter it lets run in lanes.
    private var staging: AudioBuffer?

    /// - Parameters:
    ///   - format: sample rate (8–192 kHz) and channel count (1–8) of the stream.
    ///   - options: series recording and true peak; see ``LoudnessMeterOptions``.
    public init(format: AudioFormat, options: LoudnessMeterOptions = LoudnessMeterOptions()) {
        self.format = format
        self.options = options
        blocks = LoudnessBlocks(
            format: format, recordsSeries: options.recordsSeries,
            recordsStepEnergies: options.recordsStepEnergies,
            recordsShortTermEnergies: options.measuresLoudnessRange)
        peaks = TruePeakMeter(format: format)
    }

    /// Frames per buffer that let the loudness half run every 100 ms step in its time-chunked lanes
    /// (about 3 s of stereo, 5.8 s of mono; at most 4 MB of samples, see
    /// ``LoudnessBlocks/spanFrames``). Any buffer size gives the same figures to rounding; shorter
    /// buffers (under about 1 s) are K-weighted serially, a little over half as fast.
    public var preferredBlockFrames: Int { blocks.spanFrames }

    /// The K-weighted, channel-weighted mean-square energy of every complete 100 ms step so far, when
    /// ``LoudnessMeterOptions/recordsStepEnergies``; empty otherwise. Call after ``result()``, which
    /// measures what still waits in the staging buffer.
    public var stepEnergies: [Double] { Array(blocks.stepEnergies) }

    /// The same energies as ``stepEnergies``, in the meter's own pages: no copy. Why: a ten-hour
    /// programme has 360,000 steps, and the speech leveler reads them all while the render's meters
    /// grow; a copy would add 2.9 MB to the run's peak memory.
    public var stepEnergySeries: PagedSeries<Double> { blocks.stepEnergies }

    /// Frames per 100 ms step (the sample rate over 10, rounded).
    public var stepFrames: Int { blocks.stepFrames }

    /// Adds the buffer's `frameCount` frames to both halves.
    public func process(_ buffer: AudioBuffer) {
        processLoudness(buffer)
        processPeaks(buffer)
    }

    /// Adds the buffer to the loudness half only. Together with ``processPeaks(_:)``, called for every
    /// buffer in order, this is the same as ``process(_:)``; the two may run on different threads.
    public func processLoudness(_ buffer: AudioBuffer) {
        if staging.map({ $0.frameCount == 0 }) ?? true, buffer.frameCount >= blocks.spanFrames {
            blocks.process(buffer)
            return
        }
        let staging = self.staging ?? AudioBuffer(channelCount: format.channelCount, capacity: blocks.spanFrames)
        self.staging = staging
        var offset = 0
        while offset < buffer.frameCount {
            let n = min(buffer.frameCount - offset, staging.capacity - staging.frameCount)
            for c in 0..<format.channelCount {
                (staging.baseAddress(ofChannel: c) + staging.frameCount)
                    .update(from: buffer.baseAddress(ofChannel: c) + offset, count: n)
            }
            staging.frameCount += n
            offset += n
            if staging.frameCount == staging.capacity { flushStaged() }
        }
    }

    /// Measures what waits in ``staging``.
    private func flushStaged() {
        guard let staging, staging.frameCount > 0 else { return }
        blocks.process(staging)
        staging.frameCount = 0
    }

    /// Adds the buffer to the peak half only (see ``processLoudness(_:)``).
    public func processPeaks(_ buffer: AudioBuffer) {
        if options.measuresTruePeak {
            peaks.process(buffer)
        } else {
            peaks.processSamplePeakOnly(buffer)
        }
    }

    /// The figures of everything added so far.
    public func result() -> LoudnessMeasurement {
        flushStaged()
        func decibels(_ x: Float) -> Double? { x > 0 ? 20 * log10(Double(x)) : nil }
        func finite(_ x: Double?) -> Double? { x.flatMap { $0.isFinite ? $0 : nil } }
        let maxMomentary = blocks.maxBlockEnergy.map(Gating.loudness(ofEnergy:))
        let maxShortTerm = blocks.maxShortTermEnergy.map(Gating.loudness(ofEnergy:))
        return LoudnessMeasurement(
            integratedLUFS: Gating.integratedLoudness(blockEnergies: blocks.blockEnergies),
            loudnessRangeLU: options.measuresLoudnessRange
                ? LoudnessRange.loudnessRange(shortTermEnergies: blocks.shortTermEnergies) : nil,
            truePeakDBTP: options.measuresTruePeak ? decibels(peaks.truePeak) : nil,
            samplePeakDBFS: decibels(peaks.samplePeak),
            maxMomentaryLUFS: finite(maxMomentary),
            maxShortTermLUFS: finite(maxShortTerm),
            ungatedLUFS: finite(blocks.ungatedEnergy.map(Gating.loudness(ofEnergy:))),
            frameCount: blocks.frameCount, sampleRate: format.sampleRate, channelCount: format.channelCount,
            momentarySeries: Array(blocks.momentarySeries), shortTermSeries: Array(blocks.shortTermSeries))
    }
}
