import PodsmithCodecs
import PodsmithCore

extension Normalizer {
    /// What the calibration settled on, and the model of the chain it learnt, which a correction
    /// after a verification starts from.
    struct Calibration: Sendable {
        /// The gain to render with.
        var gainDB: Double
        /// Where the limiter holds the true peak: the target's ceiling less the codec's overshoot.
        var ceilingDBTP: Double
        /// The codec's loudness loss, LU: the probe's estimate, then what a verified pass measured.
        var codecLossDB: Double = 0
        /// The codec's true-peak overshoot over the limiter's ceiling, dB (the probe's estimate).
        var overshootDB: Double = 0
        /// How much the limited programme's loudness moves per dB of gain near ``gainDB`` (1 without
        /// limiting; far less when the limiter absorbs most of a gain step), from the last two trials.
        var slope: Double?
        /// Trial renders run so far.
        var trials = 0
        /// The last trial's limiter statistics (what `--dry-run` predicts), if any trial ran.
        var limiter: LimiterStatistics?
        /// Every trial's point of the chain's response, which a later solve against another ceiling
        /// starts from (``LimitedResponse``).
        var response = LimitedResponse()
    }

    /// The gain, and the limiter's ceiling, that reach the target in the *written* file.
    ///
    /// The written file's loudness is a function of the gain and the ceiling through two stages: the
    /// limiter, whose response is linear (1 LU per dB) until it acts and then flattens (on the
    /// walk-through's French episode, limited by 6 dB, the loudness rose by a third of each gain step),
    /// and a lossy codec, which takes a nearly constant loudness away (LAME 0.4–0.45 LU at 64–128
    /// kbit/s) and rebuilds peaks above what went in (Opus at 48–64 kbit/s by 1–2.5 dB on plucked
    /// attacks). So:
    /// - for a lossy format (verified or not: `--no-verify` lands too), the codec probe
    ///   (``probeCodec(source:plan:gainDB:ceilingDBTP:outputPath:)``) measures the codec's loudness
    ///   loss on excerpts spread over the episode and its true-peak overshoot on those and around the
    ///   programme's highest peaks; the limiter's ceiling goes down by that overshoot plus
    ///   ``codecOvershootMarginDB``;
    /// - only when the limiter is expected to act, trial renders run the DSP chain into a loudness-only
    ///   meter and solve for the gain (``solveGain(_:source:plan:aimLUFS:progress:)``): the first step
    ///   assumes the limiter takes back ``limiterLossSlope`` of it, and every further step uses the
    ///   slope the last two trials measured (a secant), so the gain converges however hard the limiter
    ///   works. Without limiting the chain is linear and the plan's gain already holds.
    /// - Parameter probeBeside: the output's final path, beside which the codec probe writes its
    ///   excerpts; `nil` when the sink is not this normalizer's encoder (a host's, see
    ///   ``render(plan:from:into:observer:progress:)``), so there is no codec to probe.
    func calibrated(
        source: some SeekableAudioSource, plan: Plan, ceilingDBTP: Double,
        probeBeside outputPath: String?,
        progress: ((Stage, Double) throws -> Void)?
    ) throws -> Calibration {
        var calibration = Calibration(gainDB: plan.gainDB, ceilingDBTP: ceilingDBTP)
        let lossy = options.encoder.format.isLossy
        guard !plan.gainCapped, limits(plan, calibration) || lossy else { return calibration }
        try progress?(.calibrating, 0)
        if lossy, let outputPath {
            let probe = try probeCodec(
                source: source, plan: plan, gainDB: calibration.gainDB, ceilingDBTP: ceilingDBTP,
                outputPath: outputPath)
            calibration.codecLossDB = probe.lossDB
            calibration.overshootDB = probe.overshootDB
            if probe.overshootDB > 0 {
                calibration.ceilingDBTP = options.target.truePeakDBTP - probe.overshootDB - Self.codecOvershootMarginDB
            }
        }
        // The trials start from the gain already corrected for the codec, so that they measure (and
        // correct) the limiter's loss alone.
        calibration.gainDB = min(plan.gainDB + calibration.codecLossDB, options.maxGainDB)
        guard limits(plan, calibration) else { return calibration }
        calibration = try solveGain(
            calibration, source: source, plan: plan,
            aimLUFS: plan.measuredTargetLUFS + calibration.codecLossDB, progress: progress)
        guard lossy, let outputPath else { return calibration }
        // The gain the trials found limits harder than the probe's first guess, and a codec overshoots
        // more on harder-limited peaks: listen to the peaks again at the gain and ceiling found, and
        // when the overshoot grew, lower the ceiling by it and solve again.
        let overshoot = try probePeaks(
            source: source, plan: plan, gainDB: calibration.gainDB, ceilingDBTP: calibration.ceilingDBTP,
            outputPath: outputPath)
        let ceiling = options.target.truePeakDBTP - overshoot - Self.codecOvershootMarginDB
        guard ceiling < calibration.ceilingDBTP - 0.05 else { return calibration }
        calibration.overshootDB = overshoot
        calibration.ceilingDBTP = ceiling
        return try solveGain(
            calibration, source: source, plan: plan,
            aimLUFS: plan.measuredTargetLUFS + calibration.codecLossDB, progress: progress)
    }

