import PodsmithCore

/// Builds an ID3v2.4 tag, chapters included, as bytes to put in front of an MP3 stream.
///
/// Why our own writer: LAME's id3tag API writes ID3v2.3/2.4 text and pictures but not the chapter
/// frames (`CHAP`, `CTOC`) podcast apps read, so we write the whole tag ourselves.
///
/// Structure (ID3v2.4.0 "Main Structure" and "Native Frames"; "ID3v2 Chapter Frame Addendum" 1.0):
/// a 10-byte header (`ID3`, version 4.0, flags 0, synchsafe size), then frames, each a 10-byte
/// header (ID, synchsafe size, flags 0) and a body, then zero padding so that a later, slightly
/// larger tag (e.g. with the final duration) can be written in place. Text is UTF-8 (encoding byte
/// 0x03, §4.2). No unsynchronisation, extended header or footer.
public struct ID3v2Writer: Sendable {
    /// The metadata to write.
    public var metadata: EpisodeMetadata
    /// Audio length in milliseconds (`TLEN`); chapter ends are clamped to it. `nil` omits `TLEN`
    /// and ends the last chapter at its own `endTime` or start.
    public var durationMilliseconds: Int?
    /// The encoder credit for `TSSE` when the metadata has none.
    public var encoderLibrary: String

    /// ID3v2.4 §3.1: a CTOC frame's entry count is one byte.
    public static let maximumChapterCount = 255

    public init(metadata: EpisodeMetadata, durationMilliseconds: Int?, encoderLibrary: String) {
        self.metadata = metadata
        self.durationMilliseconds = durationMilliseconds
        self.encoderLibrary = encoderLibrary
    }

    /// The frames (no header, no padding).
    /// - Throws: ``PodsmithError/badChapters(path:reason:)`` if there are more table-of-contents
    ///   chapters than a CTOC frame can list.
    ///   ``TagSizeLimits/check(metadata:chapters:format:chaptersPath:artworkPath:)``'s errors when the
    ///   frames could not fit in an ID3v2 tag (so no frame size ever overflows its 28 bits).
    public func frames() throws -> [UInt8] {
        try TagSizeLimits.check(metadata: metadata, chapters: nil, format: .mp3, chaptersPath: nil, artworkPath: nil)
        var out: [UInt8] = []
        func text(_ id: String, _ value: String?) {
            guard let value, !value.isEmpty else { return }
            Self.appendFrame(id, body: [0x03] + TagText.bytes(value), to: &out)
        }
        let m = metadata
        text("TIT2", m.title)
        text("TPE1", m.artist)
        text("TALB", m.album)
        text("TRCK", m.episode.map(String.init))
        text("TPOS", m.season.map(String.init))
        text("TDRC", m.dateText)
        text("TCON", m.genre)
        if let comment = m.comment, !comment.isEmpty {
            // §4.10 COMM: encoding, language, empty short description (terminated), text.
            Self.appendFrame("COMM", body: [0x03] + Array("eng".utf8) + [0x00] + TagText.bytes(comment), to: &out)
        }
        text("TSSE", m.encoderCredit(library: encoderLibrary))
        text("TLEN", durationMilliseconds.map(String.init))
        if let art = m.artwork {
            Self.appendFrame("APIC", body: Self.pictureBody(art), to: &out)
        }
        if let list = m.chapters { try appendChapters(list, to: &out) }
        return out
    }

    /// The complete tag: header, frames and at least `padding` zero bytes; when `totalSize` is
    /// given, padded to exactly that many bytes.
    /// - Returns: `nil` if the frames do not fit in `totalSize`.
    /// - Throws: as ``frames()``; ``PodsmithError/badArtwork(path:reason:)`` if the padded tag would pass 256 MiB.
    public func tag(padding: Int = 2048, totalSize: Int? = nil) throws -> [UInt8]? {
        let body = try frames()
        let size = totalSize ?? (10 + body.count + padding)
        guard size - 10 <= TagSizeLimits.id3BodyBytes else {
            throw PodsmithError.badArtwork(
                path: "<tag>", reason: "an ID3v2 tag of \(size) bytes; ID3v2 holds at most 256 MiB")
        }
        guard size >= 10 + body.count else { return nil }
        var out: [UInt8] = Array("ID3".utf8) + [0x04, 0x00, 0x00]
        out += Self.synchsafe(size - 10)
        out += body
        out += [UInt8](repeating: 0, count: size - out.count)
        return out
    }

    // MARK: - Chapters

