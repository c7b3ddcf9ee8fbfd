/// The file formats `normalize` writes.
public enum OutputFormat: String, CaseIterable, Sendable {
    case mp3, wav, flac, opus

    /// The format an output path's extension names, if any (`.opus` is Ogg Opus).
    public init?(pathExtension: String) {
        switch pathExtension.lowercased() {
        case "mp3": self = .mp3
        case "wav", "wave": self = .wav
        case "flac": self = .flac
        case "opus", "ogg": self = .opus
        default: return nil
        }
    }

    /// The extension written for this format.
    public var fileExtension: String { rawValue }

    /// Sample rate this format will be written at, for an input at `inputRate` and an optional request.
    ///
    /// MP3 keeps 44.1 and 48 kHz and takes everything else to 44.1 kHz (LAME would otherwise pick lower
    /// rates on its own at low bitrates). Opus always runs at 48 kHz (RFC 7845 §5.1: the decoder runs
    /// at 48 kHz). WAV and FLAC keep the input's rate unless asked.
    public func outputSampleRate(input inputRate: Double, requested: Double?) -> Double {
        switch self {
        case .opus: return 48_000
        case .mp3:
            let wanted = requested ?? inputRate
            return wanted == 44_100 || wanted == 48_000 ? wanted : 44_100
        case .wav, .flac: return requested ?? inputRate
        }
    }
}

/// Sample encoding for PCM outputs (WAV, FLAC).
public enum PCMBitDepth: String, CaseIterable, Sendable {
    /// 16-bit integer with TPDF dither.
    case int16 = "16"
    /// 24-bit integer (dither below audibility; TPDF too, at 24-bit LSB).
    case int24 = "24"
    /// 32-bit float (WAV only; FLAC has no float encoding).
    case float32 = "32f"
}

/// What the encoder should produce.
public struct EncoderSettings: Sendable, Equatable {
    /// Container and codec.
    public var format: OutputFormat
    /// Constant bitrate in kbit/s for MP3 and target bitrate for Opus; `nil` picks the default
    /// (MP3 128 stereo / 64 mono, Opus 64 stereo / 48 mono).
    public var bitrateKbps: Int?
    /// LAME VBR quality 0 (best) … 9; when set, MP3 is VBR instead of CBR.
    public var vbrQuality: Int?
    /// PCM encoding for WAV and FLAC; default 16-bit with dither.
    public var bitDepth: PCMBitDepth
    /// Requested output sample rate; `nil` keeps the input's where the format allows.
    public var sampleRate: Double?
    /// LAME instances encoding one MP3 at once (``ParallelMP3Encoder``); 1, the default, is one
    /// stream. Above 1: MP3 at a constant bitrate only.
    public var encodeThreads: Int

    public init(format: OutputFormat, bitrateKbps: Int? = nil, vbrQuality: Int? = nil,
                bitDepth: PCMBitDepth = .int16, sampleRate: Double? = nil, encodeThreads: Int = 1) {
        self.encodeThreads = encodeThreads
        self.format = format
        self.bitrateKbps = bitrateKbps
        self.vbrQuality = vbrQuality
        self.bitDepth = bitDepth
        self.sampleRate = sampleRate
    }

    /// Refuses settings no encoder of this format can take, before the analysis pass spends time on a
    /// long input. The encoders check again with the final channel count (Opus's upper bound depends
    /// on it); the messages are theirs.
    /// - Throws: ``PodsmithError/usage(_:)``.
    public func checkBeforeAnalysis() throws {
        if encodeThreads > 1 && format != .mp3 {
            throw PodsmithError.usage("--encode-threads above 1 applies to MP3 only")
        }
        if encodeThreads > 1 && vbrQuality != nil {
            throw PodsmithError.usage("--encode-threads above 1 needs a constant bitrate; drop --vbr or use --encode-threads 1")
        }
        switch format {
        case .mp3:
            if vbrQuality == nil, let kbps = bitrateKbps, !MP3EncoderOptions.constantBitratesKbps.contains(kbps) {
                throw PodsmithError.usage("--bitrate \(kbps) is not an MP3 bitrate; use one of "
                    + MP3EncoderOptions.constantBitratesKbps.map(String.init).joined(separator: ", "))
            }
        case .opus:
            if let kbps = bitrateKbps, !(6...512).contains(kbps) {
                throw PodsmithError.usage("--bitrate \(kbps) is out of Opus's range (6 to 512 kbit/s)")
            }
        case .flac:
            if bitDepth == .float32 {
                throw PodsmithError.usage("FLAC has no float encoding; use --bit-depth 16 or 24")
            }
        case .wav:
            break
        }
    }

    /// Bitrate in kbit/s the encoder will use for `channels` output channels.
    public func effectiveBitrateKbps(channels: Int) -> Int {
        if let bitrateKbps { return bitrateKbps }
        switch format {
        case .mp3: return channels == 1 ? 64 : 128
        case .opus: return channels == 1 ? 48 : 64
        case .wav, .flac: return 0
        }
    }
}
