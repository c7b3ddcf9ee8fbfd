/// A setting of an encode or a normalization, named once for every front end.
///
/// Why an enum: the library checks a setting and says which one is wrong; each front end spells it its
/// own way (the CLI `--bitrate`, a season manifest `defaults.bitrate` or `episodes[3].formats[0]`), so
/// the library's messages never name a command-line flag.
public enum Setting: String, Sendable, CaseIterable {
    /// Output container and codec (``OutputFormat``).
    case format
    /// Bitrate, kbit/s (``EncoderSettings/bitrateKbps``).
    case bitrate
    /// LAME VBR quality 0…9 (``EncoderSettings/vbrQuality``).
    case vbrQuality
    /// LAME instances encoding one MP3 (``EncoderSettings/encodeThreads``).
    case encodeThreads
    /// PCM sample format of WAV and FLAC (``PCMBitDepth``).
    case bitDepth
    /// Output sample rate, Hz (``EncoderSettings/sampleRate``).
    case sampleRate
    /// LAME's algorithm quality 0…9 (``MP3EncoderOptions/quality``).
    case mp3Quality
    /// libFLAC compression level 0…8 (``FLACEncoderOptions/compressionLevel``).
    case flacCompressionLevel
    /// Output channel layout.
    case channels
    /// Target integrated loudness, LUFS.
    case target
    /// True-peak ceiling, dBTP.
    case truePeak
    /// Largest boost, dB.
    case maxGain
    /// Silence threshold, dBFS.
    case trimThreshold
    /// Silence kept at the trimmed ends, seconds.
    case trimPad
    /// Longest pause kept, seconds.
    case maxPause
    /// Release date tag.
    case date
    /// How far the speech leveler brings each phrase to the common level, 0…1.
    case levelerStrength
}

/// One setting whose value no encoder or normalization can take: which setting, the value as given,
/// and the rule it breaks.
///
/// The rule reads on from the value (`"100"` + `"is not an MP3 bitrate; use one of 32, 40, …"`), so a
/// front end writes `<its name for the setting> <value> <rule>` and the sentence stands.
public struct SettingIssue: Error, Sendable, Equatable, CustomStringConvertible {
    /// The setting.
    public var setting: Setting
    /// The value as given, e.g. `100` or `27/11/2026`.
    public var value: String
    /// What is wrong and, where it helps, what would be right.
    public var rule: String

    public init(_ setting: Setting, value: String, rule: String) {
        self.setting = setting
        self.value = value
        self.rule = rule
    }

    /// `<setting> <value> <rule>`, with the library's own name of the setting.
    public var description: String { "\(setting.rawValue) \(value) \(rule)" }

    /// An issue when `value` is outside `range`, phrased with `unit`; `nil` when it is inside (NaN is outside).
    public static func outside(
        _ setting: Setting, _ value: Double, _ range: ClosedRange<Double>,
        unit: String
    ) -> SettingIssue? {
        guard !range.contains(value) else { return nil }
        return SettingIssue(
            setting, value: number(value),
            rule: "is outside \(number(range.lowerBound))…\(number(range.upperBound)) \(unit)")
    }

    /// An issue when `value` is outside `range`; `nil` when it is inside.
    public static func outside(_ setting: Setting, _ value: Int, _ range: ClosedRange<Int>) -> SettingIssue? {
        guard !range.contains(value) else { return nil }
        return SettingIssue(setting, value: String(value), rule: "is outside \(range.lowerBound)…\(range.upperBound)")
    }

    /// `5` for 5.0, `-0.5` for -0.5, `nan` for NaN: numbers as a person typed them.
    public static func number(_ value: Double) -> String {
        if value.isFinite, value.rounded() == value, abs(value) < 1e15 { return String(Int64(value)) }
        return String(value)
    }
}
