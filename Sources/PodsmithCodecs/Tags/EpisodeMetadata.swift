import PodsmithCore

/// What an episode's output file says about itself: the fields every encoder writes into its tags.
///
/// One model for all containers; each encoder maps it to its own format (ID3v2.4 frames for MP3,
/// Vorbis comments for FLAC and Opus). Unset fields are simply not written.
public struct EpisodeMetadata: Sendable, Equatable {
    /// Episode title (ID3 `TIT2`, Vorbis `TITLE`).
    public var title: String?
    /// Host or author (`TPE1`, `ARTIST`).
    public var artist: String?
    /// The show's name (`TALB`, `ALBUM`): podcast apps group episodes by it.
    public var album: String?
    /// Episode number (`TRCK`, `TRACKNUMBER`).
    public var episode: Int?
    /// Season number (`TPOS`, `DISCNUMBER`).
    public var season: Int?
    /// Release year, used when ``date`` is not set (`TDRC`, `DATE`).
    public var year: Int?
    /// Release date as ISO 8601 (`2026-11-27`); wins over ``year`` (`TDRC`, `DATE`).
    public var date: String?
    /// Genre (`TCON`, `GENRE`). Default: "Podcast".
    public var genre: String?
    /// Description or show notes (`COMM`, `DESCRIPTION` and `COMMENT`).
    public var comment: String?
    /// Cover art, embedded as the front cover.
    public var artwork: Artwork?
    /// Chapters, already timed for the output (see ``ChapterList/retimed(inputDuration:outputDuration:map:)``).
    public var chapters: ChapterList?
    /// The encoder credit (`TSSE`, `ENCODER`); encoders fill in their library when it is `nil`.
    public var encoder: String?

    public init(
        title: String? = nil, artist: String? = nil, album: String? = nil,
        episode: Int? = nil, season: Int? = nil, year: Int? = nil, date: String? = nil,
        genre: String? = "Podcast", comment: String? = nil, artwork: Artwork? = nil,
        chapters: ChapterList? = nil, encoder: String? = nil
    ) {
        self.title = title
        self.artist = artist
        self.album = album
        self.episode = episode
        self.season = season
        self.year = year
        self.date = date
        self.genre = genre
        self.comment = comment
        self.artwork = artwork
        self.chapters = chapters
        self.encoder = encoder
    }

    /// The recording date as tags store it: ``date`` if set, else ``year``.
    public var dateText: String? {
        if let date, !date.isEmpty { return date }
        return year.map { String($0) }
    }

    /// The encoder credit for tags: ``encoder`` or "Podsmith <version> (<library>)".
    func encoderCredit(library: String) -> String {
        encoder ?? "Podsmith \(PodsmithVersion.string) (\(library))"
    }
}
