import PodsmithKit

/// A numeric `normalize` setting that a season manifest's `defaults` and `overrides` may set: its key,
/// its unit, where ``EpisodeSettings`` keeps it and how it lands in ``NormalizeOptions``.
///
/// Why a table: the manifest reader, the merge of overrides, the settings fingerprint and the episode
/// processor all walk ``EpisodeSettings/tuning``, so a new setting is a field and a row in
/// `EpisodeSettings.swift` (plus its range in the validation owner and its command-line option), not an
/// edit in each of them.
public struct TuningSetting {
    /// The setting, as the validation owner (``NormalizeOptions/issue(_:_:)``) knows it.
    public let setting: Setting
    /// Unit named in messages (`seconds`, `dBFS`).
    public let unit: String
    /// Whether `0` (also `off`, `false`, `no` in a manifest) means the feature is off.
    public let zeroMeansOff: Bool
    /// Where ``EpisodeSettings`` keeps the value.
    public let field: WritableKeyPath<EpisodeSettings, Double?>
    /// Sets the value in `normalize`'s options (never called with an "off" `0`).
    public let apply: (inout NormalizeOptions, Double) -> Void

    public init(
        _ setting: Setting, unit: String, zeroMeansOff: Bool = false,
        field: WritableKeyPath<EpisodeSettings, Double?>, apply: @escaping (inout NormalizeOptions, Double) -> Void
    ) {
        self.setting = setting
        self.unit = unit
        self.zeroMeansOff = zeroMeansOff
        self.field = field
        self.apply = apply
    }

    /// The manifest's key: the setting's name in snake case (`maxPause` → `max_pause`).
    public var manifestKey: String { setting.manifestKey }
}

extension Setting {
    /// How a season manifest spells this setting: its name in snake case (`trimThreshold` → `trim_threshold`).
    public var manifestKey: String {
        var key = ""
        for character in rawValue {
            if character.isUppercase {
                key += "_" + character.lowercased()
            } else {
                key.append(character)
            }
        }
        return key
    }
}
