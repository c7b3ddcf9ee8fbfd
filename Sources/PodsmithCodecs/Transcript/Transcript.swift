import Foundation
import PodsmithCore

/// A timed transcript of an episode: WebVTT or SubRip (SRT) cues, re-timed with every cut the way
/// chapters are, so the words stay on the audio they belong to.
///
/// Why we carry it: Apple Podcasts shows transcripts (`podcast:transcript`, WebVTT or SRT) and players
/// highlight the cue being heard; a transcript made from the raw recording is off by every trimmed
/// second and every shortened pause unless it is moved with them.
public struct Transcript: Sendable, Equatable {
    /// The file format a transcript was read from (and is written back as).
    public enum Format: String, Sendable, Equatable, CaseIterable {
        /// WebVTT (W3C WebVTT: the format of the Web's `<track>` element); MIME type `text/vtt`.
        case webVTT = "vtt"
        /// SubRip; MIME type `application/x-subrip` (the type Podcasting 2.0 lists for SRT).
        case srt

        /// The file extension, without the dot.
        public var fileExtension: String { rawValue }
        /// The MIME type a feed names (`podcast:transcript type=`).
        public var mimeType: String { self == .webVTT ? "text/vtt" : "application/x-subrip" }

        /// The format a file name's extension names (`.vtt`, `.srt`), or `nil`.
        public init?(pathExtension: String) {
            switch pathExtension.lowercased() {
            case "vtt", "webvtt": self = .webVTT
            case "srt": self = .srt
            default: return nil
            }
        }
    }

    /// One timed piece of text.
    public struct Cue: Sendable, Equatable {
        /// WebVTT's optional cue identifier (SRT's sequence numbers are not kept: they are renumbered).
        public var identifier: String?
        /// Start, seconds.
        public var start: Double
        /// End, seconds; after ``start``.
        public var end: Double
        /// WebVTT cue settings as written (`align:start line:90%`), kept unchanged.
        public var settings: String?
        /// The text, lines joined with `\n`, markup (voice tags `<v Host>`, `<i>`) kept as written.
        public var text: String

        public init(identifier: String? = nil, start: Double, end: Double, settings: String? = nil, text: String) {
            self.identifier = identifier
            self.start = start
            self.end = end
            self.settings = settings
            self.text = text
        }
    }

    /// The format it was read from.
    public var format: Format
    /// Cues in file order (start times never decrease).
    public var cues: [Cue]
    /// WebVTT's header text after `WEBVTT` and its `STYLE`/`REGION` blocks, kept verbatim (nothing for SRT).
    public var preamble: [String]

    public init(format: Format, cues: [Cue], preamble: [String] = []) {
        self.format = format
        self.cues = cues
        self.preamble = preamble
    }

    /// The largest transcript file read (a 10-hour episode's is a few MB): past this the file is not a
    /// transcript, and reading it whole would only cost memory.
    public static let maximumFileBytes = 32 << 20

    /// Reads and parses a transcript file; the format is taken from the extension (`.vtt`, `.srt`),
    /// else from the content (`WEBVTT` first).
    /// - Throws: ``PodsmithError/inputMissing(path:)``, ``PodsmithError/inputIsDirectory(path:)``,
    ///   ``PodsmithError/badTranscript(path:reason:)`` naming the line of the first problem.
    public static func load(path: String) throws -> Transcript {
        var info = stat()
        guard stat(path, &info) == 0 else { throw PodsmithError.inputMissing(path: path) }
        if (info.st_mode & S_IFMT) == S_IFDIR { throw PodsmithError.inputIsDirectory(path: path) }
        guard (info.st_mode & S_IFMT) == S_IFREG else {
            throw PodsmithError.badTranscript(path: path, reason: "not a regular file")
        }
        guard info.st_size <= maximumFileBytes else {
            throw PodsmithError.badTranscript(
                path: path,
                reason: "\(info.st_size) bytes is over the \(maximumFileBytes >> 20) MiB a transcript may have")
        }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw PodsmithError.inputUnreadable(path: path, reason: "cannot read the file")
        }
        let format = Format(pathExtension: (path as NSString).pathExtension)
        return try parse(data, format: format, name: path)
    }
}
