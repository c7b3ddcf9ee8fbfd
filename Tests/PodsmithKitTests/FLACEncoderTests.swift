import Foundation
import PodsmithTestSupport
import Testing

@testable import PodsmithCodecs
@testable import PodsmithCore
@testable import PodsmithKit
@testable import PodsmithSeason

/// Reads a FLAC or Ogg Opus file's comments and pictures with mutagen, as JSON.
let mutagenVorbisScript = """
    import json, sys, base64
    import mutagen
    from mutagen.flac import Picture
    f = mutagen.File(sys.argv[1])
    pictures = []
    if hasattr(f, "pictures"):
        pictures = [{"mime": p.mime, "type": int(p.type), "width": p.width, "height": p.height,
                     "depth": p.depth, "size": len(p.data)} for p in f.pictures]
    for b in (f.tags.get("metadata_block_picture", []) if f.tags else []):
        p = Picture(base64.b64decode(b))
        pictures.append({"mime": p.mime, "type": int(p.type), "width": p.width, "height": p.height,
                         "depth": p.depth, "size": len(p.data)})
    tags = {k.upper(): v for k, v in f.tags.items() if k.lower() != "metadata_block_picture"}
    print(json.dumps({"tags": tags, "pictures": pictures, "sample_rate": getattr(f.info, "sample_rate", None),
                      "channels": f.info.channels, "length": f.info.length,
                      "bits": getattr(f.info, "bits_per_sample", None)}))
    """

@Suite struct FLACEncoderTests {
    typealias Support = EncoderTestSupport

    @Test(arguments: [PCMBitDepth.int16, .int24])
    func decodesBackToTheSameLengthWithinOneLSBPlusDither(bitDepth: PCMBitDepth) throws {
        let path = TemporaryFolder.uniquePath(".flac")
        defer { try? FileManager.default.removeItem(atPath: path) }
        let frames = 30_001
        let planes = TestSignals.sinePlanes(
            frequency: 440, levelDBFS: -6, sampleRate: 44_100, frames: frames, channels: 2)
        let encoder = try FLACEncoder(
            path: path, sampleRate: 44_100, channelCount: 2,
            options: FLACEncoderOptions(bitDepth: bitDepth))
        try Support.encode(encoder, planes: planes, sampleRate: 44_100, blockSize: 3000)
        let (format, decoded) = try Support.decode(path)
        #expect(format.frameCount == Int64(frames))
        #expect(format.sampleRate == 44_100)
        #expect(decoded[0].count == frames)
        // Rounding (≤ ½ LSB) plus TPDF dither (≤ 1 LSB) never moves a sample by more than 1.5 LSB.
        let lsb = bitDepth == .int16 ? 1.0 / 32768 : 1.0 / 8_388_608
        var worst = 0.0
        for c in 0..<2 { for i in 0..<frames { worst = max(worst, abs(Double(decoded[c][i]) - Double(planes[c][i]))) } }
        #expect(worst <= 1.5 * lsb * (1 + 1e-6))
        #expect(worst > 0.5 * lsb, "dither is on: some samples move by more than rounding alone would")
        let info = try ExternalTools.python(mutagenVorbisScript, [path])
        #expect(info["bits"] as? Int == bitDepth.bitsPerSample)
    }

    @Test func sameInputGivesTheSameFileByteForByte() throws {
        let a = TemporaryFolder.uniquePath(".flac"), b = TemporaryFolder.uniquePath(".flac")
        defer {
            try? FileManager.default.removeItem(atPath: a)
            try? FileManager.default.removeItem(atPath: b)
        }
        let planes = TestSignals.sinePlanes(levelDBFS: -40, sampleRate: 48_000, frames: 10_000, channels: 1)
        try Support.encode(
            try FLACEncoder(path: a, sampleRate: 48_000, channelCount: 1), planes: planes,
            sampleRate: 48_000, blockSize: 4096)
        try Support.encode(
            try FLACEncoder(path: b, sampleRate: 48_000, channelCount: 1), planes: planes,
            sampleRate: 48_000, blockSize: 777)
        #expect(FileManager.default.contents(atPath: a) == FileManager.default.contents(atPath: b))
    }

