import Foundation
import PodsmithCore

/// One chapter in the Podcasting 2.0 JSON chapters format.
///
/// Field names and meanings follow the Podcast Namespace "JSON Chapters Format" (version 1.2):
/// `startTime` (seconds, required), `title`, `img`, `url`, `toc`, `endTime`. `location` is not kept.
public struct Chapter: Codable, Sendable, Equatable {
    /// Where the chapter begins, in seconds from the start of the audio.
    public var startTime: Double
    /// The chapter's name.
    public var title: String?
    /// A web page for the chapter.
    public var url: String?
    /// An image for the chapter: a URL, or a file path (relative to the chapters file).
    public var img: String?
    /// Where the chapter ends, in seconds; when absent it ends where the next one starts.
    public var endTime: Double?
    /// `false` marks a "silent" chapter (e.g. an image change) that players keep out of the table of
    /// contents. Absent means `true`.
    public var toc: Bool?

    public init(
        startTime: Double, title: String? = nil, url: String? = nil, img: String? = nil,
        endTime: Double? = nil, toc: Bool? = nil
    ) {
        self.startTime = startTime
        self.title = title
        self.url = url
        self.img = img
        self.endTime = endTime
        self.toc = toc
    }

    /// Whether the chapter belongs in the table of contents (`toc` absent or `true`).
    public var isInTableOfContents: Bool { toc ?? true }

    /// Whether ``img`` names a local file rather than a URL.
    public var hasLocalImage: Bool {
        guard let img, !img.isEmpty else { return false }
        return !(img.hasPrefix("http://") || img.hasPrefix("https://"))
    }
}

/// A chapter with its resolved end, ready for a tag: CHAP frames and Vorbis `CHAPTERnnn` need both.
public struct ChapterSpan: Sendable, Equatable {
    /// The chapter's start, in seconds.
    public var start: Double
    /// The chapter's end, in seconds (explicit `endTime`, else the next chapter's start, else the
    /// end of the audio; never past the end of the audio).
    public var end: Double
    /// The chapter itself.
    public var chapter: Chapter
}

/// A Podcasting 2.0 JSON chapters document: parse, re-time for an edited episode, write back.
///
/// Why re-timing lives here: trimming silence and cutting pauses shorten the episode, so every
/// chapter start written for the raw recording would drift later and later. The pipeline hands us
/// its map from input seconds to output seconds and we move the chapters with the audio.
public struct ChapterList: Codable, Sendable, Equatable {
    /// The format version the document claims (required by the format; "1.2.0" today).
    public var version: String
    /// The chapters, in ascending `startTime` after parsing.
    public var chapters: [Chapter]
    /// Optional document-level fields of the format, kept when writing back.
    public var author: String?
    public var title: String?
    public var podcastName: String?
    public var description: String?

    /// Images of chapters whose `img` is a local file, keyed by the `img` string. Filled by
    /// ``load(path:)``; not part of the JSON.
    public var localImages: [String: Artwork] = [:]

    private enum CodingKeys: String, CodingKey {
        case version, chapters, author, title, podcastName, description
    }

    public init(
        version: String = "1.2.0", chapters: [Chapter], author: String? = nil,
        title: String? = nil, podcastName: String? = nil, description: String? = nil
    ) {
        self.version = version
        self.chapters = chapters
        self.author = author
        self.title = title
        self.podcastName = podcastName
        self.description = description
    }

    // MARK: - Parsing

    /// The largest chapters file read: 16 MiB is some 100,000 chapters, and bounds the memory a
    /// mistaken `--chapters /dev/urandom`-like file can take.
    public static let maximumFileBytes = 16 << 20

