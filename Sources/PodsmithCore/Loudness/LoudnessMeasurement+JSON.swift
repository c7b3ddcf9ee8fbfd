/// The measurement's keys (those of `measure --json`, documented in the README), in their documented
/// order. The momentary and short-term series and the ungated loudness are not part of the JSON: a
/// decoded measurement has them empty and `nil`.
extension LoudnessMeasurement: Codable {
    public enum CodingKeys: String, FigurePrecisionKey, CaseIterable {
        case durationSeconds = "duration_s"
        case sampleRate = "sample_rate"
        case channelCount = "channels"
        case integratedLUFS = "integrated_lufs"
        case loudnessRangeLU = "loudness_range_lu"
        case truePeakDBTP = "true_peak_dbtp"
        case samplePeakDBFS = "sample_peak_dbfs"
        case maxMomentaryLUFS = "max_momentary_lufs"
        case maxShortTermLUFS = "max_short_term_lufs"

        /// A duration to the millisecond, loudness and peaks to 0.01 dB; counts are integers.
        public var decimals: Int? {
            switch self {
            case .durationSeconds: return 3
            case .sampleRate, .channelCount: return nil
            default: return 2
            }
        }
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let sampleRate = Double(try c.decode(Int.self, forKey: .sampleRate))
        let duration = try c.decode(Double.self, forKey: .durationSeconds)
        self.init(
            integratedLUFS: try c.decodeIfPresent(Double.self, forKey: .integratedLUFS),
            loudnessRangeLU: try c.decodeIfPresent(Double.self, forKey: .loudnessRangeLU),
            truePeakDBTP: try c.decodeIfPresent(Double.self, forKey: .truePeakDBTP),
            samplePeakDBFS: try c.decodeIfPresent(Double.self, forKey: .samplePeakDBFS),
            maxMomentaryLUFS: try c.decodeIfPresent(Double.self, forKey: .maxMomentaryLUFS),
            maxShortTermLUFS: try c.decodeIfPresent(Double.self, forKey: .maxShortTermLUFS),
            frameCount: Int64((duration * sampleRate).rounded()), sampleRate: sampleRate,
            channelCount: try c.decode(Int.self, forKey: .channelCount))
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(durationSeconds.finiteOrNil, forKey: .durationSeconds)
        try c.encode(Int(sampleRate.rounded()), forKey: .sampleRate)
        try c.encode(channelCount, forKey: .channelCount)
        try c.encode(integratedLUFS.finiteOrNil, forKey: .integratedLUFS)
        try c.encode(loudnessRangeLU.finiteOrNil, forKey: .loudnessRangeLU)
        try c.encode(truePeakDBTP.finiteOrNil, forKey: .truePeakDBTP)
        try c.encode(samplePeakDBFS.finiteOrNil, forKey: .samplePeakDBFS)
        try c.encode(maxMomentaryLUFS.finiteOrNil, forKey: .maxMomentaryLUFS)
        try c.encode(maxShortTermLUFS.finiteOrNil, forKey: .maxShortTermLUFS)
    }
}
