/// The iTunes metadata of an M4A file, as libavformat's MP4 muxer takes it: its metadata keys, which it
/// writes as the `ilst` items (`title` → `©nam`, `artist` → `©ART`, `album` → `©alb`, `date` → `©day`,
/// `genre` → `©gen`, `comment` → `©cmt`, `track` → `trkn`, `disc` → `disk`, `encoding_tool` → `©too`;
/// its `encoder` key is its own name, set while it writes the header).
/// The cover and the chapters are not tags there: ``M4AEncoder`` writes them as an attached picture and
/// as chapters.
enum M4ATags {
    /// Key–value pairs in a fixed order; unset fields are left out.
    static func fields(for m: EpisodeMetadata, encoderLibrary: String) -> [(String, String)] {
        var fields: [(String, String)] = []
        func add(_ key: String, _ value: String?) {
            if let value, !value.isEmpty { fields.append((key, value)) }
        }
        add("title", m.title)
        add("artist", m.artist)
        add("album", m.album)
        add("track", m.episode.map(String.init))
        add("disc", m.season.map(String.init))
        add("date", m.dateText)
        add("genre", m.genre)
        add("comment", m.comment)
        add("encoding_tool", m.encoderCredit(library: encoderLibrary))
        return fields
    }
}
