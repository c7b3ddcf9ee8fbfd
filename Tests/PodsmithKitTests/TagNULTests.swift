import Foundation
import Testing

@testable import PodsmithCodecs
@testable import PodsmithCore

/// A NUL inside a tag value is dropped the same way in MP3 (ID3v2), FLAC and Opus (Vorbis comments):
/// `"A\0B"` is written `"AB"` everywhere, never two ID3 values in one format and `"A"` in the others.
@Suite struct TagNULTests {
    static func metadata() -> EpisodeMetadata {
        var m = EpisodeMetadata(title: "A\u{0}B", artist: "Art\u{0}ist")
        m.comment = "x\u{0}y"
        m.chapters = ChapterList(chapters: [Chapter(startTime: 0, title: "C\u{0}1", url: "https://e.org/\u{0}p")])
        return m
    }

    /// The body of every frame `id` at the top level of `frames` (and inside CHAP frames).
    static func frameBodies(_ id: String, in frames: [UInt8]) -> [[UInt8]] {
        var found: [[UInt8]] = []
        var i = 0
        while i + 10 <= frames.count {
            let name = String(decoding: frames[i..<i + 4], as: UTF8.self)
            let size = frames[(i + 4)..<(i + 8)].reduce(0) { $0 << 7 | Int($1) }
            let body = Array(frames[(i + 10)..<(i + 10 + size)])
            if name == id { found.append(body) }
            if name == "CHAP", let end = body.firstIndex(of: 0) {
                found += frameBodies(id, in: Array(body[(end + 17)...]))
            }
            i += 10 + size
        }
        return found
    }

    @Test func id3DropsNULsInsideTextCommentsChapterTitlesAndURLs() throws {
        let frames = try ID3v2Writer(metadata: Self.metadata(), durationMilliseconds: 1000, encoderLibrary: "LAME")
            .frames()
        #expect(Self.frameBodies("TIT2", in: frames) == [[0x03] + Array("AB".utf8), [0x03] + Array("C1".utf8)])
        #expect(Self.frameBodies("TPE1", in: frames) == [[0x03] + Array("Artist".utf8)])
        #expect(Self.frameBodies("COMM", in: frames) == [[0x03] + Array("eng".utf8) + [0] + Array("xy".utf8)])
        #expect(Self.frameBodies("WXXX", in: frames) == [[0x03, 0x00] + Array("https://e.org/p".utf8)])
    }

    @Test func vorbisCommentsForFLACAndOpusDropTheSameNULs() {
        let fields = VorbisComments.fields(for: Self.metadata(), duration: 10, encoderLibrary: "libFLAC")
        let byName = Dictionary(fields, uniquingKeysWith: { a, _ in a })
        #expect(byName["TITLE"] == "AB")
        #expect(byName["ARTIST"] == "Artist")
        #expect(byName["DESCRIPTION"] == "xy")
        #expect(byName["CHAPTER001NAME"] == "C1")
        #expect(byName["CHAPTER001URL"] == "https://e.org/p")
        #expect(!fields.contains { $0.1.contains("\u{0}") })
    }
}
