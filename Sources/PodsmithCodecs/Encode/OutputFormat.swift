import PodsmithCore

/// The file formats `normalize` writes, and what each one can hold.
///
/// Everything the rest of Podsmith asks about a format is answered here, so that adding a format is one
/// case, its capabilities below, one encoder and its line in the encoder factory; nothing else spells
/// "MP3 or Opus".
public enum OutputFormat: String, CaseIterable, Sendable {
    case mp3, wav, flac, opus, m4a

    /// The format an output path's extension names, if any (`.opus` and `.ogg` are Ogg Opus).
    public init?(pathExtension: String) {
        let lowercased = pathExtension.lowercased()
        guard let format = Self.allCases.first(where: { $0.fileExtensions.contains(lowercased) }) else { return nil }
        self = format
    }

    /// The format to suggest for a name that is not one of the cases but names its codec or another of
    /// its extensions: `aac`, `mp4` and `m4b` are written as `m4a`, `ogg` as `opus`, `wave` as `wav`.
    public static func suggestion(for name: String) -> OutputFormat? {
        let lowercased = name.lowercased()
        if ["aac", "mp4", "m4b"].contains(lowercased) { return .m4a }
        return Self(pathExtension: lowercased)
    }

    /// The extension written for this format.
    public var fileExtension: String { rawValue }

    /// The name people write: `MP3`, `WAV`, `FLAC`, `Opus`.
    public var name: String {
        switch self {
        case .mp3: return "MP3"
        case .wav: return "WAV"
        case .flac: return "FLAC"
        case .opus: return "Opus"
        case .m4a: return "M4A"
        }
    }

    /// Every extension that names this format, the written one first.
    public var fileExtensions: [String] {
        switch self {
        case .mp3: return ["mp3"]
        case .wav: return ["wav", "wave"]
        case .flac: return ["flac"]
        case .opus: return ["opus", "ogg"]
        case .m4a: return ["m4a"]
        }
    }

    /// Whether the codec throws information away. A lossy encode changes the loudness a little and
    /// rebuilds peaks above what went in, so the normalizer probes it before the render (see
    /// ``Normalizer``), and only a lossy format takes a bitrate.
    public var isLossy: Bool {
        switch self {
        case .mp3, .opus, .m4a: return true
        case .wav, .flac: return false
        }
    }

    /// Most channels an output of this format gets when the input's layout is kept. MP3 holds 1 or 2
    /// (ISO/IEC 11172-3 modes); Opus could carry 8 (RFC 7845 §5.1.1.2, mapping family 1), but podcast
    /// players expect stereo, so more channels are downmixed to two; the same for AAC in M4A. WAV and FLAC keep what Podsmith
    /// reads (1–8; RFC 9639 allows FLAC 8 channels).
    public var maxChannels: Int {
        switch self {
        case .mp3, .opus, .m4a: return 2
        case .wav, .flac: return AudioFormat.supportedChannelCounts.upperBound
        }
    }

    /// The MIME type of a file of this format, as a feed's `<enclosure type>` gives it.
    ///
    /// MP3 `audio/mpeg` (RFC 3003); Opus in Ogg `audio/ogg; codecs=opus` (RFC 7845 §9 registers
    /// `audio/ogg` for Ogg Opus; the codecs parameter, RFC 6381 style, lets players that cannot play Opus
    /// skip it); AAC in MP4 `audio/x-m4a` (what Apple's podcast feeds use for `.m4a`); FLAC `audio/flac` (RFC 9639 registers it); WAV `audio/wav` (what browsers send and accept;
    /// RFC 2361 registered `audio/vnd.wave`).
    public var mimeType: String {
        switch self {
        case .mp3: return "audio/mpeg"
        case .opus: return "audio/ogg; codecs=opus"
        case .flac: return "audio/flac"
        case .wav: return "audio/wav"
        case .m4a: return "audio/x-m4a"
        }
    }

