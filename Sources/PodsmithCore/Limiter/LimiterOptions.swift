import Foundation

/// How the ``TruePeakLimiter`` behaves. The defaults suit spoken word delivered as MP3/AAC/Opus.
public struct LimiterOptions: Sendable, Equatable {
    /// Highest true peak the output may reach, dBTP (ITU-R BS.1770-4 Annex 2). Default −1.0, the
    /// ceiling EBU R128 (Tech 3343 §4) and most podcast platforms ask for.
    public var ceilingDBTP: Double
    /// How far below ``ceilingDBTP`` the limiter actually aims, dB. Default 0.1 dB.
    ///
    /// Two things can push a limited signal slightly over its ceiling afterwards: our 4× peak estimate
    /// differs a little from the meter's (both approximate the continuous waveform), and lossy encoders
    /// add overshoot when they drop high-frequency content. The margin absorbs the first; the
    /// pipeline's verify step re-renders with a larger margin if an encoded file still overshoots.
    public var safetyMarginDB: Double
    /// Look-ahead, seconds: gain reduction ramps down over this time *before* a peak arrives, so it is
    /// in place when the peak plays. Default 5 ms: long enough that the ramp has no audible click and
    /// keeps distortion of low voices low, short enough not to duck audibly before plosives.
    public var lookAheadSeconds: Double
    /// Release time constant, seconds: after a peak the gain recovers towards 0 dB exponentially with
    /// this time constant (63 % of the way per constant). Default 0.1 s, a common setting for speech:
    /// slower release pumps less, faster recovers sooner after isolated plosives.
    public var releaseSeconds: Double

    public init(
        ceilingDBTP: Double = -1.0, safetyMarginDB: Double = 0.1,
        lookAheadSeconds: Double = 0.005, releaseSeconds: Double = 0.1
    ) {
        self.ceilingDBTP = ceilingDBTP
        self.safetyMarginDB = safetyMarginDB
        self.lookAheadSeconds = lookAheadSeconds
        self.releaseSeconds = releaseSeconds
    }

    /// The linear amplitude the limiter aims for: ceiling minus safety margin.
    public var internalCeilingLinear: Double {
        pow(10, (ceilingDBTP - max(0, safetyMarginDB)) / 20)
    }
}

/// What a ``TruePeakLimiter`` did to a stream, for the report.
public struct LimiterStatistics: Sendable, Equatable {
    /// Largest gain reduction applied, dB (a positive number; 0 when the limiter never acted).
    public var maxReductionDB: Double
    /// Time during which the gain was below 0 dB, seconds.
    public var reducingSeconds: Double
    /// Frames that went through the limiter.
    public var frameCount: Int64
    /// Where the limiter acted, as output-frame ranges at block resolution; ranges less than half a
    /// second apart are merged, so the list grows with the number of limiting episodes, not with the
    /// stream's length (for the season's loudness plots).
    public var activeRanges: [Range<Int64>]
    /// The largest gain reduction within each of ``activeRanges``, dB (a positive number), in the same
    /// order: how deep the limiter went there, at the gain actually applied (the block minimum of the
    /// shaped gain, so look-ahead ramps and release included). Empty when built without it.
    public var activeRangeMaxReductionsDB: [Double] = []
    /// Time during which the gain reduction was at least 1 dB, seconds (``ReductionHistogram``).
    public var overOneDBSeconds: Double = 0
    /// Time during which the gain reduction was at least 3 dB, seconds.
    public var overThreeDBSeconds: Double = 0
    /// The gain reduction exceeded during 5 % of the stream's time, dB (0.1 dB steps): 0 when the
    /// limiter acted on less than 5 % of it.
    public var reductionP95DB: Double = 0

    public init(
        maxReductionDB: Double = 0, reducingSeconds: Double = 0, frameCount: Int64 = 0,
        activeRanges: [Range<Int64>] = []
    ) {
        self.maxReductionDB = maxReductionDB
        self.reducingSeconds = reducingSeconds
        self.frameCount = frameCount
        self.activeRanges = activeRanges
    }
}
