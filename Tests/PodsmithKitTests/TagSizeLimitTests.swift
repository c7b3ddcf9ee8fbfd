import Foundation
import PodsmithTestSupport
import Testing

@testable import PodsmithCodecs
@testable import PodsmithCore
@testable import PodsmithKit

/// ID3v2 sizes are 28-bit (256 MiB) and a chapter's image is embedded once per chapter, so a chapters
/// file can ask for a tag no MP3 can hold; FLAC's metadata blocks have 24-bit lengths (16 MiB).
/// Such metadata is refused with a clear error before any audio is analysed, never a trap.
@Suite struct TagSizeLimitTests {
    /// A PNG of `byteCount` bytes: a valid signature and IHDR (16×16 truecolour), then zeros.
    static func png(byteCount: Int) -> [UInt8] {
        var bytes: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 13]
        bytes += Array("IHDR".utf8) + [0, 0, 0, 16, 0, 0, 0, 16, 8, 2, 0, 0, 0, 0, 0, 0, 0]
        bytes += [UInt8](repeating: 0, count: max(0, byteCount - bytes.count))
        return bytes
    }

    /// 300 hidden chapters (`toc: false`, so the 255-entry CTOC limit does not apply), each showing
    /// the same 1 MiB image: about 300 MiB of APIC frames.
    static func chaptersSharingOneImage(count: Int = 300) throws -> ChapterList {
        var list = ChapterList(
            chapters: (0..<count).map {
                Chapter(startTime: Double($0) * 0.01, title: "c\($0)", img: "slide.png", toc: false)
            })
        list.localImages["slide.png"] = try Artwork(data: png(byteCount: 1 << 20), name: "slide.png")
        return list
    }

    @Test func threeHundredChaptersSharingAOneMiBImageAreRefusedNotTrapped() throws {
        var metadata = EpisodeMetadata(title: "T")
        metadata.chapters = try Self.chaptersSharingOneImage()
        let writer = ID3v2Writer(metadata: metadata, durationMilliseconds: 10_000, encoderLibrary: "LAME")
        #expect(throws: PodsmithError.self) { _ = try writer.tag(padding: 2048) }
    }

    @Test func theLimitIsCheckedBeforeAnyAudioWithTheChaptersFileNamed() throws {
        var options = NormalizeOptions()
        options.chapters = try Self.chaptersSharingOneImage()
        do {
            try TagSizeLimits.check(
                metadata: options.metadata, chapters: options.chapters, format: .mp3, chaptersPath: "ch.json",
                artworkPath: nil)
            Issue.record("300 MiB of chapter images were accepted for MP3")
        } catch {
            guard case .badChapters(let path, let reason) = error else {
                Issue.record("unexpected \(error)")
                return
            }
            #expect(path == "ch.json")
            #expect(reason.contains("256 MiB"))
        }
        // 200 chapters sharing the image (200 MiB) fit.
        try TagSizeLimits.check(
            metadata: options.metadata, chapters: try Self.chaptersSharingOneImage(count: 200), format: .mp3,
            chaptersPath: "ch.json", artworkPath: nil)
        // FLAC and Opus do not embed chapter images.
        try TagSizeLimits.check(
            metadata: options.metadata, chapters: options.chapters, format: .flac, chaptersPath: "ch.json",
            artworkPath: nil)
    }

    @Test func artworkOverTheCapIsRefusedWhenRead() throws {
        let folder = try TemporaryFolder()
        let big = folder.path("big.png")
        try Data(Self.png(byteCount: Artwork.maximumByteCount + 1)).write(to: URL(fileURLWithPath: big))
        #expect(
            throws: PodsmithError.badArtwork(
                path: big,
                reason:
                    "\(Artwork.maximumByteCount + 1) bytes; artwork may be at most \(Artwork.maximumByteCount) bytes (16 MiB less 64 KiB)"
            )
        ) {
            _ = try Artwork(contentsOf: big)
        }
        let fits = folder.path("fits.png")
        try Data(Self.png(byteCount: Artwork.maximumByteCount)).write(to: URL(fileURLWithPath: fits))
        #expect(try Artwork(contentsOf: fits).data.count == Artwork.maximumByteCount)
    }

    @Test func aFLACCommentBlockOver16MiBIsAClearError() throws {
        var metadata = EpisodeMetadata(title: "T")
        metadata.comment = String(repeating: "x", count: 17 << 20)
        #expect(throws: PodsmithError.self) {
            try TagSizeLimits.check(
                metadata: metadata, chapters: nil, format: .flac, chaptersPath: nil, artworkPath: nil)
        }
        metadata.comment = String(repeating: "x", count: 1 << 20)
        try TagSizeLimits.check(metadata: metadata, chapters: nil, format: .flac, chaptersPath: nil, artworkPath: nil)
    }
}
