import Foundation
import PodsmithTestSupport
import Testing

@testable import PodsmithCodecs
@testable import PodsmithCore
@testable import PodsmithKit
@testable import PodsmithSeason

/// Reads an MP3 with mutagen and prints what a player would see, as JSON.
private let mutagenMP3Script = """
    import json, sys
    from mutagen.mp3 import MP3
    from mutagen.id3 import ID3
    f = MP3(sys.argv[1])
    i = f.info
    tags = ID3(sys.argv[1])
    out = {
      "version": list(tags.version),
      "length": i.length, "bitrate": i.bitrate, "sample_rate": i.sample_rate, "channels": i.channels,
      "mode": int(i.mode), "bitrate_mode": int(i.bitrate_mode), "encoder_info": i.encoder_info,
      "text": {k: str(tags[k]) for k in ["TIT2","TPE1","TALB","TRCK","TPOS","TDRC","TCON","TSSE","TLEN"] if k in tags},
      "comment": [c.text[0] for c in tags.getall("COMM")],
      "pictures": [{"mime": p.mime, "type": int(p.type), "size": len(p.data)} for p in tags.getall("APIC")],
      "chapters": [{"id": c.element_id, "start": c.start_time, "end": c.end_time,
                    "title": str(c.sub_frames["TIT2"]) if "TIT2" in c.sub_frames else None,
                    "urls": [w.url for w in c.sub_frames.getall("WXXX")]}
                   for c in tags.getall("CHAP")],
      "tocs": [{"id": t.element_id, "flags": int(t.flags), "children": t.child_element_ids} for t in tags.getall("CTOC")],
    }
    print(json.dumps(out))
    """

@Suite struct MP3EncoderTests {
    typealias Support = EncoderTestSupport

    /// The bitrate in the header of the first MPEG-1 Layer III frame after the ID3 tag
    /// (ISO/IEC 11172-3 §2.4.2.3: bitrate index in the upper nibble of the third header byte).
    static func firstFrameBitrateKbps(_ path: String) throws -> Int {
        let bytes = [UInt8](FileManager.default.contents(atPath: path)!)
        let tagSize = 10 + (Int(bytes[6]) << 21 | Int(bytes[7]) << 14 | Int(bytes[8]) << 7 | Int(bytes[9]))
        let table = [0, 32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320, 0]
        return table[Int(bytes[tagSize + 2] >> 4)]
    }

    @Test func stereoDefaultsToJointStereo128kbpsCBRAtTheInputRate() throws {
        let path = TemporaryFolder.uniquePath(".mp3")
        defer { try? FileManager.default.removeItem(atPath: path) }
        let planes = TestSignals.sinePlanes(sampleRate: 44_100, frames: 44_100, channels: 2)
        let encoder = try MP3Encoder(path: path, sampleRate: 44_100, channelCount: 2)
        try Support.encode(encoder, planes: planes, sampleRate: 44_100)
        let info = try ExternalTools.python(mutagenMP3Script, [path])
        // mutagen averages over the Info header's byte count (127997 here); the frame headers
        // themselves carry the bitrate index.
        #expect(try Self.firstFrameBitrateKbps(path) == 128)
        #expect(abs((info["bitrate"] as? Int ?? 0) - 128_000) < 128)
        #expect(info["sample_rate"] as? Int == 44_100)
        #expect(info["channels"] as? Int == 2)
        #expect(info["mode"] as? Int == 1)  // mutagen: 1 = JOINT_STEREO
        #expect(info["bitrate_mode"] as? Int == 1)  // mutagen: 1 = CBR (from the LAME tag)
    }

    @Test func monoDefaultsTo64kbps() throws {
        let path = TemporaryFolder.uniquePath(".mp3")
        defer { try? FileManager.default.removeItem(atPath: path) }
        let encoder = try MP3Encoder(path: path, sampleRate: 48_000, channelCount: 1)
        try Support.encode(
            encoder, planes: TestSignals.sinePlanes(sampleRate: 48_000, frames: 48_000, channels: 1), sampleRate: 48_000
        )
        let info = try ExternalTools.python(mutagenMP3Script, [path])
        #expect(try Self.firstFrameBitrateKbps(path) == 64)
        #expect(info["sample_rate"] as? Int == 48_000)
        #expect(info["channels"] as? Int == 1)
    }

