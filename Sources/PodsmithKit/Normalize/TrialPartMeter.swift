import PodsmithCore

/// The end of one part of a split trial render (``TrialSplit``): K-weights the part's output on the
/// whole output's 100 ms step grid and keeps the energies of the steps in the part's own span.
///
/// Its first block is output frame `outputStart` of the whole render. It meters from the first step
/// boundary at or after it (the pre-roll's steps settle the K-weighting filter and are dropped) to
/// the end of the span (the post-roll's output is not metered). Loudness only, as ``MeterSink``: no
/// true peak, no loudness range. A block that crosses a boundary is copied into one reused buffer;
/// nothing is allocated per block.
final class TrialPartMeter: AudioSink {
    private let meter: LoudnessMeter
    private let slice: AudioBuffer
    /// Output frame of the next frame written.
    private var position: Int64
    /// The output frames metered: from a step boundary to the span's end.
    private let metered: Range<Int64>
    /// Steps metered before the span starts (the pre-roll's), dropped from ``stepEnergies``.
    private let leadingSteps: Int
    /// The energies of the span's complete steps, in order, after ``finish()``.
    private(set) var stepEnergies: [Double] = []

    /// - Parameters:
    ///   - format: the output's rate and channels.
    ///   - outputStart: the output frame of the first frame written.
    ///   - span: the output frames whose steps count; its start a multiple of `stepFrames`.
    ///   - stepFrames: frames per 100 ms step (``LoudnessMeter/stepFrames``).
    ///   - capacity: the largest block written.
    init(format: AudioFormat, outputStart: Int64, span: Range<Int64>, stepFrames: Int, capacity: Int) {
        meter = LoudnessMeter(
            format: format,
            options: LoudnessMeterOptions(
                measuresTruePeak: false, recordsStepEnergies: true, measuresLoudnessRange: false))
        let step = Int64(stepFrames)
        let first = min(span.lowerBound, (outputStart + step - 1) / step * step)
        metered = first..<span.upperBound
        leadingSteps = Int((span.lowerBound - first) / step)
        position = outputStart
        slice = AudioBuffer(channelCount: format.channelCount, capacity: capacity)
    }

    func write(_ buffer: AudioBuffer) throws {
        let start = position
        position += Int64(buffer.frameCount)
        let kept = metered.clamped(to: start..<position)
        guard !kept.isEmpty else { return }
        if kept.count == buffer.frameCount {
            meter.processLoudness(buffer)
            return
        }
        var offset = Int(kept.lowerBound - start)
        var remaining = kept.count
        while remaining > 0 {
            let n = min(remaining, slice.capacity)
            for c in 0..<buffer.channelCount {
                slice.baseAddress(ofChannel: c).update(from: buffer.baseAddress(ofChannel: c) + offset, count: n)
            }
            slice.frameCount = n
            meter.processLoudness(slice)
            offset += n
            remaining -= n
        }
    }

    func finish() throws {
        _ = meter.result()
        stepEnergies = Array(meter.stepEnergies.dropFirst(leadingSteps))
    }
}
