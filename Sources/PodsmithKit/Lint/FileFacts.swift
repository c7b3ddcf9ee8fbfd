import PodsmithCodecs
import PodsmithCore

/// What kind of file an inspected file is.
public enum ContainerKind: String, Sendable, Codable, CaseIterable {
    case mp3
    case flac
    case wav
    case oggOpus = "ogg-opus"
    /// MP4 audio (`.m4a`): AAC, or another codec in an MP4 sound track.
    case m4a
    /// A picture (JPEG or PNG), e.g. show artwork linted on its own.
    case image
    case unknown
}

/// Facts of an MP3 file read from its headers.
public struct MP3Facts: Sendable, Equatable, Codable {
    public var version: MPEGVersion
    /// 1, 2 or 3.
    public var layer: Int
    /// Bitrate of the first audio frame, kbit/s (for VBR, the Xing/VBRI frame's, which means little).
    public var firstFrameBitrateKbps: Int
    public var channelMode: MPEGChannelMode
    /// True when a Xing (not "Info") or VBRI header marks the stream as variable bitrate.
    public var isVBR: Bool
    /// `Xing`, `Info` (LAME's tag on CBR files) or `VBRI`, when present.
    public var vbrHeader: String?
    /// Frames in the stream, from the Xing/VBRI header.
    public var frameCount: Int?
    /// Average bitrate from the Xing/VBRI byte and frame counts, kbit/s.
    public var averageBitrateKbps: Double?
    /// ID3v2 major version (3 or 4) when the file starts with a tag.
    public var id3v2Version: Int?

    public init(
        version: MPEGVersion, layer: Int, firstFrameBitrateKbps: Int, channelMode: MPEGChannelMode,
        isVBR: Bool = false, vbrHeader: String? = nil, frameCount: Int? = nil,
        averageBitrateKbps: Double? = nil, id3v2Version: Int? = nil
    ) {
        self.version = version
        self.layer = layer
        self.firstFrameBitrateKbps = firstFrameBitrateKbps
        self.channelMode = channelMode
        self.isVBR = isVBR
        self.vbrHeader = vbrHeader
        self.frameCount = frameCount
        self.averageBitrateKbps = averageBitrateKbps
        self.id3v2Version = id3v2Version
    }

    /// The bitrate to judge the file by: the average for VBR when known, else the first frame's.
    public var effectiveBitrateKbps: Double {
        if isVBR, let averageBitrateKbps { return averageBitrateKbps }
        return Double(firstFrameBitrateKbps)
    }
}

/// Image container.
public enum ImageFormat: String, Sendable, Codable {
    case jpeg
    case png
    case other
}

/// How an image stores colour.
public enum ImageColorModel: String, Sendable, Codable {
    /// Three colour components (JPEG YCbCr/RGB, PNG truecolour).
    case rgb
    /// Palette of RGB entries (PNG colour type 3).
    case indexed
    case grayscale
    /// Four components (JPEG CMYK/YCCK).
    case cmyk
    case unknown
}

/// Facts of a picture: the file itself or one embedded in an audio file (ID3 APIC, FLAC PICTURE).
public struct ImageFacts: Sendable, Equatable, Codable {
    public var format: ImageFormat
    public var width: Int?
    public var height: Int?
    public var colorModel: ImageColorModel
    /// Whether the image has an alpha channel (PNG colour types 4 and 6).
    public var hasAlpha: Bool
    /// Size of the picture's bytes.
    public var byteCount: Int

    public init(
        format: ImageFormat, width: Int?, height: Int?, colorModel: ImageColorModel,
        hasAlpha: Bool = false, byteCount: Int
    ) {
        self.format = format
        self.width = width
        self.height = height
        self.colorModel = colorModel
        self.hasAlpha = hasAlpha
        self.byteCount = byteCount
    }
}

/// Container facts of one file, read from its headers without decoding any audio.
public struct FileFacts: Sendable, Equatable, Codable {
    /// The file, as given to the inspector.
    public var path: String?
    public var container: ContainerKind
    /// File size, bytes.
    public var sizeBytes: Int64
    /// Stream sample rate, Hz (Ogg Opus: 48000, the rate every Opus decoder runs at, RFC 7845 §5.1).
    public var sampleRate: Int?
    public var channelCount: Int?
    /// Bits per sample of PCM (WAV, FLAC).
    public var bitsPerSample: Int?
    /// WAV format tag after resolving WAVE_FORMAT_EXTENSIBLE: 1 integer PCM, 3 IEEE float.
    public var wavFormatTag: Int?
    /// Ogg Opus: the original input rate stated in OpusHead (informational only).
    public var opusInputSampleRate: Int?
    public var mp3: MP3Facts?
    /// MP4: the sound track's codec, bitrate and box order.
    public var mp4: MP4AudioFacts?
    /// The embedded picture (front cover when several), or the file itself when it is an image.
    public var artwork: ImageFacts?
    /// Duration from the headers when they state it, seconds.
    public var durationSeconds: Double?
    /// What the inspector could not make sense of (reported by the linter).
    public var problems: [String]

    public init(
        path: String? = nil, container: ContainerKind, sizeBytes: Int64, sampleRate: Int? = nil,
        channelCount: Int? = nil, bitsPerSample: Int? = nil, wavFormatTag: Int? = nil,
        opusInputSampleRate: Int? = nil, mp3: MP3Facts? = nil, mp4: MP4AudioFacts? = nil, artwork: ImageFacts? = nil,
        durationSeconds: Double? = nil, problems: [String] = []
    ) {
        self.path = path
        self.container = container
        self.sizeBytes = sizeBytes
        self.sampleRate = sampleRate
        self.channelCount = channelCount
        self.bitsPerSample = bitsPerSample
        self.wavFormatTag = wavFormatTag
        self.opusInputSampleRate = opusInputSampleRate
        self.mp3 = mp3
        self.mp4 = mp4
        self.artwork = artwork
        self.durationSeconds = durationSeconds
        self.problems = problems
    }
}
