import PodsmithCore

/// Where a trial render (``Normalizer/solveGain(_:source:plan:aimLUFS:progress:)``) is cut into two
/// parts that render at once on two threads, each through its own fresh chain into its own meter.
///
/// The parts meet at ``splitFrame``, the output's middle rounded down to a 100 ms step of the meter
/// (BS.1770-4 §2.8 steps the 400 ms gating blocks by 100 ms) that is also a multiple of the
/// limiter's ``ReductionHistogram/stride`` (1.6 s at 44.1 kHz): a function of the plan and the
/// limiter's settings alone, never of the threads or cores, so every `--encode-threads` and
/// `--jobs` computes the same gain and writes the same bytes. Each part contributes the energies
/// of its own steps, and ``Normalizer/splitTrialLoudness(stepEnergies:)`` builds the gating blocks
/// from all of them as one meter would (a block straddling the split takes its first steps from
/// the first part and its last from the second).
///
/// The second part's chain starts ``preRollSeconds(limiter:)`` before the split: the limiter's and
/// the K-weighting filter's state then match the one-chain render's to far below what a trial can
/// see. The first part reads ``postRollSeconds`` past the split (and past any crossfade the edit
/// holds there), so the limiter's look-ahead sees what follows, and its output up to the split is
/// the one-chain render's, sample for sample. So the split trial measures what a one-chain trial
/// does up to the settling of the second part's limiter and filters (under 0.001 LU on the tests'
/// signals), well inside the 0.03 LU a trial aims for (``Normalizer/trialToleranceLU``): an
/// approximation the calibration can afford, which the output render, one chain, does not make.
///
/// Only a programme of at least ``minimumSeconds`` (and four pre-rolls) with no resampler in its
/// chain is split: a resampler's output grid would not fall on the input's at the second part's
/// start. Others keep the one-chain trial.
struct TrialSplit: Sendable, Equatable {
    /// One part: where its chain reads and which output frames it stands for.
    struct Part: Sendable, Equatable {
        /// Input frame its chain starts at (the pre-roll's start, outside any held crossfade).
        var readStart: Int64
        /// Input frame it stops reading at; `nil` for the last part, which reads to the end.
        var readEnd: Int64?
        /// Output frame of its chain's first output frame (``EditPlan/outputFrame(forInputFrame:)``).
        var outputStart: Int64
        /// The output frames whose 100 ms steps and limiter statistics it contributes (step aligned;
        /// the last part's runs to `Int64.max`, the end of the stream).
        var span: Range<Int64>
    }

    /// The parts in output order: the first from the programme's start, the second from ``splitFrame``.
    let parts: [Part]
    /// Frames per 100 ms step of the meter, at the output rate.
    let stepFrames: Int

    /// The output frame where the second part's span starts.
    var splitFrame: Int64 { parts[1].span.lowerBound }

    /// The shortest output that is split, seconds: below it the pre-roll is a large share of the
    /// work saved, and a trial lasts a fraction of a second anyway.
    static let minimumSeconds = 20.0

    /// How far past the split the first part reads, seconds (beyond the edit's crossfade): far more
    /// than the limiter's latency (the look-ahead plus its interpolator's reach, 5 ms and a few
    /// frames by default), so nothing the limiter does before the split depends on the part's end.
    static let postRollSeconds = 0.5

    /// How long before the split the second part's chain starts, seconds: 30 release time constants,
    /// plus the look-ahead, plus 200 ms for the K-weighting filter.
    ///
    /// Why: the limiter's gain reduction recovers as e^(−t/τ) (``LimiterOptions/releaseSeconds``,
    /// τ = 0.1 s by default), so a fresh chain's reduction differs from the one-chain render's at
    /// most by e^(−t/τ) of a reduction under 1: after 30 τ by e^(−30) ≈ 1e-13, far under a `Float`
    /// gain's 6e-8 resolution; and any pause in the limiting of more than 13.8 τ (1e-6, where the
    /// limiter snaps its reduction to exactly 0) puts both in the same resting state exactly. The
    /// look-ahead (5 ms) fills the hold window; the RLB high-pass of the K-weighting settles to the
    /// rounding of its `Double` state in 200 ms (``LoudnessBlocks/warmUpSteps``), and the meter
    /// starts at the pre-roll's first step. 3.2 s by default.
    static func preRollSeconds(limiter: LimiterOptions) -> Double {
        30 * max(0, limiter.releaseSeconds) + max(0, limiter.lookAheadSeconds) + 0.2
    }

    /// The split of `plan`'s trial renders, or `nil` when it keeps one chain (too short, or resampled).
    init?(plan: Normalizer.Plan, limiter: LimiterOptions) {
        let edit = plan.edit
        let rate = edit.sampleRate
        guard plan.outputSampleRate == rate, rate > 0 else { return nil }
        let total = edit.outputFrameCount
        let preRoll = Int64((Self.preRollSeconds(limiter: limiter) * rate).rounded(.up))
        guard Double(total) >= Self.minimumSeconds * rate, total >= 4 * preRoll else { return nil }
        let stepFrames = max(1, Int((rate / 10).rounded()))
        // On a 100 ms step, and on the limiter's histogram's sampling grid (every 32 frames from the
        // start), so that the second part samples the frames the one-chain render samples.
        let unit = Self.leastCommonMultiple(Int64(stepFrames), Int64(ReductionHistogram.stride))
        let split = total / unit / 2 * unit
        // The pre-roll's start on a multiple of 8 output frames: the limiter holds its minimum over
        // blocks of 8 frames counted from its start, so its blocks then fall where the one-chain
        // render's do (unless the start moves back out of a crossfade).
        let target = (split - preRoll) / 8 * 8
        let readStart = EditRenderer.startFrame(in: edit, atOrBefore: edit.inputFrame(forOutputFrame: target))
        let postRoll = Int64((Self.postRollSeconds * rate).rounded(.up)) + Int64(edit.crossfadeFrames)
        let firstEnd = min(edit.inputFrameCount, edit.inputFrame(forOutputFrame: split + postRoll))
        parts = [
            Part(readStart: 0, readEnd: firstEnd, outputStart: 0, span: 0..<split),
            Part(
                readStart: readStart, readEnd: nil, outputStart: edit.outputFrame(forInputFrame: readStart),
                span: split..<Int64.max),
        ]
        self.stepFrames = stepFrames
    }

    static func leastCommonMultiple(_ a: Int64, _ b: Int64) -> Int64 {
        var (x, y) = (a, b)
        while y != 0 { (x, y) = (y, x % y) }
        return a / x * b
    }
}