    /// One CHAP per chapter (element IDs `chp0`, `chp1`, …) and one top-level, ordered CTOC
    /// (`toc`) listing the table-of-contents chapters in time order. Chapters marked `toc: false`
    /// get a CHAP but stay out of the CTOC, as the addendum intends for hidden chapters.
    private func appendChapters(_ list: ChapterList, to out: inout [UInt8]) throws {
        let durationSeconds = durationMilliseconds.map { Double($0) / 1000 } ?? Double.greatestFiniteMagnitude
        let spans = list.spans(duration: durationSeconds)
        guard !spans.isEmpty else { return }
        let tocCount = spans.filter(\.chapter.isInTableOfContents).count
        guard tocCount <= Self.maximumChapterCount else {
            throw PodsmithError.badChapters(
                path: "<chapters>",
                reason: "\(tocCount) chapters; an ID3v2 table of contents lists at most \(Self.maximumChapterCount)")
        }
        var tocIDs: [String] = []
        for (index, span) in spans.enumerated() {
            let id = "chp\(index)"
            if span.chapter.isInTableOfContents { tocIDs.append(id) }
            // Addendum §3: element ID, start and end time (ms), start and end byte offsets
            // (0xFFFFFFFF: not given, times are authoritative), then embedded frames.
            var body = Array(id.utf8) + [0x00]
            body += Self.be32(UInt32(clamping: Int((span.start * 1000).rounded())))
            let endSeconds = span.end == Double.greatestFiniteMagnitude ? span.start : span.end
            body += Self.be32(UInt32(clamping: Int((endSeconds * 1000).rounded())))
            body += [0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF]
            if let title = span.chapter.title, !title.isEmpty {
                Self.appendFrame("TIT2", body: [0x03] + TagText.bytes(title), to: &body)
            }
            if let url = span.chapter.url, !url.isEmpty {
                // §4.3.2 WXXX: encoding, empty description (terminated), URL in ISO-8859-1.
                Self.appendFrame("WXXX", body: [0x03, 0x00] + Self.latin1(TagText.clean(url)), to: &body)
            }
            if let img = span.chapter.img, let art = list.localImages[img] {
                Self.appendFrame("APIC", body: Self.pictureBody(art), to: &body)
            }
            Self.appendFrame("CHAP", body: body, to: &out)
        }
        if !tocIDs.isEmpty {
            // Addendum §4: element ID, flags (0x02 top-level | 0x01 ordered), entry count, IDs.
            var body = Array("toc".utf8) + [0x00, 0x03, UInt8(tocIDs.count)]
            for id in tocIDs { body += Array(id.utf8) + [0x00] }
            Self.appendFrame("CTOC", body: body, to: &out)
        }
    }

    // MARK: - Encoding helpers

    /// §4.14 APIC: encoding, MIME type (ISO-8859-1, terminated), picture type 3 (front cover),
    /// empty description (terminated), image data.
    static func pictureBody(_ art: Artwork) -> [UInt8] {
        [0x03] + Array(art.mimeType.utf8) + [0x00, 0x03, 0x00] + art.data
    }

    static func appendFrame(_ id: String, body: [UInt8], to out: inout [UInt8]) {
        out += Array(id.utf8)
        out += synchsafe(body.count)
        out += [0x00, 0x00]
        out += body
    }

    /// A 28-bit integer as four 7-bit bytes (ID3v2.4 §6.2), so a size never contains 0xFF.
    static func synchsafe(_ value: Int) -> [UInt8] {
        precondition(value >= 0 && value < 1 << 28, "ID3v2 sizes are at most 256 MB")
        return [UInt8(value >> 21 & 0x7F), UInt8(value >> 14 & 0x7F), UInt8(value >> 7 & 0x7F), UInt8(value & 0x7F)]
    }

    static func be32(_ v: UInt32) -> [UInt8] {
        [UInt8(v >> 24), UInt8(v >> 16 & 0xFF), UInt8(v >> 8 & 0xFF), UInt8(v & 0xFF)]
    }

    /// URLs are ISO-8859-1 in ID3 (§4.3); characters outside it are percent-encoded as UTF-8.
    static func latin1(_ s: String) -> [UInt8] {
        var out: [UInt8] = []
        for scalar in s.unicodeScalars {
            if scalar.value < 0x80 {
                out.append(UInt8(scalar.value))
            } else {
                let hex = Array("0123456789ABCDEF".utf8)
                for byte in String(scalar).utf8 { out += [0x25, hex[Int(byte >> 4)], hex[Int(byte & 0xF)]] }
            }
        }
        return out
    }
}