    /// Reads a chapters file (a regular file of at most ``maximumFileBytes`` bytes), validates it and loads the chapter images that are local files
    /// (relative paths are taken from the chapters file's folder).
    /// - Throws: ``PodsmithError/inputMissing(path:)`` if absent;
    ///   ``PodsmithError/badChapters(path:reason:)`` naming the first problem (JSON syntax, missing
    ///   or mistyped field with its path, e.g. `chapters[3].startTime`, impossible times);
    ///   ``PodsmithError/badArtwork(path:reason:)`` for an unusable chapter image; a chapters file that
    ///   is not a regular file or is too large is ``PodsmithError/badChapters(path:reason:)``.
    public static func load(path: String) throws -> ChapterList {
        let data: [UInt8]
        do throws(RegularFileReader.Problem) {
            data = try RegularFileReader.contents(of: path, limit: maximumFileBytes)
        } catch {
            switch error {
            case .missing: throw PodsmithError.inputMissing(path: path)
            case .directory: throw PodsmithError.inputIsDirectory(path: path)
            case .unreadable(let reason): throw PodsmithError.inputUnreadable(path: path, reason: reason)
            case .notRegularFile, .tooLarge: throw PodsmithError.badChapters(path: path, reason: error.description)
            }
        }
        var list = try parse(Data(data), name: path)
        let folder = PathText.deletingLastComponent(path)
        for chapter in list.chapters where chapter.hasLocalImage {
            let img = chapter.img!
            guard list.localImages[img] == nil else { continue }
            let imagePath = img.hasPrefix("/") ? img : (folder.isEmpty ? img : folder + "/" + img)
            list.localImages[img] = try Artwork(contentsOf: imagePath)
        }
        return list
    }

    /// Parses and validates a chapters document; sorts the chapters by start time.
    /// - Parameter name: the file name for error messages.
    public static func parse(_ data: Data, name: String = "<chapters>") throws -> ChapterList {
        var list: ChapterList
        do {
            list = try JSONDecoder().decode(ChapterList.self, from: data)
        } catch let error as DecodingError {
            throw PodsmithError.badChapters(path: name, reason: describe(error))
        } catch {
            throw PodsmithError.badChapters(path: name, reason: "not valid JSON (\(error))")
        }
        guard !list.version.isEmpty else {
            throw PodsmithError.badChapters(path: name, reason: "\"version\" is empty")
        }
        for (i, chapter) in list.chapters.enumerated() {
            guard chapter.startTime.isFinite, chapter.startTime >= 0 else {
                throw PodsmithError.badChapters(
                    path: name, reason: "chapters[\(i)].startTime is \(chapter.startTime); it must be 0 or more seconds"
                )
            }
            if let end = chapter.endTime {
                guard end.isFinite, end >= chapter.startTime else {
                    throw PodsmithError.badChapters(
                        path: name,
                        reason: "chapters[\(i)].endTime \(end) is before its startTime \(chapter.startTime)")
                }
            }
        }
        // The format does not require order; players and ID3 CTOC do. A stable sort keeps the
        // author's order among chapters that start together.
        list.chapters = list.chapters.enumerated()
            .sorted { ($0.element.startTime, $0.offset) < ($1.element.startTime, $1.offset) }
            .map(\.element)
        return list
    }

    /// One line saying which field is wrong and where, from a decoder error.
    private static func describe(_ error: DecodingError) -> String {
        func path(_ codingPath: [CodingKey]) -> String {
            var text = ""
            for key in codingPath {
                if let index = key.intValue {
                    text += "[\(index)]"
                } else {
                    text += (text.isEmpty ? "" : ".") + key.stringValue
                }
            }
            return text.isEmpty ? "the document" : text
        }
        switch error {
        case .keyNotFound(let key, let context):
            let parent = context.codingPath.isEmpty ? "the document" : path(context.codingPath)
            return "\(parent) has no \"\(key.stringValue)\""
        case .typeMismatch(let type, let context):
            return "\(path(context.codingPath)) should be \(typeName(type))"
        case .valueNotFound(let type, let context):
            return "\(path(context.codingPath)) is null; it should be \(typeName(type))"
        case .dataCorrupted(let context):
            if context.codingPath.isEmpty {
                let underlying = (context.underlyingError as NSError?)?.userInfo[NSDebugDescriptionErrorKey] as? String
                return "not valid JSON" + (underlying.map { " (\($0))" } ?? "")
            }
            return "\(path(context.codingPath)): \(context.debugDescription)"
        @unknown default:
            return "\(error)"
        }
    }

    private static func typeName(_ type: Any.Type) -> String {
        switch type {
        case is Double.Type, is Float.Type, is Int.Type: return "a number"
        case is String.Type: return "a string"
        case is Bool.Type: return "true or false"
        case is [Chapter].Type: return "an array of chapters"
        default: return "\(type)"
        }
    }

    // MARK: - Writing

    /// The document as pretty-printed JSON with sorted keys (stable, diff-friendly output).
    public func jsonData() throws -> Data {
        try JSONEncoder.podsmith.encode(self)
    }

