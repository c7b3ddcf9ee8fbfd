/// An ``AudioSource`` that can start reading anywhere: what the normalizer needs from its input.
///
/// Why: normalizing reads the programme several times (analysis, the codec probe's excerpts, trial
/// renders, each render pass), so it needs a source it can rewind and seek, not a stream. Any such
/// source will do: a decoded file (``SoundFileReader``), an in-memory clip (``ArraySource``), or a
/// host's own decoder, so that a host can normalize without writing its audio to a file first.
public protocol SeekableAudioSource: AudioSource {
    /// Moves the read position to `frame` frames from the start.
    func seek(toFrame frame: Int64) throws
    /// The input's own tags (lower-case keys: `title`, `artist`, `date`, `track` …), carried into the
    /// output's where the user gave none. Empty by default.
    var tags: [String: String] { get }
    /// NaN and infinite samples replaced by silence so far, for the report's warning. 0 by default.
    var nonFiniteSampleCount: Int { get }
    /// A second reader of the same audio with its own read position, for work that reads two parts
    /// of the programme at once on two threads (a split trial render); `nil` (the default) when the
    /// source cannot be read twice at once, and the parts are then read one after the other.
    func independentReader() throws -> (any SeekableAudioSource)?
}

extension SeekableAudioSource {
    public var tags: [String: String] { [:] }
    public var nonFiniteSampleCount: Int { 0 }
    public func independentReader() throws -> (any SeekableAudioSource)? { nil }
}

extension SoundFileReader: SeekableAudioSource {}