    /// The bitrate used when none is asked for, kbit/s; `nil` for the lossless formats, which take none.
    ///
    /// MP3 and AAC 128 kbit/s stereo, 64 mono: the usual podcast rates (Apple's for AAC); speech gains nothing audible above them.
    /// Opus 64 stereo, 48 mono, 32 per channel beyond two: Opus is transparent for speech well below these.
    public func defaultBitrateKbps(channels: Int) -> Int? {
        switch self {
        case .mp3, .m4a: return channels == 1 ? 64 : 128
        case .opus: return channels == 1 ? 48 : channels == 2 ? 64 : 32 * channels
        case .wav, .flac: return nil
        }
    }

    /// The bitrates this format's encoder can be asked for, before the channel count is known.
    public var acceptedBitrates: AcceptedBitrates {
        switch self {
        // ISO/IEC 11172-3 §2.4.2.3: the bitrates an MPEG-1 Layer III frame can declare; free format is not offered.
        case .mp3: return .steps(MP3EncoderOptions.constantBitratesKbps)
        // libopus takes 6–256 kbit/s per channel; 512 is the most two channels take (the encoder
        // checks again with the output's channel count).
        case .opus: return .range(6...512)
        // FFmpeg's AAC encoder takes any rate; below 16 kbit/s AAC-LC is unusable, and above 320 a
        // podcast gains nothing.
        case .m4a: return .range(16...320)
        case .wav, .flac: return .none
        }
    }

    /// The PCM sample formats this format stores; empty for the lossy ones, which take floats and choose
    /// their own resolution. FLAC has no float encoding (RFC 9639 codes integers only).
    public var pcmBitDepths: [PCMBitDepth] {
        switch self {
        case .wav: return PCMBitDepth.allCases
        case .flac: return [.int16, .int24]
        case .mp3, .opus, .m4a: return []
        }
    }

    /// Room the limiter leaves under the true-peak ceiling from the start, dB.
    ///
    /// Opus's decoder rebuilds peaks 0.5–1 dB above what went in at podcast bitrates (measured on
    /// SampleAudio's music at 48–64 kbit/s), more than the codec probe's excerpts reliably show, so the
    /// limiter aims that much under the ceiling; MP3's overshoot is smaller and left to the probe.
    public var truePeakHeadroomDB: Double {
        switch self {
        case .opus: return 0.5
        case .mp3, .m4a, .wav, .flac: return 0
        }
    }

    /// Sample rate this format will be written at, for an input at `inputRate` and an optional request.
    ///
    /// MP3 and M4A keep 44.1 and 48 kHz and take everything else to 44.1 kHz (LAME would otherwise pick
    /// lower rates on its own at low bitrates; Apple asks for 44.1 or 48 kHz AAC). Opus always runs at 48 kHz (RFC 7845 §5.1: the decoder runs
    /// at 48 kHz). WAV and FLAC keep the input's rate unless asked.
    public func outputSampleRate(input inputRate: Double, requested: Double?) -> Double {
        switch self {
        case .opus: return 48_000
        case .mp3, .m4a:
            let wanted = requested ?? inputRate
            return wanted == 44_100 || wanted == 48_000 ? wanted : 44_100
        case .wav, .flac: return requested ?? inputRate
        }
    }
}

/// The bitrates a format's encoder accepts, kbit/s.
public enum AcceptedBitrates: Sendable, Equatable, CustomStringConvertible {
    /// The format takes no bitrate (lossless).
    case none
    /// Only these steps (MP3's constant bitrates).
    case steps([Int])
    /// Any whole number in the range (Opus).
    case range(ClosedRange<Int>)

    /// Whether `kbps` is one of them.
    public func contains(_ kbps: Int) -> Bool {
        switch self {
        case .none: return false
        case .steps(let steps): return steps.contains(kbps)
        case .range(let range): return range.contains(kbps)
        }
    }

    /// `32, 40, …, 320` or `6–512`.
    public var description: String {
        switch self {
        case .none: return "none"
        case .steps(let steps): return steps.map(String.init).joined(separator: ", ")
        case .range(let range): return "\(range.lowerBound)–\(range.upperBound)"
        }
    }
}