    @Test func commentsChaptersAndPictureReadBackWithMutagen() throws {
        let path = TemporaryFolder.uniquePath(".flac")
        defer { try? FileManager.default.removeItem(atPath: path) }
        let art = try Support.image(.png, width: 24, height: 12)
        let encoder = try FLACEncoder(
            path: path, sampleRate: 44_100, channelCount: 2,
            metadata: Support.fullMetadata(artwork: art))
        try Support.encode(
            encoder, planes: TestSignals.sinePlanes(sampleRate: 44_100, frames: 88_200, channels: 2), sampleRate: 44_100
        )
        let info = try ExternalTools.python(mutagenVorbisScript, [path])
        let tags = try #require(info["tags"] as? [String: [String]])
        #expect(tags["TITLE"] == ["Episode 12: Tägs"])
        #expect(tags["ARTIST"] == ["Host Name"])
        #expect(tags["ALBUM"] == ["The Show"])
        #expect(tags["TRACKNUMBER"] == ["12"])
        #expect(tags["DISCNUMBER"] == ["3"])
        #expect(tags["DATE"] == ["2026-11-27"])
        #expect(tags["GENRE"] == ["Podcast"])
        #expect(tags["DESCRIPTION"] == ["Show notes\nsecond line"])
        #expect(tags["ENCODER"]?.first?.hasPrefix("Podsmith") == true)
        // Table-of-contents chapters only, numbered from 001.
        #expect(tags["CHAPTER001"] == ["00:00:00.000"])
        #expect(tags["CHAPTER001NAME"] == ["Intro"])
        #expect(tags["CHAPTER002"] == ["00:00:00.500"])
        #expect(tags["CHAPTER002NAME"] == ["Ünïcode 话题"])
        #expect(tags["CHAPTER002URL"] == ["https://example.com/topic"])
        #expect(tags["CHAPTER003"] == ["00:00:01.250"])
        #expect(tags["CHAPTER004"] == nil)
        let pictures = try #require(info["pictures"] as? [[String: Any]])
        #expect(pictures.count == 1)
        #expect(pictures.first?["mime"] as? String == "image/png")
        #expect(pictures.first?["type"] as? Int == 3)
        #expect(pictures.first?["width"] as? Int == 24)
        #expect(pictures.first?["height"] as? Int == 12)
        #expect(pictures.first?["size"] as? Int == art.data.count)
    }

    @Test func ffprobeReadsTheVorbisChapters() throws {
        let path = TemporaryFolder.uniquePath(".flac")
        defer { try? FileManager.default.removeItem(atPath: path) }
        let encoder = try FLACEncoder(
            path: path, sampleRate: 44_100, channelCount: 2,
            metadata: Support.fullMetadata(artwork: nil))
        try Support.encode(
            encoder, planes: TestSignals.sinePlanes(sampleRate: 44_100, frames: 88_200, channels: 2), sampleRate: 44_100
        )
        let probe = try ExternalTools.ffprobe(path, ["-show_chapters"])
        let chapters = try #require(probe["chapters"] as? [[String: Any]])
        #expect(chapters.map { $0["start_time"] as? String } == ["0.000000", "0.500000", "1.250000"])
        #expect(
            chapters.compactMap { ($0["tags"] as? [String: String])?["title"] } == ["Intro", "Ünïcode 话题", "Outro"])
    }

    /// Chapters re-timed once the trimmed length is known are written into the finished file,
    /// within the padding or (padding 0) by libFLAC rewriting the file; the audio is untouched.
    @Test(arguments: [4096, 0])
    func metadataChangedBeforeFinishIsWrittenIntoTheHeader(padding: Int) throws {
        let path = TemporaryFolder.uniquePath(".flac")
        defer { try? FileManager.default.removeItem(atPath: path) }
        let encoder = try FLACEncoder(
            path: path, sampleRate: 44_100, channelCount: 2,
            metadata: EpisodeMetadata(title: "Draft"),
            options: FLACEncoderOptions(paddingBytes: padding))
        let planes = TestSignals.sinePlanes(sampleRate: 44_100, frames: 20_000, channels: 2)
        let source = ArraySource(planes: planes, sampleRate: 44_100)
        let buffer = AudioBuffer(channelCount: 2, capacity: 4096)
        while try source.read(into: buffer) > 0 { try encoder.write(buffer) }
        encoder.metadata.title = "Final"
        encoder.metadata.artwork = try Support.image(.png, width: 8, height: 8)
        encoder.metadata.chapters = ChapterList(chapters: [
            Chapter(startTime: 0, title: "A"), Chapter(startTime: 0.2, title: "B"),
        ])
        try encoder.finish()
        let info = try ExternalTools.python(mutagenVorbisScript, [path])
        let tags = try #require(info["tags"] as? [String: [String]])
        #expect(tags["TITLE"] == ["Final"])
        #expect(tags["CHAPTER002"] == ["00:00:00.200"])
        #expect((info["pictures"] as? [[String: Any]])?.count == 1)
        let (format, decoded) = try Support.decode(path)
        #expect(format.frameCount == 20_000)
        #expect(abs(decoded[1][12_345] - planes[1][12_345]) < 2.0 / 32768)
    }

    @Test func unwritablePathIsAnOutputError() {
        #expect {
            try FLACEncoder(path: "/nonexistent-dir/x.flac", sampleRate: 44_100, channelCount: 2)
        } throws: { error in
            guard case PodsmithError.outputNotWritable = error else { return false }
            return true
        }
    }
}
