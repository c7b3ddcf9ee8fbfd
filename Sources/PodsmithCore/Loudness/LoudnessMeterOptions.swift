/// What ``LoudnessMeter`` measures beyond integrated loudness and loudness range.
public struct LoudnessMeterOptions: Sendable, Equatable {
    /// Record the momentary and short-term loudness every 100 ms (for plots). Default `false`: the
    /// series cost 8 bytes per 100 ms, about 290 kB per hour, which a plain measurement does not need.
    /// Entry `i` is the window ending at `(i + 1) × 100 ms`; until a window is full (the first 400 ms,
    /// the first 3 s) the part before the start counts as silence, as a meter's display shows it.
    public var recordsSeries: Bool
    /// Measure the true peak (4× oversampling below 96 kHz). Default `true`. Without it
    /// ``LoudnessMeasurement/truePeakDBTP`` is `nil` and the sample peak is still measured.
    public var measuresTruePeak: Bool
    /// Keep the K-weighted energy of every 100 ms step (``LoudnessMeter/stepEnergies``). Default
    /// `false`. The speech leveler plans from them: they are the finest loudness figures the meter
    /// has, and keeping them (8 bytes per step, 2.9 MB for 10 hours) spares a second K-weighting.
    public var recordsStepEnergies: Bool
    /// Measure the loudness range. Default `true`. The range needs every 3 s short-term block's energy
    /// until the end (EBU Tech 3342 gates and ranks them all: 8 bytes per 100 ms, 2.9 MB for 10 hours);
    /// a meter that only needs the integrated loudness (the normalizer's trial renders, the uncoded
    /// side of a verified encode) keeps none. Without it ``LoudnessMeasurement/loudnessRangeLU`` is
    /// `nil`; the maximum short-term loudness is still measured.
    public var measuresLoudnessRange: Bool

    public init(
        recordsSeries: Bool = false, measuresTruePeak: Bool = true, recordsStepEnergies: Bool = false,
        measuresLoudnessRange: Bool = true
    ) {
        self.recordsSeries = recordsSeries
        self.measuresTruePeak = measuresTruePeak
        self.recordsStepEnergies = recordsStepEnergies
        self.measuresLoudnessRange = measuresLoudnessRange
    }
}
