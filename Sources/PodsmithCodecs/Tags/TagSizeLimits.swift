import PodsmithCore

/// The size limits of the tag formats, checked before any audio is analysed.
///
/// Why up front: an ID3v2 tag's size is a 28-bit number (ID3v2.4 §3.1: at most 256 MiB) and a chapter's
/// image is embedded again in every chapter that shows it (ID3 has no way to share one APIC between
/// CHAP frames), so 300 chapters sharing a 1 MiB slide ask for a 300 MiB tag; FLAC's metadata blocks
/// have 24-bit lengths (RFC 9639 §8.1: at most 16 MiB). Found after an hour of analysis and encoding,
/// such metadata would cost the whole run; found here it costs nothing. The bounds are computed from the
/// metadata, never by building the tag, and are upper bounds (re-timing only ever drops chapters).
public enum TagSizeLimits {
    /// The largest ID3v2 tag body (everything after the 10-byte header, padding included): 2²⁸ − 1 bytes.
    public static let id3BodyBytes = (1 << 28) - 1
    /// Room kept for the writer's padding and the fields only known at the end (`TLEN`, `TSSE`).
    static let id3Reserve = 64 << 10
    /// The largest FLAC metadata block body: 2²⁴ − 1 bytes.
    public static let flacBlockBytes = (1 << 24) - 1

    /// Refuses metadata no `format` file can carry.
    /// - Parameters:
    ///   - chapters: the chapters as read (before re-timing); `nil` uses `metadata.chapters`.
    ///   - chaptersPath, artworkPath: named in the error (the file the user can change).
    /// - Throws: ``PodsmithError/badChapters(path:reason:)`` when chapters (with their images) overflow the
    ///   tag; else ``PodsmithError/badArtwork(path:reason:)`` (ID3) or ``PodsmithError/invalidSetting(_:)``
    ///   naming the format (FLAC text fields).
    public static func check(
        metadata: EpisodeMetadata, chapters: ChapterList?, format: OutputFormat, chaptersPath: String?,
        artworkPath: String?
    ) throws(PodsmithError) {
        let list = chapters ?? metadata.chapters
        switch format {
        case .mp3:
            let bytes = ID3v2Writer.bodySizeBound(metadata: metadata, chapters: list) + id3Reserve
            guard bytes > id3BodyBytes else { return }
            let reason =
                "the ID3v2 tag would need about \(bytes >> 20) MiB; an ID3v2 tag holds at most 256 MiB, and each "
                + "chapter embeds its own copy of its image: use fewer or smaller chapter images"
            var bare = metadata
            bare.chapters = nil
            if list != nil, ID3v2Writer.bodySizeBound(metadata: bare, chapters: nil) + id3Reserve <= id3BodyBytes {
                throw .badChapters(path: chaptersPath ?? "<chapters>", reason: reason)
            }
            throw .badArtwork(path: artworkPath ?? "<artwork>", reason: reason)
        case .flac:
            let bytes = VorbisComments.blockSizeBound(metadata: metadata, chapters: list)
            guard bytes > flacBlockBytes else { return }
            let reason =
                "the FLAC comment block would need \(bytes) bytes; a FLAC metadata block holds at most "
                + "\(flacBlockBytes) (16 MiB)"
            if let list, !list.chapters.isEmpty {
                throw .badChapters(path: chaptersPath ?? "<chapters>", reason: reason)
            }
            throw .invalidSetting(SettingIssue(.format, value: "flac", rule: "cannot carry these tags: " + reason))
        case .opus, .wav, .m4a:
            // Their tags have no bound below what the artwork cap already lets through (Ogg pages chain,
            // MP4 boxes have 32- or 64-bit sizes), and M4A chapters are a text track without images.
            return
        }
    }
}

extension ID3v2Writer {
    /// An upper bound of the bytes ``frames()`` writes for `metadata` with `chapters` (all of them kept),
    /// without building anything.
    static func bodySizeBound(metadata m: EpisodeMetadata, chapters: ChapterList?) -> Int {
        let frameHeader = 10
        func text(_ value: String?) -> Int { value.map { frameHeader + 1 + $0.utf8.count } ?? 0 }
        var total = 0
        for value in [m.title, m.artist, m.album, m.dateText, m.genre] { total += text(value) }
        total += 2 * (frameHeader + 1 + 20)  // TRCK, TPOS
        total += m.comment.map { frameHeader + 5 + $0.utf8.count } ?? 0
        total += m.encoder.map { frameHeader + 1 + $0.utf8.count } ?? 0
        total += m.artwork.map { frameHeader + pictureBody($0).count } ?? 0
        guard let list = chapters else { return total }
        for chapter in list.chapters {
            total += frameHeader + 24 + 16  // CHAP: element ID, times and offsets
            total += text(chapter.title)
            total += chapter.url.map { frameHeader + 2 + 3 * $0.utf8.count } ?? 0  // WXXX, percent-encoded
            if let img = chapter.img, let art = list.localImages[img] {
                total += frameHeader + 5 + art.mimeType.utf8.count + art.data.count
            }
            total += 25  // its entry in the CTOC
        }
        return total + frameHeader + 6
    }
}

extension VorbisComments {
    /// An upper bound of the VORBIS_COMMENT block's bytes (RFC 9639 §8.6: vendor string, count, and per
    /// comment a 32-bit length and `NAME=value`), every chapter counted.
    static func blockSizeBound(metadata m: EpisodeMetadata, chapters: ChapterList?) -> Int {
        var copy = m
        copy.chapters = nil
        var total = 8 + 256  // lengths, count and the vendor string
        for (name, value) in fields(for: copy, duration: nil, encoderLibrary: "") {
            total += 4 + name.utf8.count + 1 + value.utf8.count
        }
        for chapter in chapters?.chapters ?? [] {
            total += 3 * (4 + 20) + 12 + (chapter.title?.utf8.count ?? 0) + (chapter.url?.utf8.count ?? 0)
        }
        return total
    }
}
