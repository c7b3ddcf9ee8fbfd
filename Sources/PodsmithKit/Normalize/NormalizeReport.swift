import PodsmithCodecs
import PodsmithCore

/// What `normalize` did to one file, and what the written file measures.
public struct NormalizeReport: Sendable {
    /// The input file.
    public var inputFile: String
    /// The output file (its final name); `nil` for a dry run.
    public var outputFile: String?
    /// The input as measured (our meter), before anything was done to it.
    public var input: LoudnessMeasurement
    /// The written file, decoded and measured; `nil` with `--no-verify` or a dry run.
    public var output: LoudnessMeasurement?
    /// The target that was aimed at.
    public var target: LoudnessTarget
    /// How a mono output was normalized (`nil` when the output is not mono).
    public var monoConvention: MonoConvention?
    /// The one linear gain applied to the whole programme, dB.
    public var gainDB: Double
    /// True when `--max-gain` capped the gain, so the target could not be reached.
    public var gainCapped: Bool
    /// True when the programme is shorter than one 400 ms block and was normalized on its ungated loudness.
    public var usedUngatedLoudness: Bool
    /// Largest gain reduction of the limiter, dB (0 when it never acted).
    public var limiterMaxReductionDB: Double
    /// Time during which the limiter reduced the gain, seconds (any reduction, however small).
    public var limitedSeconds: Double
    /// Time during which the limiter reduced the gain by at least 1 dB, seconds: how long it worked
    /// audibly (``limitedSeconds`` counts reductions of hundredths of a dB too).
    public var limitedOver1dBSeconds: Double = 0
    /// Time during which the limiter reduced the gain by at least 3 dB, seconds: how long it worked hard.
    public var limitedOver3dBSeconds: Double = 0
    /// The gain reduction exceeded during 5 % of the output's time, dB (0.1 dB steps; 0 when the
    /// limiter acted on less than 5 % of it).
    public var limiterReductionP95DB: Double = 0
    /// The output's length, seconds: the input's less what the edit removed (known from the plan, so a
    /// dry run has it too).
    public var outputDurationSeconds: Double?
    /// Silence removed at the start, seconds.
    public var trimmedHeadSeconds: Double
    /// Silence removed at the end, seconds.
    public var trimmedTailSeconds: Double
    /// Pauses shortened to `--max-pause`.
    public var pausesShortened: Int
    /// Total time removed (trims and pause cuts), seconds.
    public var removedSeconds: Double
    /// Render passes (1, or more when verification corrected the gain or the ceiling).
    public var passes: Int
    /// Things the user should know (capped gain, NaN samples replaced, a ceiling not met…).
    public var warnings: [String]
    /// How the MP3's segments were joined when it was encoded in segments (a CBR MP3 of 5 minutes or
    /// more; `nil` otherwise): seams made directly or shifted, and segments an encoder went on through
    /// because their window had no clean seam.
    public var mp3Seams: ParallelMP3Encoder.SeamStatistics?
    /// Where the limiter acted, seconds of the output (merged when less than 0.5 s apart).
    public var limitedRanges: [Range<Double>] = []
    /// The largest gain reduction within each of ``limitedRanges``, dB (positive), in the same order;
    /// shorter (or empty) when not known, and then the plot draws those ranges without a depth. Like
    /// ``limitedRanges``, not in the JSON: it feeds the loudness plot.
    public var limitedRangeMaxReductionsDB: [Double] = []
    /// The speech leveler's gain on the output's timeline (``LevelerGainCurve/reportedOutputTimeline(_:)``,
    /// at most about 4,096 points); `nil` when the leveler did not run. Not in the JSON: it feeds the
    /// loudness plot (the JSON's `leveler` has the leveler's figures).
    public var levelerGain: [LevelerGainPoint]?
    /// What the speech leveler did (`--leveler`); `nil` when it was off or found no speech.
    public var leveler: LevelerSummary?
    /// How far the input speech's phrase loudness spreads, LU (10th to 90th percentile); `nil` with
    /// fewer than two phrases. Not in the JSON (the leveler's own figures are).
    public var speechSpreadLU: Double?
    /// True when the leveler was off and the speech spreads over more than
    /// ``LevelerSummary/suggestionSpreadLU``: the table then suggests `--leveler`.
    public var suggestsLeveler: Bool {
        leveler == nil && (speechSpreadLU ?? 0) > LevelerSummary.suggestionSpreadLU
    }
    /// The programme's momentary and short-term loudness every 100 ms (input timeline), when the
    /// options asked for it (``NormalizeOptions/recordsLoudnessSeries``).
    public var inputLoudnessSeries: (momentary: [Float], shortTerm: [Float])?

    public init(
        inputFile: String, outputFile: String?, input: LoudnessMeasurement, output: LoudnessMeasurement?,
        target: LoudnessTarget, monoConvention: MonoConvention?, gainDB: Double, gainCapped: Bool,
        usedUngatedLoudness: Bool, limiterMaxReductionDB: Double, limitedSeconds: Double,
        trimmedHeadSeconds: Double, trimmedTailSeconds: Double, pausesShortened: Int,
        removedSeconds: Double, passes: Int, warnings: [String]
    ) {
        self.inputFile = inputFile
        self.outputFile = outputFile
        self.input = input
        self.output = output
        self.target = target
        self.monoConvention = monoConvention
        self.gainDB = gainDB
        self.gainCapped = gainCapped
        self.usedUngatedLoudness = usedUngatedLoudness
        self.limiterMaxReductionDB = limiterMaxReductionDB
        self.limitedSeconds = limitedSeconds
        self.trimmedHeadSeconds = trimmedHeadSeconds
        self.trimmedTailSeconds = trimmedTailSeconds
        self.pausesShortened = pausesShortened
        self.removedSeconds = removedSeconds
        self.passes = passes
        self.warnings = warnings
    }

    /// True when the verified output ended off the target (beyond the tolerance, gain not capped) or
    /// over the ceiling after the last pass: written, but not what was promised.
    public var missedTarget: Bool {
        guard let output, let level = output.integratedLUFS ?? output.ungatedLUFS else { return false }
        let target = self.target.measuredTarget(
            channels: output.channelCount, convention: monoConvention ?? .dualMono
        ).integratedLUFS
        let short = target - level
        let offTarget = abs(short) > 0.2 && !(gainCapped && short > 0)
        return offTarget || (output.truePeakDBTP ?? -.infinity) > self.target.truePeakDBTP
    }

    /// True when the output was decoded and measured as a mono file normalized as dual-mono.
    public var dualMono: Bool { monoConvention == .dualMono }
}
