import Foundation
import PodsmithTestSupport
import Testing

@testable import PodsmithCodecs
@testable import PodsmithCore
@testable import PodsmithKit
@testable import PodsmithSeason

@Suite struct ChaptersTests {
    static func parse(_ json: String) throws -> ChapterList {
        try ChapterList.parse(Data(json.utf8), name: "ep.chapters.json")
    }

    static func badChaptersReason(_ json: String) -> String? {
        do {
            _ = try parse(json)
            return nil
        } catch PodsmithError.badChapters(let path, let reason) {
            #expect(path == "ep.chapters.json")
            return reason
        } catch {
            return "unexpected \(error)"
        }
    }

    @Test func parsesPodcastingChaptersAndSortsThemByStart() throws {
        let list = try Self.parse(
            """
            {"version": "1.2.0", "title": "Ep 1",
             "chapters": [
               {"startTime": 65.5, "title": "Second", "url": "https://example.com", "img": "b.png"},
               {"startTime": 0, "title": "First", "endTime": 60, "location": {"name": "x", "geo": "geo:0,0"}},
               {"startTime": 90, "toc": false}
             ]}
            """)
        #expect(list.version == "1.2.0")
        #expect(list.title == "Ep 1")
        #expect(list.chapters.map(\.startTime) == [0, 65.5, 90])
        #expect(list.chapters[0] == Chapter(startTime: 0, title: "First", endTime: 60))
        #expect(list.chapters[1].url == "https://example.com")
        #expect(list.chapters[1].img == "b.png")
        #expect(list.chapters[2].isInTableOfContents == false)
        #expect(list.chapters[2].title == nil)
    }

