import Foundation
import PodsmithTestSupport
import Testing

@testable import PodsmithCodecs
@testable import PodsmithCore
@testable import PodsmithKit
@testable import PodsmithSeason

private let mutagenID3Script = """
    import json, sys
    from mutagen.id3 import ID3
    t = ID3(sys.argv[1])
    print(json.dumps({
      "version": list(t.version), "size": t.size,
      "text": {k: str(t[k]) for k in ["TIT2","TLEN","TSSE","TDRC"] if k in t},
      "chapters": [{"id": c.element_id, "start": c.start_time, "end": c.end_time,
                    "start_offset": c.start_offset, "end_offset": c.end_offset,
                    "urls": [w.url for w in c.sub_frames.getall("WXXX")],
                    "pictures": [p.mime for p in c.sub_frames.getall("APIC")]} for c in t.getall("CHAP")],
      "tocs": [{"flags": int(t2.flags), "children": t2.child_element_ids} for t2 in t.getall("CTOC")],
    }))
    """

@Suite struct ID3v2WriterTests {
    @Test func synchsafeIntegersUseSevenBitsPerByte() {
        // ID3v2.4 §6.2: 255 is 0x01 0x7F; the largest, 2^28 − 1, is four 0x7F bytes.
        #expect(ID3v2Writer.synchsafe(0) == [0, 0, 0, 0])
        #expect(ID3v2Writer.synchsafe(255) == [0, 0, 0x01, 0x7F])
        #expect(ID3v2Writer.synchsafe((1 << 28) - 1) == [0x7F, 0x7F, 0x7F, 0x7F])
    }

    @Test func tagHasAV24HeaderAndTheRequestedPadding() throws {
        let writer = ID3v2Writer(
            metadata: EpisodeMetadata(title: "T"), durationMilliseconds: 1000, encoderLibrary: "test")
        let frames = try writer.frames()
        let tag = try #require(try writer.tag(padding: 100))
        #expect(Array(tag[0..<6]) == Array("ID3".utf8) + [4, 0, 0])
        #expect(tag.count == 10 + frames.count + 100)
        let size = Int(tag[6]) << 21 | Int(tag[7]) << 14 | Int(tag[8]) << 7 | Int(tag[9])
        #expect(size == tag.count - 10)
        #expect(tag.suffix(100).allSatisfy { $0 == 0 })
        #expect(try writer.tag(totalSize: 4096)?.count == 4096)
        #expect(try writer.tag(totalSize: 10 + frames.count - 1) == nil, "does not fit: nil, never truncated")
    }

    @Test func chaptersWithURLsAndLocalImagesReadBackWithMutagen() throws {
        let art = try EncoderTestSupport.image(.png, width: 4, height: 4)
        var list = ChapterList(chapters: [
            Chapter(startTime: 0, title: "One", img: "one.png"),
            Chapter(startTime: 2.5, title: "Hidden", toc: false),
            Chapter(startTime: 3, title: "Two", url: "https://example.com/ü", img: "https://cdn/remote.png"),
        ])
        list.localImages["one.png"] = art
        let writer = ID3v2Writer(
            metadata: EpisodeMetadata(title: "Ep", chapters: list),
            durationMilliseconds: 10_000, encoderLibrary: "test")
        let path = TemporaryFolder.uniquePath(".id3")
        defer { try? FileManager.default.removeItem(atPath: path) }
        _ = FileManager.default.createFile(atPath: path, contents: Data(try #require(try writer.tag())))
        let info = try ExternalTools.python(mutagenID3Script, [path])
        #expect(info["version"] as? [Int] == [2, 4, 0])
        #expect((info["text"] as? [String: String])?["TLEN"] == "10000")
        let chapters = try #require(info["chapters"] as? [[String: Any]])
        #expect(chapters.map { $0["id"] as? String } == ["chp0", "chp1", "chp2"])
        #expect(chapters.map { $0["start"] as? Int } == [0, 2500, 3000])
        #expect(chapters.map { $0["end"] as? Int } == [3000, 10_000, 10_000])
        #expect(
            chapters.allSatisfy { $0["start_offset"] as? Int == 0xFFFF_FFFF && $0["end_offset"] as? Int == 0xFFFF_FFFF }
        )
        #expect(chapters[0]["pictures"] as? [String] == ["image/png"])
        #expect(chapters[2]["pictures"] as? [String] == [], "remote images are not embedded")
        #expect(chapters[2]["urls"] as? [String] == ["https://example.com/%C3%BC"])
        let tocs = try #require(info["tocs"] as? [[String: Any]])
        #expect(tocs.first?["children"] as? [String] == ["chp0", "chp2"])
    }

    @Test func moreThan255TableOfContentsChaptersAreRefused() {
        let list = ChapterList(chapters: (0..<256).map { Chapter(startTime: Double($0), title: "c\($0)") })
        let writer = ID3v2Writer(
            metadata: EpisodeMetadata(chapters: list), durationMilliseconds: 300_000, encoderLibrary: "test")
        #expect(throws: PodsmithError.self) { try writer.frames() }
    }

    @Test func unsetFieldsAreNotWritten() throws {
        let writer = ID3v2Writer(
            metadata: EpisodeMetadata(genre: nil, encoder: ""), durationMilliseconds: nil, encoderLibrary: "x")
        #expect(try writer.frames().isEmpty)
    }
}
