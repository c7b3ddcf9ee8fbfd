/// Everything that can go wrong in Podsmith, phrased for the person at the terminal.
///
/// Each message is one line that names the file and says what is wrong and, where it helps, what to
/// do. ``exitCode`` maps each case to the sysexits-style code the CLI documents:
/// 65 input is not usable audio, 66 input missing or unreadable, 73 output cannot be created,
/// 64 usage error, 70 internal error.
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
    /// The output would overwrite the input and the user did not ask for that.
    case outputIsInput(path: String)
    /// A command-line value is invalid (exit 64, like argument-parser's own usage errors).
    case usage(String)
    /// A chapters file (Podcasting 2.0 JSON chapters) cannot be used: not JSON, missing fields,
    /// impossible times.
    case badChapters(path: String, reason: String)
    /// An artwork file is not a JPEG or PNG image whose header can be read.
    case badArtwork(path: String, reason: String)
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
            return "\(path): output is the same file as the input; pass --in-place to overwrite it"
        case .usage(let message):
            return message
        case .badChapters(let path, let reason):
            return "\(path): unusable chapters: \(reason)"
        case .badArtwork(let path, let reason):
            return "\(path): unusable artwork: \(reason)"
        case .encoderFailed(let path, let reason):
            return "\(path): encoding failed: \(reason)"
        case .internalError(let message):
            return "internal error: \(message) (please report this)"
        }
    }

    /// The process exit code for this error (sysexits style).
    public var exitCode: Int32 {
        switch self {
        case .inputMissing, .inputUnreadable, .inputIsDirectory: return ExitStatus.inputMissing
        case .inputEmpty, .notAudio, .unsupportedAudio, .decodeFailed, .noProgramme, .badChapters,
             .badArtwork:
            return ExitStatus.dataError
        case .outputNotWritable: return ExitStatus.cannotCreateOutput
        case .outputIsInput, .usage: return ExitStatus.usage
        case .encoderFailed, .internalError: return ExitStatus.software
        }
    }
}

/// The exit codes every `podsmith` command uses (sysexits style).
public enum ExitStatus {
    /// Everything succeeded.
    public static let success: Int32 = 0
    /// Some of several inputs failed (the rest succeeded), or `lint` found problems.
    public static let someFailed: Int32 = 1
    /// Usage error (EX_USAGE).
    public static let usage: Int32 = 64
    /// Input is not usable audio (EX_DATAERR).
    public static let dataError: Int32 = 65
    /// Input missing or unreadable (EX_NOINPUT).
    public static let inputMissing: Int32 = 66
    /// Internal error (EX_SOFTWARE).
    public static let software: Int32 = 70
    /// Output cannot be created (EX_CANTCREAT).
    public static let cannotCreateOutput: Int32 = 73
}
