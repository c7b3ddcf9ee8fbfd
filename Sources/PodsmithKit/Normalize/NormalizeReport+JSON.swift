import PodsmithCodecs
import PodsmithCore

/// The report's JSON: `normalize --json` prints it in the order of ``CodingKeys`` (the order the README
/// documents), and the season's `report.json` publishes a part of it under the same keys
/// (``EpisodeReportEntry``). These keys are the only place they are spelled.
///
/// Keys are snake_case with the unit in the name (`_lufs`, `_dbtp`, `_db`, `_s`). `input` and `output`
/// are ``MeasuredFile`` objects (the keys of `measure --json`). Not part of the JSON: the limited
/// ranges and the loudness series (they feed the season's plot, not scripts), so a decoded report has
/// them empty. A non-finite figure is written as `null` and decodes as NaN.
extension NormalizeReport: Codable {
    public enum CodingKeys: String, FigurePrecisionKey, CaseIterable {
        case inputFile = "input_file"
        case outputFile = "output_file"
        case input
        case output
        case targetLUFS = "target_lufs"
        case truePeakCeilingDBTP = "true_peak_ceiling_dbtp"
        case monoConvention = "mono_convention"
        case dualMono = "dual_mono"
        case gainDB = "gain_db"
        case gainCapped = "gain_capped"
        case usedUngatedLoudness = "ungated_short_clip"
        case limiterMaxReductionDB = "limiter_max_reduction_db"
        case limitedSeconds = "limited_s"
        case limitedOver1dBSeconds = "limited_over_1db_s"
        case limitedOver3dBSeconds = "limited_over_3db_s"
        case limiterReductionP95DB = "limiter_reduction_p95_db"
        case trimmedHeadSeconds = "trimmed_head_s"
        case trimmedTailSeconds = "trimmed_tail_s"
        case pausesShortened = "pauses_shortened"
        case removedSeconds = "removed_s"
        case outputDurationSeconds = "output_duration_s"
        case passes
        case leveler
        case mp3Seams = "mp3_seams"
        case warnings

        /// Targets to 0.1 dB (as they are given), gains to 0.01 dB, times to the millisecond.
        public var decimals: Int? {
            switch self {
            case .targetLUFS, .truePeakCeilingDBTP: return 1
            case .gainDB, .limiterMaxReductionDB, .limiterReductionP95DB: return 2
            case .limitedSeconds, .limitedOver1dBSeconds, .limitedOver3dBSeconds, .trimmedHeadSeconds,
                .trimmedTailSeconds, .removedSeconds, .outputDurationSeconds:
                return 3
            default: return nil
            }
        }
    }