    /// Whether the limiter will act at the calibration's gain and ceiling: the programme's true peak
    /// plus the gain reaches the ceiling less the limiter's margin.
    func limits(_ plan: Plan, _ calibration: Calibration) -> Bool {
        plan.truePeakBeforeGainDBTP.map {
            $0 + calibration.gainDB > calibration.ceilingDBTP - options.limiter.safetyMarginDB
        } ?? false
    }

    /// Finds the gain at which the rendered (uncoded) programme measures `aimLUFS`, with the limiter
    /// at the calibration's ceiling, by trial renders into a loudness meter (a DSP pass, no encode: a
    /// few seconds per hour, in two parts on two threads when the options allow: ``trialRender(plan:source:gainDB:ceilingDBTP:progress:)``).
    ///
    /// When earlier trials ran (a solve against another ceiling, before the codec probe's second listen
    /// or a verification moved it), the first trial is at the gain their points predict for this
    /// ceiling (``LimitedResponse``: the chain's loudness depends on gain − ceiling only); otherwise the
    /// first step divides the error by 1 − ``limiterLossSlope`` (or by the slope a previous solve
    /// measured); later steps by the slope between the last two trials, clamped to 0.05…1 (a secant
    /// step: the loudness is a smooth, rising, flattening function of the gain). It stops when a
    /// trial is within ``trialToleranceLU``, after a first trial within ``oneTrialToleranceLU`` (the
    /// limiter barely acts: the step's residual is a fraction of that), or after ``maxTrials``.
    func solveGain(
        _ start: Calibration, source: some SeekableAudioSource, plan: Plan, aimLUFS: Double,
        progress: ((Stage, Double) throws -> Void)?
    ) throws -> Calibration {
        var calibration = start
        var slope = start.slope ?? (1 - Self.limiterLossSlope)
        var previous: (gain: Double, level: Double)?
        // After earlier trials (another ceiling, another aim), start from the gain they predict, and
        // let the first secant step pair the next trial with the nearest of them.
        if let prediction = start.response.prediction(
            aimLUFS: aimLUFS, ceilingDBTP: start.ceilingDBTP, fallbackSlope: slope)
        {
            calibration.gainDB = min(prediction.gainDB, options.maxGainDB)
            previous = prediction.anchor
            slope = prediction.slope
        }
        for trial in 0..<Self.maxTrials {
            let measured = try trialRender(
                plan: plan, source: source, gainDB: calibration.gainDB, ceilingDBTP: calibration.ceilingDBTP,
                progress: progress)
            calibration.limiter = measured.limiter
            calibration.trials += 1
            guard let level = measured.levelLUFS else { break }
            calibration.response.record(
                gainDB: calibration.gainDB, ceilingDBTP: calibration.ceilingDBTP, levelLUFS: level)
            if let previous, abs(calibration.gainDB - previous.gain) > 0.01 {
                slope = LimitedResponse.clampedSlope((level - previous.level) / (calibration.gainDB - previous.gain))
                calibration.slope = slope
            }
            previous = (calibration.gainDB, level)
            let error = aimLUFS - level
            if abs(error) <= Self.trialToleranceLU { break }
            let next = min(calibration.gainDB + error / slope, options.maxGainDB)
            if abs(next - calibration.gainDB) < 0.005 { break }  // held at --max-gain
            calibration.gainDB = next
            if trial == 0 && abs(error) < Self.oneTrialToleranceLU && start.slope == nil { break }
        }
        return calibration
    }