    @Test func firstFrameAfterTheID3TagIsTheLAMEInfoFrame() throws {
        let path = TemporaryFolder.uniquePath(".mp3")
        defer { try? FileManager.default.removeItem(atPath: path) }
        let encoder = try MP3Encoder(
            path: path, sampleRate: 44_100, channelCount: 2,
            metadata: EpisodeMetadata(title: "x"))
        try Support.encode(
            encoder, planes: TestSignals.sinePlanes(sampleRate: 44_100, frames: 20_000, channels: 2), sampleRate: 44_100
        )
        let bytes = [UInt8](FileManager.default.contents(atPath: path)!)
        #expect(Array(bytes[0..<4]) == Array("ID3".utf8) + [4])
        // ID3v2 header: size is synchsafe and excludes the 10-byte header.
        let tagSize = 10 + (Int(bytes[6]) << 21 | Int(bytes[7]) << 14 | Int(bytes[8]) << 7 | Int(bytes[9]))
        #expect(bytes[tagSize] == 0xFF && bytes[tagSize + 1] & 0xE0 == 0xE0, "MPEG sync right after the tag")
        let frame = Array(bytes[tagSize..<(tagSize + 417)])
        let text = String(decoding: frame.map { $0 < 0x20 || $0 > 0x7E ? UInt8(ascii: ".") : $0 }, as: UTF8.self)
        #expect(text.contains("Info"), "CBR stream carries an Info (Xing) header")
        #expect(text.contains("LAME3.100") || text.contains("LAME"), "LAME extension present")
        // The Info header's frame count (big-endian after the flags) is filled in, not zero.
        let infoAt = text.range(of: "Info").map { text.distance(from: text.startIndex, to: $0.lowerBound) }!
        let frameCount = frame[(infoAt + 8)..<(infoAt + 12)].reduce(0) { $0 << 8 | Int($1) }
        #expect(frameCount > 0)
    }

    @Test func vbrWritesAXingHeader() throws {
        let path = TemporaryFolder.uniquePath(".mp3")
        defer { try? FileManager.default.removeItem(atPath: path) }
        let encoder = try MP3Encoder(
            path: path, sampleRate: 44_100, channelCount: 2,
            options: MP3EncoderOptions(vbrQuality: 4))
        try Support.encode(
            encoder, planes: TestSignals.sinePlanes(sampleRate: 44_100, frames: 20_000, channels: 2), sampleRate: 44_100
        )
        let info = try ExternalTools.python(mutagenMP3Script, [path])
        #expect(info["bitrate_mode"] as? Int == 2)  // mutagen: 2 = VBR
        let bytes = [UInt8](FileManager.default.contents(atPath: path)!)
        let header = String(
            decoding: bytes.prefix(4096).map { $0 < 0x20 || $0 > 0x7E ? UInt8(ascii: ".") : $0 }, as: UTF8.self)
        #expect(header.contains("Xing"))
    }

    /// The LAME tag records encoder delay and padding; a gapless decoder (ffmpeg, mutagen's length)
    /// then gets back exactly the frames we encoded.
    @Test(arguments: [44_100.0, 48_000.0])
    func durationIsExactAfterGaplessTrimming(sampleRate: Double) throws {
        let path = TemporaryFolder.uniquePath(".mp3")
        defer { try? FileManager.default.removeItem(atPath: path) }
        let frames = Int(sampleRate) + 1234  // not a multiple of the 1152-sample frame
        let encoder = try MP3Encoder(path: path, sampleRate: sampleRate, channelCount: 2)
        try Support.encode(
            encoder, planes: TestSignals.sinePlanes(sampleRate: sampleRate, frames: frames, channels: 2),
            sampleRate: sampleRate, blockSize: 1000)
        #expect(encoder.framesWritten == Int64(frames))
        #expect(try ExternalTools.ffmpegDecodedFrames(path, channels: 2) == frames)
        let info = try ExternalTools.python(mutagenMP3Script, [path])
        let length = try #require(info["length"] as? Double)
        #expect(abs(length - Double(frames) / sampleRate) < 0.5 / sampleRate * 2)
        let text = try #require(info["text"] as? [String: String])
        #expect(text["TLEN"] == String(Int((Double(frames) * 1000 / sampleRate).rounded())))
    }