    /// `mp3_seams`: how the segments of a segmented MP3 were joined (a CBR MP3 of 5 minutes or more).
    private struct SeamCounts: Codable {
        var direct: Int
        var shifted: Int
        /// Absent from reports written before continuations replaced the whole-file re-encode.
        var continued: Int?
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let target = LoudnessTarget(
            integratedLUFS: try c.decode(Double.self, forKey: .targetLUFS),
            truePeakDBTP: try c.decode(Double.self, forKey: .truePeakCeilingDBTP))
        self.init(
            inputFile: try c.decode(String.self, forKey: .inputFile),
            outputFile: try c.decodeIfPresent(String.self, forKey: .outputFile),
            input: try c.decode(MeasuredFile.self, forKey: .input).measurement,
            output: try c.decodeIfPresent(MeasuredFile.self, forKey: .output)?.measurement,
            target: target,
            monoConvention: try c.decodeIfPresent(MonoConvention.self, forKey: .monoConvention),
            gainDB: try c.decodeIfPresent(Double.self, forKey: .gainDB) ?? .nan,
            gainCapped: try c.decode(Bool.self, forKey: .gainCapped),
            usedUngatedLoudness: try c.decode(Bool.self, forKey: .usedUngatedLoudness),
            limiterMaxReductionDB: try c.decode(Double.self, forKey: .limiterMaxReductionDB),
            limitedSeconds: try c.decode(Double.self, forKey: .limitedSeconds),
            trimmedHeadSeconds: try c.decode(Double.self, forKey: .trimmedHeadSeconds),
            trimmedTailSeconds: try c.decode(Double.self, forKey: .trimmedTailSeconds),
            pausesShortened: try c.decode(Int.self, forKey: .pausesShortened),
            removedSeconds: try c.decode(Double.self, forKey: .removedSeconds),
            passes: try c.decode(Int.self, forKey: .passes),
            warnings: try c.decode([String].self, forKey: .warnings))
        outputDurationSeconds = try c.decodeIfPresent(Double.self, forKey: .outputDurationSeconds)
        // Reports written before these keys existed decode with 0.
        limitedOver1dBSeconds = try c.decodeIfPresent(Double.self, forKey: .limitedOver1dBSeconds) ?? 0
        limitedOver3dBSeconds = try c.decodeIfPresent(Double.self, forKey: .limitedOver3dBSeconds) ?? 0
        limiterReductionP95DB = try c.decodeIfPresent(Double.self, forKey: .limiterReductionP95DB) ?? 0
        leveler = try c.decodeIfPresent(LevelerSummary.self, forKey: .leveler)
        mp3Seams = try c.decodeIfPresent(SeamCounts.self, forKey: .mp3Seams).map {
            ParallelMP3Encoder.SeamStatistics(direct: $0.direct, shifted: $0.shifted, continued: $0.continued ?? 0)
        }
    }

    /// Every key, `null` for what does not apply (no output on a dry run, no seams with one encoder), in
    /// the documented order.
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(inputFile, forKey: .inputFile)
        try c.encode(outputFile, forKey: .outputFile)
        try c.encode(MeasuredFile(file: inputFile, measurement: input), forKey: .input)
        try c.encode(output.map { MeasuredFile(file: outputFile ?? "", measurement: $0) }, forKey: .output)
        try c.encode(target.integratedLUFS.finiteOrNil, forKey: .targetLUFS)
        try c.encode(target.truePeakDBTP.finiteOrNil, forKey: .truePeakCeilingDBTP)
        try c.encode(monoConvention, forKey: .monoConvention)
        try c.encode(dualMono, forKey: .dualMono)
        try c.encode(gainDB.finiteOrNil, forKey: .gainDB)
        try c.encode(gainCapped, forKey: .gainCapped)
        try c.encode(usedUngatedLoudness, forKey: .usedUngatedLoudness)
        try c.encode(limiterMaxReductionDB.finiteOrNil, forKey: .limiterMaxReductionDB)
        try c.encode(limitedSeconds.finiteOrNil, forKey: .limitedSeconds)
        try c.encode(limitedOver1dBSeconds.finiteOrNil, forKey: .limitedOver1dBSeconds)
        try c.encode(limitedOver3dBSeconds.finiteOrNil, forKey: .limitedOver3dBSeconds)
        try c.encode(limiterReductionP95DB.finiteOrNil, forKey: .limiterReductionP95DB)
        try c.encode(trimmedHeadSeconds.finiteOrNil, forKey: .trimmedHeadSeconds)
        try c.encode(trimmedTailSeconds.finiteOrNil, forKey: .trimmedTailSeconds)
        try c.encode(pausesShortened, forKey: .pausesShortened)
        try c.encode(removedSeconds.finiteOrNil, forKey: .removedSeconds)
        try c.encode(outputDurationSeconds?.finiteOrNil, forKey: .outputDurationSeconds)
        try c.encode(passes, forKey: .passes)
        try c.encode(leveler, forKey: .leveler)
        try c.encode(
            mp3Seams.map { SeamCounts(direct: $0.direct, shifted: $0.shifted, continued: $0.continued) },
            forKey: .mp3Seams)
        try c.encode(warnings, forKey: .warnings)
    }
}
