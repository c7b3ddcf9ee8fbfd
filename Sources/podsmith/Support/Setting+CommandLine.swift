import PodsmithKit

extension Setting {
    /// How the command line spells this setting: its option, or words for the settings it has no option for.
    var commandLineName: String {
        switch self {
        case .vbrQuality: return "--vbr"
        case .mp3Quality: return "MP3 quality"
        case .flacCompressionLevel: return "FLAC compression level"
        case .channels: return "channels"
        // Every other option is the setting's name in kebab case (`trimPad` → `--trim-pad`).
        default: return "--" + rawValue.map { $0.isUppercase ? "-" + $0.lowercased() : String($0) }.joined()
        }
    }
}

extension SettingIssue {
    /// The issue as the command line says it: `--bitrate 100 is not an MP3 bitrate; use one of …`.
    var commandLineMessage: String { "\(setting.commandLineName) \(value) \(rule)" }
}