    /// The calibration for the next pass after a verification measured `measured` (the decoded file)
    /// and `uncodedLUFS` (the same pass before the encoder): the codec's loss and overshoot are now
    /// known for the whole file, so the ceiling goes down by the true peak's excess over the target's
    /// ceiling plus ``codecOvershootMarginDB`` (a measured step, never a growing margin), and the gain
    /// is solved again for the target plus the measured loss (by trials when the limiter acted; when
    /// it did not, the chain is linear and the error itself is the step).
    func corrected(
        _ last: Calibration, measured: LoudnessMeasurement, uncodedLUFS: Double?, limiterActed: Bool,
        source: some SeekableAudioSource, plan: Plan, progress: ((Stage, Double) throws -> Void)?
    ) throws -> Calibration {
        var next = last
        guard let level = measured.integratedLUFS ?? measured.ungatedLUFS else { return next }
        if let uncodedLUFS { next.codecLossDB = uncodedLUFS - level }
        let excess = (measured.truePeakDBTP ?? -.infinity) - options.target.truePeakDBTP
        if excess > -truePeakGuardDB { next.ceilingDBTP -= excess + Self.codecOvershootMarginDB }
        if plan.gainCapped { return next }
        if limiterActed || limits(plan, next) {
            return try solveGain(
                next, source: source, plan: plan, aimLUFS: plan.measuredTargetLUFS + next.codecLossDB,
                progress: progress)
        }
        next.gainDB = min(last.gainDB + plan.measuredTargetLUFS - level, options.maxGainDB)
        return next
    }

    /// The limiter's first-guess share of a gain step, before two trials measure it: raising the gain
    /// by x dB raises a lightly limited programme's loudness by about (1 − s)·x (0.2: see
    /// `docs/calibration.md`). A programme the limiter works hard takes back far more (two thirds on
    /// the French test episode); the secant steps then use what the trials measure.
    static let limiterLossSlope = 0.2

    /// A trial within this of the aim ends the search, LU: a tenth of the ±0.2 LU tolerance, so
    /// the codec's own run-to-run variation (a few hundredths) still fits.
    static let trialToleranceLU = 0.03

    /// After the first trial, an error under this ends the search, LU: the limiter barely acts, the
    /// slope is near the first guess, and the step's residual stays a few hundredths.
    static let oneTrialToleranceLU = 0.15

    /// How far under the ceiling a verified lossy file's true peak must be, dB: our meter's and
    /// libebur128's 4× true-peak estimates differ by a few hundredths of a dB on codec output
    /// (different interpolation filters; an Opus file read −1.03 dBTP by ours, −0.99 by libebur128),
    /// so a file read at the ceiling by one may be over it for the other. A lossless file holds the
    /// limiter's own ceiling, 0.1 dB under the target's (``LimiterOptions/safetyMarginDB``): no guard.
    var truePeakGuardDB: Double { options.encoder.format.isLossy ? 0.1 : 0 }

    /// Most trial renders per solve.
    static let maxTrials = 4

    /// Room under the ceiling beyond the codec's measured overshoot, dB: a lossy encode of the same
    /// signal varies by about a tenth of a dB from run to run, and the probe's excerpts hold a few of
    /// the programme's peaks, not all. This is the margin `--no-verify` promises (see the README).
    static let codecOvershootMarginDB = 0.3
}

/// The end of a trial render: measures loudness (no true peak, which is most of a meter's cost, and no
/// loudness range, whose short-term energies would grow with the input) instead of encoding.
final class MeterSink: AudioSink {
    private let meter: LoudnessMeter
    private(set) var result: LoudnessMeasurement?

    init(format: AudioFormat) {
        meter = LoudnessMeter(
            format: format, options: LoudnessMeterOptions(measuresTruePeak: false, measuresLoudnessRange: false))
    }

    func write(_ buffer: AudioBuffer) throws {
        meter.process(buffer)
    }

    func finish() throws {
        result = meter.result()
    }
}

/// An encoder with a loudness-only meter in front: what a verified pass sends to the codec, measured,
/// so that the verification learns the codec's loss on the whole file (uncoded minus decoded). Only
/// when no trial render measured that pass's gain and ceiling already
/// (``LimitedResponse/measuredLevel(gainDB:ceilingDBTP:)``): it is a K-weighting pass over the whole
/// programme (0.55 CPU-s per stereo hour) on the render's thread.
final class MeteredSink: AudioSink {
    let sink: any AudioSink
    private let meter: MeterSink

    init(_ sink: any AudioSink, format: AudioFormat) {
        self.sink = sink
        meter = MeterSink(format: format)
    }

    var uncodedLUFS: Double? { meter.result.flatMap { $0.integratedLUFS ?? $0.ungatedLUFS } }

    func write(_ buffer: AudioBuffer) throws {
        try meter.write(buffer)
        try sink.write(buffer)
    }

    func finish() throws {
        try sink.finish()
        try meter.finish()
    }
}
