import PodsmithCore

/// The Vorbis comment fields (`NAME=value`) FLAC and Ogg Opus files carry for an episode.
///
/// Field names follow the Xiph "Vorbis comment" recommendations (TITLE, ARTIST, ALBUM,
/// TRACKNUMBER, DISCNUMBER, DATE, GENRE, DESCRIPTION) plus the chapter convention players and
/// ffmpeg read: `CHAPTER001=HH:MM:SS.mmm` and `CHAPTER001NAME=…` (and `CHAPTER001URL`), numbered
/// from 001 in time order. Vorbis comments cannot mark a chapter hidden, so `toc: false` chapters
/// are left out. Pictures are not here: each container stores them its own way.
enum VorbisComments {
    /// The fields, in a stable order.
    /// - Parameters:
    ///   - duration: output length in seconds (chapters at or after it are dropped), if known.
    ///   - encoderLibrary: credited in ENCODER when the metadata names no encoder.
    static func fields(for m: EpisodeMetadata, duration: Double?, encoderLibrary: String) -> [(String, String)] {
        var out: [(String, String)] = []
        func add(_ name: String, _ value: String?) {
            if let value = value.map(TagText.clean), !value.isEmpty { out.append((name, value)) }
        }
        add("TITLE", m.title)
        add("ARTIST", m.artist)
        add("ALBUM", m.album)
        add("TRACKNUMBER", m.episode.map(String.init))
        add("DISCNUMBER", m.season.map(String.init))
        add("DATE", m.dateText)
        add("GENRE", m.genre)
        add("DESCRIPTION", m.comment)
        add("COMMENT", m.comment)
        add("ENCODER", m.encoderCredit(library: encoderLibrary))
        if let list = m.chapters {
            let spans = list.spans(duration: duration ?? .greatestFiniteMagnitude)
                .filter(\.chapter.isInTableOfContents)
            let width = max(3, String(spans.count).count)
            for (i, span) in spans.enumerated() {
                var number = String(i + 1)
                number = String(repeating: "0", count: width - number.count) + number
                add("CHAPTER\(number)", timestamp(span.start))
                add("CHAPTER\(number)NAME", span.chapter.title)
                add("CHAPTER\(number)URL", span.chapter.url)
            }
        }
        return out
    }

    /// Seconds as `HH:MM:SS.mmm`, rounded to the millisecond.
    static func timestamp(_ seconds: Double) -> String {
        let totalMs = Int((max(0, seconds) * 1000).rounded())
        let ms = totalMs % 1000, s = totalMs / 1000 % 60, m = totalMs / 60_000 % 60, h = totalMs / 3_600_000
        func pad(_ v: Int, _ n: Int) -> String {
            let text = String(v)
            return String(repeating: "0", count: max(0, n - text.count)) + text
        }
        return "\(pad(h, 2)):\(pad(m, 2)):\(pad(s, 2)).\(pad(ms, 3))"
    }
}