    @Test func missingStartTimeNamesTheChapter() {
        let reason = Self.badChaptersReason(#"{"version":"1.2.0","chapters":[{"startTime":0},{"title":"x"}]}"#)
        #expect(reason == #"chapters[1] has no "startTime""#)
    }

    @Test func missingVersionIsReported() {
        #expect(Self.badChaptersReason(#"{"chapters":[]}"#) == #"the document has no "version""#)
    }

    @Test func wrongTypeNamesTheField() {
        let reason = Self.badChaptersReason(#"{"version":"1.2.0","chapters":[{"startTime":"1:00"}]}"#)
        #expect(reason == "chapters[0].startTime should be a number")
    }

    @Test func invalidJSONIsReported() {
        let reason = Self.badChaptersReason(#"{"version":"1.2.0","chapters":[{"startTime":1,}"#)
        #expect(reason?.hasPrefix("not valid JSON") == true)
    }

    @Test func negativeStartAndEndBeforeStartAreRejected() {
        #expect(
            Self.badChaptersReason(#"{"version":"1","chapters":[{"startTime":-1}]}"#)?.contains("chapters[0].startTime")
                == true)
        #expect(
            Self.badChaptersReason(#"{"version":"1","chapters":[{"startTime":5,"endTime":4}]}"#)?
                .contains("chapters[0].endTime 4.0 is before its startTime 5.0") == true)
    }

    @Test func badChaptersNameTheFileAndTheReason() {
        #expect(PodsmithError.badChapters(path: "a.json", reason: "b").description == "a.json: unusable chapters: b")
    }

    @Test func missingFileIsAnInputError() {
        #expect(throws: PodsmithError.inputMissing(path: "/nonexistent/ep.chapters.json")) {
            try ChapterList.load(path: "/nonexistent/ep.chapters.json")
        }
    }

    @Test func writtenJSONParsesBackToTheSameChapters() throws {
        let list = ChapterList(
            chapters: [
                Chapter(startTime: 0, title: "Intro"),
                Chapter(startTime: 61.25, title: "Ünïcode / slash", url: "https://example.com/a/b", endTime: 120),
                Chapter(startTime: 130, toc: false),
            ], podcastName: "Show")
        let path = TemporaryFolder.uniquePath(".chapters.json")
        defer { try? FileManager.default.removeItem(atPath: path) }
        try list.write(to: path)
        #expect(try ChapterList.load(path: path) == list)
        let text = try String(contentsOfFile: path, encoding: .utf8)
        #expect(text.contains(#""startTime" : 61.25"#))
        #expect(text.contains("https://example.com/a/b"), "slashes are not escaped")
    }

    @Test func loadReadsLocalChapterImagesRelativeToTheFile() throws {
        let folder = TemporaryFolder.uniquePath("-chapters")
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let art = try EncoderTestSupport.image(.png, width: 4, height: 4)
        _ = FileManager.default.createFile(atPath: folder + "/c1.png", contents: Data(art.data))
        let json =
            #"{"version":"1.2.0","chapters":[{"startTime":0,"img":"c1.png"},{"startTime":5,"img":"https://x/y.png"}]}"#
        _ = FileManager.default.createFile(atPath: folder + "/ep.json", contents: Data(json.utf8))
        let list = try ChapterList.load(path: folder + "/ep.json")
        #expect(list.localImages.keys.sorted() == ["c1.png"])
        #expect(list.localImages["c1.png"]?.width == 4)

        let broken = #"{"version":"1.2.0","chapters":[{"startTime":0,"img":"missing.png"}]}"#
        _ = FileManager.default.createFile(atPath: folder + "/broken.json", contents: Data(broken.utf8))
        #expect(throws: PodsmithError.inputMissing(path: folder + "/missing.png")) {
            try ChapterList.load(path: folder + "/broken.json")
        }
    }

    /// Input 0–60 s with [10, 20) removed: output is 50 s, t < 10 stays, t ≥ 20 moves 10 s earlier.
    static func cut(_ t: Double) -> Double? {
        if t < 10 { return t }
        if t < 20 { return nil }
        return t <= 60 ? t - 10 : nil
    }

    @Test func retimingMovesChaptersThroughARemovedRegion() {
        let list = ChapterList(chapters: [
            Chapter(startTime: 0, title: "A"),
            Chapter(startTime: 5, title: "B"),
            Chapter(startTime: 12, title: "C: wholly removed"),
            Chapter(startTime: 15, title: "D: starts in the cut"),
            Chapter(startTime: 30, title: "E", endTime: 70),
            Chapter(startTime: 100, title: "F: past the end"),
        ])
        let out = list.retimed(inputDuration: 60, outputDuration: 50, map: Self.cut)
        // C and D both land on 10 s (the first kept instant after the cut): C is empty, D stays.
        #expect(out.chapters.map(\.title) == ["A", "B", "D: starts in the cut", "E"])
        #expect(out.chapters.map(\.startTime) == [0, 5, 10, 20])
        #expect(out.chapters[3].endTime == 50)  // 70 s is past the input: clamped to the output end
    }

    @Test func chapterStartingInACutCollapsesOntoTheNextChapter() {
        let list = ChapterList(chapters: [
            Chapter(startTime: 0, title: "A"),
            Chapter(startTime: 12, title: "B"),
            Chapter(startTime: 20, title: "C"),
        ])
        let out = list.retimed(inputDuration: 60, outputDuration: 50, map: Self.cut)
        #expect(out.chapters.map(\.title) == ["A", "C"])
        #expect(out.chapters.map(\.startTime) == [0, 10])
    }

    @Test func chapterWhoseWholeSpanWasRemovedIsDropped() {
        let list = ChapterList(chapters: [
            Chapter(startTime: 0, title: "A"),
            Chapter(startTime: 11, title: "B", endTime: 19),
            Chapter(startTime: 40, title: "C"),
        ])
        let out = list.retimed(inputDuration: 60, outputDuration: 50, map: Self.cut)
        #expect(out.chapters.map(\.title) == ["A", "C"])
        #expect(out.chapters.map(\.startTime) == [0, 30])
    }

    @Test func leadingTrimMovesTheFirstChapterToZero() {
        // 2.5 s of leading silence trimmed.
        let list = ChapterList(chapters: [Chapter(startTime: 0, title: "A"), Chapter(startTime: 10, title: "B")])
        let out = list.retimed(inputDuration: 30, outputDuration: 27.5) { $0 < 2.5 ? nil : $0 - 2.5 }
        #expect(out.chapters.map(\.startTime) == [0, 7.5])
    }

    @Test func mapThatCollapsesCutsItselfWorksToo() {
        let list = ChapterList(chapters: [Chapter(startTime: 0, title: "A"), Chapter(startTime: 15, title: "B")])
        let out = list.retimed(inputDuration: 60, outputDuration: 50) { t in t < 10 ? t : max(10, t - 10) }
        #expect(out.chapters.map(\.startTime) == [0, 10])
    }

    @Test func spansEndAtTheNextChapterOfTheSameKindAndClampToTheDuration() {
        let list = ChapterList(chapters: [
            Chapter(startTime: 0, title: "A"),
            Chapter(startTime: 5, title: "img", toc: false),
            Chapter(startTime: 10, title: "B", endTime: 99),
            Chapter(startTime: 60, title: "past the end"),
        ])
        let spans = list.spans(duration: 40)
        #expect(spans.map(\.start) == [0, 5, 10])
        #expect(spans.map(\.end) == [10, 40, 40])
    }
}
