import Foundation
import PodsmithTestSupport

@testable import PodsmithCodecs
@testable import PodsmithCore
@testable import PodsmithKit
@testable import PodsmithSeason

/// Helpers for the encoder, tag and chapter tests: feed an encoder, decode what it wrote, real images
/// and full metadata. Signals, temporary paths and the outside readers are in PodsmithTestSupport.
enum EncoderTestSupport {
    /// Feeds `planes` to `encoder` in blocks of `blockSize` frames, then finishes it.
    static func encode(_ encoder: AudioSink, planes: [[Float]], sampleRate: Double, blockSize: Int = 4096) throws {
        let source = ArraySource(planes: planes, sampleRate: sampleRate)
        let buffer = AudioBuffer(channelCount: planes.count, capacity: blockSize)
        while try source.read(into: buffer) > 0 { try encoder.write(buffer) }
        try encoder.finish()
    }

    /// Decodes a whole file with our reader (libsndfile).
    static func decode(_ path: String) throws -> (format: AudioFormat, planes: [[Float]]) {
        let reader = try SoundFileReader(path: path)
        let buffer = AudioBuffer(channelCount: reader.format.channelCount, capacity: 8192)
        var planes = [[Float]](repeating: [], count: reader.format.channelCount)
        while try reader.read(into: buffer) > 0 {
            for c in 0..<planes.count { planes[c] += buffer.channel(c) }
        }
        return (reader.format, planes)
    }

    /// A small real image written by ffmpeg (an independent encoder), so our header parser is
    /// checked against files it did not make.
    static func image(_ kind: Artwork.Kind, width: Int, height: Int) throws -> Artwork {
        let path = TemporaryFolder.uniquePath(kind == .png ? ".png" : ".jpg")
        defer { try? FileManager.default.removeItem(atPath: path) }
        let result = try ExternalTools.run(
            "ffmpeg",
            [
                "-v", "error", "-f", "lavfi", "-i", "color=c=red:s=\(width)x\(height)",
                "-frames:v", "1", "-y", path,
            ])
        guard result.status == 0 else { throw PodsmithError.internalError("ffmpeg failed: \(result.stderr)") }
        return try Artwork(contentsOf: path)
    }

    /// Metadata with every field set, chapters (one hidden, one with a URL) and artwork.
    static func fullMetadata(artwork: Artwork?) -> EpisodeMetadata {
        let chapters = ChapterList(chapters: [
            Chapter(startTime: 0, title: "Intro"),
            Chapter(startTime: 0.5, title: "Ünïcode 话题", url: "https://example.com/topic"),
            Chapter(startTime: 0.75, title: "Image change", toc: false),
            Chapter(startTime: 1.25, title: "Outro"),
        ])
        return EpisodeMetadata(
            title: "Episode 12: Tägs", artist: "Host Name", album: "The Show", episode: 12, season: 3,
            date: "2026-11-27", genre: "Podcast", comment: "Show notes\nsecond line", artwork: artwork,
            chapters: chapters)
    }
}
