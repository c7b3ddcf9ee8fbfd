import PodsmithCodecs
import PodsmithCore

/// Which channel layout `normalize` writes.
public enum ChannelRequest: String, Sendable {
    /// Keep the input's layout (more than two channels become stereo for MP3 and Opus).
    case keep
    /// Downmix to one channel.
    case mono
    /// Two channels: a mono input is duplicated, more channels are downmixed.
    case stereo
}

/// How one normalize run spreads over threads. The output is the same either way.
public enum RenderThreading: String, Sendable {
    /// Reading and DSP, encoding, and decoding the written MP3 for verification each run on a thread
    /// of their own, so one episode keeps two cores busy while LAME encodes (the default).
    case pipelined
    /// Everything on the caller's thread. For callers that already run one job per core (`season`
    /// runs `--jobs` episodes at once): there the extra threads find no idle core and only add
    /// hand-offs, wake-ups and copies (about 5 % of a 3-minute episode's CPU time, measured).
    case singleThread
}

/// Everything `normalize` needs to know besides the input and output paths.
///
/// Defaults follow the `podcast` preset: −16 LUFS integrated, −1 dBTP ceiling, mono normalized as
/// dual-mono, leading/trailing silence trimmed, pauses kept, MP3 128 kbit/s CBR, verified.
public struct NormalizeOptions: Sendable {
    /// Loudness and ceiling to reach. Default: the `podcast` preset (−16 LUFS, −1 dBTP).
    public var target: LoudnessTarget
    /// How a mono output is normalized. Default: dual-mono (AES TD1004).
    public var monoConvention: MonoConvention
    /// The largest boost allowed, dB. Default +24 dB: enough for a quiet recording, not enough to turn
    /// room noise into programme.
    public var maxGainDB: Double
    /// Trimming and pause shortening (see ``SilenceOptions`` for the defaults).
    public var silence: SilenceOptions
    /// Output channel layout. Default: keep.
    public var channels: ChannelRequest
    /// Container, codec and their settings.
    public var encoder: EncoderSettings
    /// Tags for the output; fields left `nil` are taken from the input's own tags where it has them.
    /// A `nil` genre becomes the input's genre, else "Podcast" (the CLI's `--genre` default), so that an
    /// input's own genre survives when none is asked for.
    public var metadata: EpisodeMetadata
    /// Chapters timed against the *input*; they are re-timed for every trim and cut.
    public var chapters: ChapterList?
    /// A timed transcript (WebVTT or SRT), re-timed for every cut like the chapters and written beside
    /// the output as `STEM.transcript.vtt` (and `STEM.transcript.srt` when it was read from SRT).
    /// Default `nil`.
    public var transcript: Transcript? = nil
    /// Decode and measure the written file and correct it if needed. Default `true`.
    public var verify: Bool
    /// Most render passes verification may use. Default 3.
    public var maxPasses: Int
    /// How far the written file's integrated loudness may be from the target, LU. Default 0.2.
    public var toleranceLU: Double
    /// Limiter timing; its ceiling comes from ``target``.
    public var limiter: LimiterOptions
    /// Frames per processing block.
    public var blockFrames: Int
    /// Keep the input's momentary and short-term loudness every 100 ms in the report (for plots).
    /// Default `false`.
    public var recordsLoudnessSeries: Bool
    /// Threads per run. Default ``RenderThreading/pipelined``.
    public var threading: RenderThreading
    /// Even out the loudness of speech over time before the linear gain (``LevelerPlan``). Default
    /// `false`: normalization stays one linear gain unless asked, and its output is what it was before
    /// the leveler existed, bit for bit.
    public var leveler = false
    /// How far the leveler brings each phrase toward the common speech level: 0 not at all, 1 all the
    /// way (within ±12 dB). Default 1: a quiet guest then comes out as loud as the host; 0.5 halves
    /// every gap instead, for a show that wants some of its dynamics kept.
    public var levelerStrength = 1.0

    public init(
        target: LoudnessTarget = LoudnessPreset.podcast.target,
        monoConvention: MonoConvention = .dualMono, maxGainDB: Double = 24,
        silence: SilenceOptions = SilenceOptions(), channels: ChannelRequest = .keep,
        encoder: EncoderSettings = EncoderSettings(format: .mp3),
        metadata: EpisodeMetadata = EpisodeMetadata(), chapters: ChapterList? = nil,
        verify: Bool = true, maxPasses: Int = 3, toleranceLU: Double = 0.2,
        limiter: LimiterOptions = LimiterOptions(), blockFrames: Int = 16_384,
        recordsLoudnessSeries: Bool = false, threading: RenderThreading = .pipelined
    ) {
        self.target = target
        self.monoConvention = monoConvention
        self.maxGainDB = maxGainDB
        self.silence = silence
        self.channels = channels
        self.encoder = encoder
        self.metadata = metadata
        self.chapters = chapters
        self.verify = verify
        self.maxPasses = maxPasses
        self.toleranceLU = toleranceLU
        self.limiter = limiter
        self.blockFrames = blockFrames
        self.recordsLoudnessSeries = recordsLoudnessSeries
        self.threading = threading
    }
}
