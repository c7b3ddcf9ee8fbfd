/// Everything that can go wrong in Podsmith, phrased for a person who can act on it.
///
/// Each message is one line that names the file and says what is wrong and, where it helps, what to
/// do. The library speaks of files and settings, never of command-line flags or exit codes: a front end
/// (the `podsmith` CLI, a season manifest, a host app) phrases ``invalidSetting(_:)`` in its own terms
/// and maps the cases to its own outcomes.
public enum PodsmithError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The input path does not exist (or is a dangling symlink).
    case inputMissing(path: String)
    /// The input exists but cannot be opened for reading.
    case inputUnreadable(path: String, reason: String)
    /// The input is a directory, not a file.
    case inputIsDirectory(path: String)
    /// The input is a zero-byte file.
    case inputEmpty(path: String)
    /// The input is not audio libsndfile can decode (corrupt, truncated, unknown format).
    case notAudio(path: String, reason: String)
    /// The input is audio, but outside what Podsmith handles (channels, sample rate).
    case unsupportedAudio(path: String, reason: String)
    /// Decoding failed part-way through the file.
    case decodeFailed(path: String, reason: String)
    /// Nothing in the input is louder than the absolute gate (−70 LUFS), so there is nothing to
    /// normalize: boosting it would only raise noise.
    case noProgramme(path: String)
    /// The output (or its folder) cannot be created or written.
    case outputNotWritable(path: String, reason: String)
    /// The output would overwrite the input and the caller did not ask for that (`inPlace`).
    case outputIsInput(path: String)
    /// A file the job writes beside its output (`sidecar`, e.g. `STEM.chapters.json`) is one of its inputs
    /// (`input`, described by `role`): writing it would destroy that input. Nothing has been read or written.
    case sidecarIsInput(sidecar: String, input: String, role: String)
    /// A setting no encoder or normalization can take (see ``SettingIssue``); nothing has been written.
    case invalidSetting(SettingIssue)
    /// A chapters file (Podcasting 2.0 JSON chapters) cannot be used: not JSON, missing fields,
    /// impossible times.
    case badChapters(path: String, reason: String)
    /// An artwork file is not a JPEG or PNG image whose header can be read.
    case badArtwork(path: String, reason: String)
    /// A transcript (WebVTT or SRT) cannot be used; the reason names the line.
    case badTranscript(path: String, reason: String)
    /// An encoder or C library reported an error we did not expect.
    case encoderFailed(path: String, reason: String)
    /// A bug or an impossible state; please report it.
    case internalError(String)

    public var description: String {
        switch self {
        case .inputMissing(let path):
            return "\(path): no such file"
        case .inputUnreadable(let path, let reason):
            return "\(path): cannot be read: \(reason)"
        case .inputIsDirectory(let path):
            return "\(path): is a directory, not an audio file"
        case .inputEmpty(let path):
            return "\(path): is empty (0 bytes), not an audio file"
        case .notAudio(let path, let reason):
            return "\(path): not a readable audio file: \(reason)"
        case .unsupportedAudio(let path, let reason):
            return "\(path): unsupported audio: \(reason)"
        case .decodeFailed(let path, let reason):
            return "\(path): decoding failed: \(reason)"
        case .noProgramme(let path):
            return "\(path): nothing above the -70 LUFS gate (silence or near-silence); refusing to normalize it"
        case .outputNotWritable(let path, let reason):
            return "\(path): cannot write output: \(reason)"
        case .outputIsInput(let path):
            return "\(path): output is the same file as the input; refusing to overwrite the input unless asked to"
        case .sidecarIsInput(let sidecar, let input, let role):
            return "\(sidecar): would be written over the \(role) \(input); choose another output name"
        case .invalidSetting(let issue):
            return issue.description
        case .badChapters(let path, let reason):
            return "\(path): unusable chapters: \(reason)"
        case .badArtwork(let path, let reason):
            return "\(path): unusable artwork: \(reason)"
        case .badTranscript(let path, let reason):
            return "\(path): unusable transcript: \(reason)"
        case .encoderFailed(let path, let reason):
            return "\(path): encoding failed: \(reason)"
        case .internalError(let message):
            return "internal error: \(message) (please report this)"
        }
    }
}