    /// Writes the document to `path` (e.g. `STEM.chapters.json` beside the output).
    /// - Throws: ``PodsmithError/outputNotWritable(path:reason:)``.
    public func write(to path: String) throws {
        do {
            try jsonData().write(to: URL(fileURLWithPath: path), options: .atomic)
        } catch {
            throw PodsmithError.outputNotWritable(path: path, reason: error.localizedDescription)
        }
    }

    // MARK: - Re-timing

    /// The chapters moved through an edit of the audio.
    ///
    /// - Parameters:
    ///   - inputDuration: length of the input audio in seconds (the search for a kept instant stops here).
    ///   - outputDuration: length of the output audio in seconds; ends are clamped to it.
    ///   - map: output seconds for an input instant that is kept, `nil` for one that was removed.
    ///     (A map may also send removed instants straight to the next kept instant's output time;
    ///     both work.)
    /// - Returns: chapters whose starts fell in a removed region moved to the next kept instant;
    ///   chapters left empty (nothing of them kept, or collapsed onto the next chapter's start, or
    ///   starting at or after the output's end) dropped; `endTime` mapped and clamped to
    ///   `outputDuration`; times rounded to the millisecond.
    public func retimed(
        inputDuration: Double, outputDuration: Double,
        map: (Double) -> Double?
    ) -> ChapterList {
        // The last search's answer, for starts and for ends separately: every instant from `from` up to `kept`
        // (or to the end, when nothing is kept) was found removed, so a later instant inside that stretch
        // has the same next kept instant. Chapters come sorted, so thousands of them inside one trimmed
        // tail cost one scan of it, not one each (linear, not quadratic, in the input's length).
        var searches: [(from: Double, kept: Double?)?] = [nil, nil]
        func mapped(_ t: Double, search: Int) -> Double? {
            if let out = map(t) { return out }
            if let last = searches[search], t >= last.from, t < (last.kept ?? .infinity) {
                return last.kept.flatMap(map)
            }
            let kept = Self.nextKeptInstant(after: t, inputDuration: inputDuration, map: map)
            searches[search] = (t, kept)
            return kept.flatMap(map)
        }
        func ms(_ t: Double) -> Double { (t * 1000).rounded() / 1000 }

        var moved: [Chapter] = []
        for chapter in chapters {
            guard let start = mapped(chapter.startTime, search: 0).map(ms), start < outputDuration else { continue }
            var copy = chapter
            copy.startTime = start
            if let end = chapter.endTime {
                let newEnd = min(ms(mapped(end, search: 1) ?? outputDuration), outputDuration)
                guard newEnd > start else { continue }  // nothing of it was kept
                copy.endTime = newEnd
            }
            // Two chapters collapsed onto one instant: the earlier one lost all its audio.
            if let last = moved.last, last.startTime == start, last.isInTableOfContents == copy.isInTableOfContents {
                moved.removeLast()
            }
            moved.append(copy)
        }
        var result = self
        result.chapters = moved
        return result
    }

    /// The first instant after `t` that `map` keeps: a forward scan in 10 ms steps, then bisection
    /// to 1 µs. `nil` if nothing up to `inputDuration` is kept.
    static func nextKeptInstant(after t: Double, inputDuration: Double, map: (Double) -> Double?) -> Double? {
        let step = 0.01
        var removed = t
        var probe = t + step
        while probe < inputDuration + step {
            let candidate = min(probe, inputDuration)
            if map(candidate) != nil {
                var kept = candidate
                while kept - removed > 1e-6 {
                    let mid = (removed + kept) / 2
                    if map(mid) != nil { kept = mid } else { removed = mid }
                }
                return kept
            }
            removed = candidate
            probe += step
        }
        return nil
    }

    // MARK: - Spans for tags

    /// Every chapter with its resolved end, in order, for the encoders.
    ///
    /// A chapter without `endTime` ends where the next chapter of the same kind starts (table of
    /// contents chapters skip the silent `toc: false` ones, which only mark image changes), else at
    /// `duration`. Chapters starting at or after `duration` are left out.
    public func spans(duration: Double) -> [ChapterSpan] {
        var result: [ChapterSpan] = []
        for (i, chapter) in chapters.enumerated() where chapter.startTime < duration {
            let next = chapters[(i + 1)...].first {
                $0.startTime > chapter.startTime && $0.isInTableOfContents == chapter.isInTableOfContents
            }
            let end = min(chapter.endTime ?? next?.startTime ?? duration, duration)
            result.append(ChapterSpan(start: chapter.startTime, end: max(end, chapter.startTime), chapter: chapter))
        }
        return result
    }
}
