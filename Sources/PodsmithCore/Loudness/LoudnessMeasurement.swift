/// What a loudness meter reports for a whole stream, per ITU-R BS.1770-4 and EBU R128.
///
/// Values that the standards leave undefined are `nil`, never −∞: integrated loudness of silence or of a
/// stream shorter than one 400 ms gating block, loudness range with fewer than two short-term blocks
/// above the gates, peaks of digital silence.
public struct LoudnessMeasurement: Sendable, Equatable {
    /// Gated integrated loudness (BS.1770-4 §2.8, absolute −70 LUFS and relative −10 LU gates), LUFS.
    public var integratedLUFS: Double?
    /// Loudness range per EBU Tech 3342 (10th to 95th percentile of gated 3 s blocks), LU.
    public var loudnessRangeLU: Double?
    /// Largest inter-sample peak over all channels (BS.1770-4 Annex 2, ≥ 4× oversampling), dBTP.
    public var truePeakDBTP: Double?
    /// Largest absolute sample over all channels, dBFS.
    public var samplePeakDBFS: Double?
    /// Largest momentary (400 ms) loudness, LUFS.
    public var maxMomentaryLUFS: Double?
    /// Largest short-term (3 s) loudness, LUFS.
    public var maxShortTermLUFS: Double?
    /// Loudness of the whole stream without gating, LUFS: the fallback for clips shorter than one
    /// 400 ms block, for which BS.1770 defines no integrated loudness.
    public var ungatedLUFS: Double?
    /// Frames measured.
    public var frameCount: Int64
    /// Sample rate of the measured stream, Hz.
    public var sampleRate: Double
    /// Channels of the measured stream.
    public var channelCount: Int
    /// Momentary loudness every 100 ms (LUFS, `-Float.infinity` for digital silence), when the meter was
    /// asked to record it (for plots); empty otherwise.
    public var momentarySeries: [Float]
    /// Short-term loudness every 100 ms, recorded like ``momentarySeries``.
    public var shortTermSeries: [Float]

    public init(
        integratedLUFS: Double? = nil, loudnessRangeLU: Double? = nil, truePeakDBTP: Double? = nil,
        samplePeakDBFS: Double? = nil, maxMomentaryLUFS: Double? = nil, maxShortTermLUFS: Double? = nil,
        ungatedLUFS: Double? = nil, frameCount: Int64, sampleRate: Double, channelCount: Int,
        momentarySeries: [Float] = [], shortTermSeries: [Float] = []
    ) {
        self.integratedLUFS = integratedLUFS
        self.loudnessRangeLU = loudnessRangeLU
        self.truePeakDBTP = truePeakDBTP
        self.samplePeakDBFS = samplePeakDBFS
        self.maxMomentaryLUFS = maxMomentaryLUFS
        self.maxShortTermLUFS = maxShortTermLUFS
        self.ungatedLUFS = ungatedLUFS
        self.frameCount = frameCount
        self.sampleRate = sampleRate
        self.channelCount = channelCount
        self.momentarySeries = momentarySeries
        self.shortTermSeries = shortTermSeries
    }

    /// Duration in seconds.
    public var durationSeconds: Double { Double(frameCount) / sampleRate }
}

/// Which meter measures: our Swift implementation or libebur128, the reference.
public enum MeterKind: String, CaseIterable, Sendable {
    /// Podsmith's own SIMD meter (the default; fast, both cores).
    case podsmith
    /// libebur128 (`EBUR128_MODE_I | LRA | TRUE_PEAK | SAMPLE_PEAK`), the reference implementation.
    case libebur128
}

/// A meter fed block by block. Implementations: ``LoudnessMeter`` (ours) and ``ReferenceLoudnessMeter``
/// (libebur128).
public protocol LoudnessMeasuring: AnyObject {
    /// Adds the buffer's `frameCount` frames.
    func process(_ buffer: AudioBuffer)
    /// The figures for everything added so far.
    func result() -> LoudnessMeasurement
}
