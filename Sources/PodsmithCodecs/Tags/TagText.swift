/// Text as every tag format writes it: with NUL characters removed.
///
/// Why one rule: a NUL means something different in each format. In ID3v2.4 it separates the values of
/// a multi-valued text frame (`"A\0B"` reads back as two titles), while libFLAC and libopusenc take C
/// strings and silently cut the value at the first NUL (`"A"`). A title that reached the three files
/// three ways would be a bug nobody could see; no tag value needs a NUL, so it is dropped everywhere
/// (`"A\0B"` is written `"AB"` in MP3, FLAC and Opus alike), and no other character is touched.
enum TagText {
    /// `text` without its NUL characters.
    static func clean(_ text: String) -> String {
        text.contains("\u{0}") ? String(text.unicodeScalars.filter { $0 != "\u{0}" }.map(Character.init)) : text
    }

    /// `text` without NULs, as UTF-8 bytes.
    static func bytes(_ text: String) -> [UInt8] { Array(clean(text).utf8) }
}
