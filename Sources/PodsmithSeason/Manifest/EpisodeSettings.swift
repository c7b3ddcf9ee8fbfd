import PodsmithKit

/// Processing settings; every field is optional so that the same type serves as the season's
/// defaults and as an episode's overrides (an episode's value wins, then the default, then the
/// built-in default documented on ``EpisodeJob``).
public struct EpisodeSettings: Sendable, Equatable, Codable {
    /// Loudness preset name (`podcast`, `apple`, `spotify`, `ebu-r128`, `aes-speech`, `fr-broadcast`).
    public var preset: LoudnessPreset.RawValue?
    /// Target integrated loudness, LUFS; overrides the preset's.
    public var targetLUFS: Double?
    /// True-peak ceiling, dBTP; overrides the preset's.
    public var truePeakDBTP: Double?
    /// Output formats, one file each (`mp3`, `mp3@128k`, `opus@48k`).
    public var formats: [OutputSpec]?
    /// Bitrate for formats listed without one, kbit/s.
    public var bitrateKbps: Int?
    /// Whether leading and trailing silence is trimmed.
    public var trimSilence: Bool?
    /// Level below which audio counts as silence for trimming, dBFS.
    public var trimThresholdDBFS: Double?
    /// Pauses longer than this are shortened to it, seconds; `0` or `off` in a manifest disables it.
    public var maxPauseSeconds: Double?
    /// Whether the speech leveler runs (`leveler: true`); off when unset.
    public var leveler: Bool?
    /// How far the leveler brings each phrase to the common level, 0…1 (`leveler_strength`).
    public var levelerStrength: Double?

    /// The numeric settings that pass straight to `normalize`'s options, one row each: the manifest
    /// reader, ``overridden(by:)``, the fingerprint and the processor walk this list.
    public static var tuning: [TuningSetting] {
        [
            TuningSetting(.trimThreshold, unit: "dBFS", field: \.trimThresholdDBFS) {
                $0.silence.thresholdDBFS = $1
            },
            TuningSetting(.maxPause, unit: "seconds", zeroMeansOff: true, field: \.maxPauseSeconds) {
                $0.silence.maxPauseSeconds = $1
            },
            TuningSetting(.levelerStrength, unit: "0 to 1", field: \.levelerStrength) {
                $0.levelerStrength = $1
            },
        ]
    }

    public init(
        preset: LoudnessPreset.RawValue? = nil, targetLUFS: Double? = nil, truePeakDBTP: Double? = nil,
        formats: [OutputSpec]? = nil, bitrateKbps: Int? = nil, trimSilence: Bool? = nil,
        trimThresholdDBFS: Double? = nil, maxPauseSeconds: Double? = nil, leveler: Bool? = nil,
        levelerStrength: Double? = nil
    ) {
        self.preset = preset
        self.targetLUFS = targetLUFS
        self.truePeakDBTP = truePeakDBTP
        self.formats = formats
        self.bitrateKbps = bitrateKbps
        self.trimSilence = trimSilence
        self.trimThresholdDBFS = trimThresholdDBFS
        self.maxPauseSeconds = maxPauseSeconds
        self.leveler = leveler
        self.levelerStrength = levelerStrength
    }

    /// These settings with every field `overrides` sets replaced by its value.
    public func overridden(by overrides: EpisodeSettings?) -> EpisodeSettings {
        guard let overrides else { return self }
        var result = self
        if let value = overrides.preset { result.preset = value }
        if let value = overrides.targetLUFS { result.targetLUFS = value }
        if let value = overrides.truePeakDBTP { result.truePeakDBTP = value }
        if let value = overrides.formats { result.formats = value }
        if let value = overrides.bitrateKbps { result.bitrateKbps = value }
        if let value = overrides.trimSilence { result.trimSilence = value }
        if let value = overrides.leveler { result.leveler = value }
        for row in Self.tuning {
            if let value = overrides[keyPath: row.field] { result[keyPath: row.field] = value }
        }
        return result
    }

    /// The ``tuning`` values these settings set, an "off" `0` left out (it is the built-in default).
    public var tuningValues: [Setting: Double] {
        var values: [Setting: Double] = [:]
        for row in Self.tuning {
            guard let value = self[keyPath: row.field], !(row.zeroMeansOff && value == 0) else { continue }
            values[row.setting] = value
        }
        return values
    }
}
