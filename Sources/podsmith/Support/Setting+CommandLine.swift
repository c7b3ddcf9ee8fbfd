import PodsmithKit

extension Setting {
    /// How the command line spells this setting: its option, or words for the settings it has no option for.
    var commandLineName: String {
        switch self {
        case .format: return "--format"
        case .bitrate: return "--bitrate"
        case .vbrQuality: return "--vbr"
        case .encodeThreads: return "--encode-threads"
        case .bitDepth: return "--bit-depth"
        case .sampleRate: return "--sample-rate"
        case .mp3Quality: return "MP3 quality"
        case .flacCompressionLevel: return "FLAC compression level"
        case .channels: return "channels"
        case .target: return "--target"
        case .truePeak: return "--true-peak"
        case .maxGain: return "--max-gain"
        case .trimThreshold: return "--trim-threshold"
        case .trimPad: return "--trim-pad"
        case .maxPause: return "--max-pause"
        case .date: return "--date"
        }
    }
}

extension SettingIssue {
    /// The issue as the command line says it: `--bitrate 100 is not an MP3 bitrate; use one of …`.
    var commandLineMessage: String { "\(setting.commandLineName) \(value) \(rule)" }
}