    @Test func refusesRatesOtherThan44100And48000() throws {
        let path = TemporaryFolder.uniquePath(".mp3")
        defer { try? FileManager.default.removeItem(atPath: path) }
        #expect(throws: PodsmithError.self) {
            try MP3Encoder(path: path, sampleRate: 8_000, channelCount: 1)
        }
        #expect(!FileManager.default.fileExists(atPath: path), "nothing is created for a refused rate")
        #expect(MP3Encoder.outputSampleRate(forInputRate: 8_000) == 44_100)
        #expect(MP3Encoder.outputSampleRate(forInputRate: 22_050) == 44_100)
        #expect(MP3Encoder.outputSampleRate(forInputRate: 96_000) == 44_100)
        #expect(MP3Encoder.outputSampleRate(forInputRate: 44_100) == 44_100)
        #expect(MP3Encoder.outputSampleRate(forInputRate: 48_000) == 48_000)
    }

    @Test func refusesMoreThanTwoChannelsAndInvalidBitrates() {
        let path = TemporaryFolder.uniquePath(".mp3")
        #expect(throws: PodsmithError.self) { try MP3Encoder(path: path, sampleRate: 44_100, channelCount: 6) }
        #expect(throws: PodsmithError.self) {
            try MP3Encoder(
                path: path, sampleRate: 44_100, channelCount: 2, options: MP3EncoderOptions(bitrateKbps: 100))
        }
        #expect(throws: PodsmithError.self) {
            try MP3Encoder(path: path, sampleRate: 44_100, channelCount: 2, options: MP3EncoderOptions(vbrQuality: 12))
        }
    }

    @Test func unwritablePathIsAnOutputError() {
        #expect(
            throws: PodsmithError.outputNotWritable(path: "/nonexistent-dir/x.mp3", reason: "No such file or directory")
        ) {
            try MP3Encoder(path: "/nonexistent-dir/x.mp3", sampleRate: 44_100, channelCount: 2)
        }
    }

    @Test func tagsChaptersAndArtworkReadBackWithMutagen() throws {
        let path = TemporaryFolder.uniquePath(".mp3")
        defer { try? FileManager.default.removeItem(atPath: path) }
        let art = try Support.image(.jpeg, width: 16, height: 8)
        let metadata = Support.fullMetadata(artwork: art)
        let encoder = try MP3Encoder(path: path, sampleRate: 44_100, channelCount: 2, metadata: metadata)
        try Support.encode(
            encoder, planes: TestSignals.sinePlanes(sampleRate: 44_100, frames: 88_200, channels: 2), sampleRate: 44_100
        )
        let info = try ExternalTools.python(mutagenMP3Script, [path])
        #expect(info["version"] as? [Int] == [2, 4, 0])
        let text = try #require(info["text"] as? [String: String])
        #expect(text["TIT2"] == "Episode 12: Tägs")
        #expect(text["TPE1"] == "Host Name")
        #expect(text["TALB"] == "The Show")
        #expect(text["TRCK"] == "12")
        #expect(text["TPOS"] == "3")
        #expect(text["TDRC"] == "2026-11-27")
        #expect(text["TCON"] == "Podcast")
        #expect(text["TSSE"]?.hasPrefix("Podsmith \(PodsmithVersion.string) (LAME") == true)
        #expect(text["TLEN"] == "2000")
        #expect(info["comment"] as? [String] == ["Show notes\nsecond line"])
        let pictures = try #require(info["pictures"] as? [[String: Any]])
        #expect(pictures.count == 1)
        #expect(pictures.first?["mime"] as? String == "image/jpeg")
        #expect(pictures.first?["type"] as? Int == 3)
        #expect(pictures.first?["size"] as? Int == art.data.count)

        let chapters = try #require(info["chapters"] as? [[String: Any]])
        #expect(chapters.map { $0["start"] as? Int } == [0, 500, 750, 1250])
        // Ends: next chapter of the same kind, the last at the file's end (2000 ms); the hidden
        // image-change chapter runs to the end too, as no other hidden chapter follows it.
        #expect(chapters.map { $0["end"] as? Int } == [500, 1250, 2000, 2000])
        #expect(chapters.map { $0["title"] as? String } == ["Intro", "Ünïcode 话题", "Image change", "Outro"])
        #expect(chapters[1]["urls"] as? [String] == ["https://example.com/topic"])
        let tocs = try #require(info["tocs"] as? [[String: Any]])
        #expect(tocs.count == 1)
        #expect(tocs.first?["flags"] as? Int == 3)  // top-level | ordered
        #expect(tocs.first?["children"] as? [String] == ["chp0", "chp1", "chp3"])
    }

    @Test func ffprobeSeesTheChapters() throws {
        let path = TemporaryFolder.uniquePath(".mp3")
        defer { try? FileManager.default.removeItem(atPath: path) }
        let encoder = try MP3Encoder(
            path: path, sampleRate: 44_100, channelCount: 2,
            metadata: Support.fullMetadata(artwork: nil))
        try Support.encode(
            encoder, planes: TestSignals.sinePlanes(sampleRate: 44_100, frames: 88_200, channels: 2), sampleRate: 44_100
        )
        let probe = try ExternalTools.ffprobe(path, ["-show_chapters"])
        let chapters = try #require(probe["chapters"] as? [[String: Any]])
        #expect(chapters.count == 4)
        #expect(
            chapters.compactMap { ($0["tags"] as? [String: String])?["title"] }
                == ["Intro", "Ünïcode 话题", "Image change", "Outro"])
        #expect(chapters.map { $0["start_time"] as? String } == ["0.000000", "0.500000", "0.750000", "1.250000"])
    }

    /// Chapters re-timed after the audio is written (the trimmed length is known only then) land in
    /// the final tag, in place when they fit the padding and by moving the audio when they do not.
    @Test(arguments: [2048, 0])
    func metadataChangedBeforeFinishIsWrittenInTheFinalTag(padding: Int) throws {
        let path = TemporaryFolder.uniquePath(".mp3")
        defer { try? FileManager.default.removeItem(atPath: path) }
        let encoder = try MP3Encoder(
            path: path, sampleRate: 44_100, channelCount: 2,
            metadata: EpisodeMetadata(title: "Draft"),
            options: MP3EncoderOptions(tagPaddingBytes: padding))
        let source = ArraySource(
            planes: TestSignals.sinePlanes(sampleRate: 44_100, frames: 44_100, channels: 2), sampleRate: 44_100)
        let buffer = AudioBuffer(channelCount: 2, capacity: 4096)
        while try source.read(into: buffer) > 0 { try encoder.write(buffer) }
        encoder.metadata.title = "Final title, longer than the draft"
        encoder.metadata.chapters = ChapterList(chapters: [
            Chapter(startTime: 0, title: "A"), Chapter(startTime: 0.4, title: "B"),
        ])
        try encoder.finish()
        let info = try ExternalTools.python(mutagenMP3Script, [path])
        #expect((info["text"] as? [String: String])?["TIT2"] == "Final title, longer than the draft")
        #expect((info["chapters"] as? [[String: Any]])?.map { $0["end"] as? Int } == [400, 1000])
        #expect(try ExternalTools.ffmpegDecodedFrames(path, channels: 2) == 44_100, "audio intact after the tag grew")
    }
}
