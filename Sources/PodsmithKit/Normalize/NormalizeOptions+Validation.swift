import PodsmithCodecs
import PodsmithCore

/// The ranges a normalization's settings must fall in, checked in one place for every front end.
///
/// Why these bounds: each is the wider of what the command line and the season manifest accepted before
/// they shared this owner, so nothing that worked is refused; the settings that had no upper bound got
/// one a person would never need to exceed, so a typo (`--max-gain 240`) is an error, not a result.
extension NormalizeOptions {
    /// Integrated loudness targets, LUFS: down to the absolute gate of BS.1770-4 §2.8 (−70 LUFS), up to 0.
    public static let targetRangeLUFS = -70.0...0
    /// True-peak ceilings, dBTP: 0 is full scale; −30 is far below any delivery specification.
    public static let truePeakRangeDBTP = -30.0...0
    /// Boosts, dB: 60 dB lifts a −76 dBFS whisper to −16; beyond that there is only noise to raise.
    public static let maxGainRangeDB = 0.0...60
    /// Silence thresholds, dBFS: −120 is below any 24-bit noise floor; 0 is full scale.
    public static let trimThresholdRangeDBFS = -120.0...0
    /// Silence kept at the trimmed ends, seconds: 10 s is more than any intro needs.
    public static let trimPadRangeSeconds = 0.0...10
    /// Longest pause kept, seconds (above 0): an hour is the longest pause worth naming.
    public static let maxPauseRangeSeconds = 0.0...3600
    /// Leveler strength: a share of each phrase's distance to the common level.
    public static let levelerStrengthRange = 0.0...1

    /// The issue with `value` for one of the numeric settings above, or `nil` when it is in range (NaN
    /// never is). Front ends that read settings one by one (the manifest reader) call this; ``validate()``
    /// calls it for the options as a whole.
    public static func issue(_ setting: Setting, _ value: Double) -> SettingIssue? {
        switch setting {
        case .target: return SettingIssue.outside(.target, value, targetRangeLUFS, unit: "LUFS")
        case .truePeak: return SettingIssue.outside(.truePeak, value, truePeakRangeDBTP, unit: "dBTP")
        case .maxGain: return SettingIssue.outside(.maxGain, value, maxGainRangeDB, unit: "dB")
        case .trimThreshold: return SettingIssue.outside(.trimThreshold, value, trimThresholdRangeDBFS, unit: "dBFS")
        case .trimPad: return SettingIssue.outside(.trimPad, value, trimPadRangeSeconds, unit: "seconds")
        case .maxPause:
            if value == 0 {
                return SettingIssue(.maxPause, value: "0", rule: "is not a pause length; give more than 0 seconds")
            }
            return SettingIssue.outside(.maxPause, value, maxPauseRangeSeconds, unit: "seconds")
        case .sampleRate: return SettingIssue.outside(.sampleRate, value, EncoderSettings.sampleRatesHz, unit: "Hz")
        case .levelerStrength:
            return SettingIssue.outside(
                .levelerStrength, value, levelerStrengthRange, unit: "(0 leaves the speech as it is, 1 levels it fully)"
            )
        default: return nil
        }
    }

    /// The issue with a release date, or `nil` when ``PublicationDate`` reads it (the season manifest's
    /// parser, so both front ends accept the same dates).
    public static func dateIssue(_ text: String) -> SettingIssue? {
        guard PublicationDate.parse(text) == nil else { return nil }
        return SettingIssue(
            .date, value: text,
            rule: "is not a date: use ISO 8601 (2026-11-27 or "
                + "2026-11-27T10:00:00Z) or RFC 2822 (Fri, 27 Nov 2026 10:00:00 +0000)")
    }

    /// Every setting outside its range, in a fixed order; empty when all is well. Includes the encoder's
    /// (``EncoderSettings/validate()``).
    public func validate() -> [SettingIssue] {
        var issues: [SettingIssue] = []
        let numbers: [(Setting, Double?)] = [
            (.target, target.integratedLUFS), (.truePeak, target.truePeakDBTP), (.maxGain, maxGainDB),
            (.trimThreshold, silence.thresholdDBFS), (.trimPad, silence.padSeconds),
            (.maxPause, silence.maxPauseSeconds), (.levelerStrength, levelerStrength),
        ]
        for case (let setting, let value?) in numbers {
            if let issue = Self.issue(setting, value) { issues.append(issue) }
        }
        issues += encoder.validate()
        if let date = metadata.date, let issue = Self.dateIssue(date) { issues.append(issue) }
        return issues
    }

    /// Throws the first of ``validate()``'s issues.
    /// - Throws: ``PodsmithError/invalidSetting(_:)``.
    public func check() throws(PodsmithError) {
        if let issue = validate().first { throw PodsmithError.invalidSetting(issue) }
    }
}
