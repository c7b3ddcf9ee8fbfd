import Foundation
import PodsmithKit
import PodsmithTestSupport
import Testing

/// M4A (AAC-LC in MP4) end to end: `normalize -o ep.m4a`, `measure` and `normalize` of `.m4a` input,
/// a season writing MP3 and M4A. The written files are read back by the reference meter and by readers
/// that share no code with ours: ffprobe and Python's mutagen.
@Suite final class M4ACommandTests {
    let folder: URL

    init() throws {
        folder = FileManager.default.temporaryDirectory
            .appendingPathComponent("podsmith-m4a-cli-\(UUID().uuidString)", isDirectory: true)
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    }

    deinit { try? FileManager.default.removeItem(at: folder) }

    func path(_ name: String) -> String { folder.appendingPathComponent(name).path }

    /// Speech-like noise (see ``NormalizeCommandTests/speechLike(seconds:head:tail:sampleRate:levelDB:)``)
    /// as a float WAV.
    func writeSpeech(_ name: String, seconds: Double = 3, channels: Int = 2) throws -> String {
        let plane = NormalizeCommandTests.speechLike(seconds: seconds, head: 1)
        let file = path(name)
        let writer = try SoundFileWriter(
            path: file, format: AudioFormat(sampleRate: 44_100, channelCount: channels),
            options: .init(container: .wav, encoding: .float32))
        let buffer = AudioBuffer(channelCount: channels, capacity: plane.count)
        buffer.fill(from: Array(repeating: plane, count: channels))
        try writer.write(buffer)
        try writer.finish()
        return file
    }

    /// The top-level MP4 boxes of `file`, in order (ISO/IEC 14496-12 §4.2: 32-bit size, type; size 1
    /// means a 64-bit size follows).
    static func topLevelBoxes(_ file: String) throws -> [String] {
        let bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: file)))
        var boxes: [String] = []
        var at = 0
        while at + 8 <= bytes.count {
            var size = bytes[at..<at + 4].reduce(0) { $0 << 8 | Int($1) }
            boxes.append(String(decoding: bytes[at + 4..<at + 8], as: UTF8.self))
            if size == 1 { size = bytes[at + 8..<at + 16].reduce(0) { $0 << 8 | Int($1) } }
            guard size >= 8 else { break }
            at += size
        }
        return boxes
    }

    /// mutagen's view of an MP4: its iTunes items, cover bytes compared with `artwork`, Nero chapters.
    static func mutagenMP4(_ file: String, artwork: String) throws -> [String: Any] {
        let script = #"""
            import sys, json, mutagen.mp4
            f = mutagen.mp4.MP4(sys.argv[1])
            art = open(sys.argv[2], 'rb').read()
            t = f.tags
            out = {'text': {k: str(v[0]) for k, v in t.items() if k.startswith('\xa9')},
                   'trkn': list(t['trkn'][0]) if 'trkn' in t else None,
                   'disk': list(t['disk'][0]) if 'disk' in t else None,
                   'covers': [bytes(c) == art for c in t.get('covr', [])],
                   'chapters': [{'start': c.start, 'title': c.title} for c in (f.chapters or [])],
                   'codec': f.info.codec, 'channels': f.info.channels, 'rate': f.info.sample_rate}
            print(json.dumps(out))
            """#
        let text = try NormalizeCommandTests.tool(["python3", "-c", script, file, artwork])
        return try NormalizeCommandTests.object(JSONSerialization.jsonObject(with: Data(text.utf8)))
    }

    // MARK: - Output

    @Test func normalizeToM4ALandsOnTargetUnderTheCeilingMoovFirstWithTheExactDuration() throws {
        let input = try writeSpeech("episode.wav")
        let output = path("episode.m4a")
        let result = try CommandRunner.run(["normalize", "--json", input, "-o", output])
        #expect(result.status == 0, "\(result.stderr)")
        let measured = try NormalizeCommandTests.reference(output)
        let lufs = try NormalizeCommandTests.number(measured, "integrated_lufs")
        let peak = try NormalizeCommandTests.number(measured, "true_peak_dbtp")
        #expect(abs(lufs + 16) <= 0.2, "integrated \(lufs) LUFS")
        #expect(peak <= -1, "true peak \(peak) dBTP")

        let boxes = try Self.topLevelBoxes(output)
        #expect(boxes.first == "ftyp")
        let moov = try #require(boxes.firstIndex(of: "moov"), "\(boxes)")
        let mdat = try #require(boxes.firstIndex(of: "mdat"), "\(boxes)")
        #expect(moov < mdat, "\(boxes)")

        let report = try NormalizeCommandTests.object(result.json())
        let decoded = try NormalizeCommandTests.number(NormalizeCommandTests.object(report["output"]), "duration_s")
        let probe = try NormalizeCommandTests.ffprobe(output)
        let format = try NormalizeCommandTests.object(probe["format"])
        let probed = try #require(Double(format["duration"] as? String ?? ""))
        #expect(abs(probed - decoded) <= 1024 / 44_100.0, "ffprobe \(probed) s vs written \(decoded) s")
        #expect((format["format_name"] as? String)?.contains("mp4") == true)
        let streams = try #require(probe["streams"] as? [[String: Any]])
        let audio = try #require(streams.first { $0["codec_type"] as? String == "audio" })
        #expect(audio["codec_name"] as? String == "aac")
        #expect(audio["profile"] as? String == "LC")
        #expect(audio["sample_rate"] as? String == "44100")
        #expect(audio["channels"] as? Int == 2)
        // FFmpeg's AAC encoder is an average-bitrate coder: speech with pauses needs less than the 128 kbit/s
        // asked for, never noticeably more.
        let bitrate = try #require(Double(audio["bit_rate"] as? String ?? ""))
        #expect(bitrate > 64_000 && bitrate < 136_000, "bit_rate \(bitrate)")
    }

    @Test func m4aCarriesITunesTagsCoverAndChaptersReadByFfprobeAndMutagen() throws {
        let input = try writeSpeech("episode.wav", seconds: 4)
        let art = path("cover.jpg")
        _ = try NormalizeCommandTests.tool([
            "ffmpeg", "-v", "error", "-y", "-f", "lavfi", "-i", "testsrc=size=1400x1400:rate=1",
            "-frames:v", "1", art,
        ])
        let chapters = path("chapters.json")
        try Data(
            #"{"version":"1.2.0","chapters":[{"startTime":0,"title":"Hello"},{"startTime":2.5,"title":"Wörld"}]}"#
                .utf8
        ).write(to: URL(fileURLWithPath: chapters))
        let output = path("tagged.m4a")
        let result = try CommandRunner.run(
            ["normalize", "--json", "--no-trim", input, "-o", output, "--artwork", art, "--chapters", chapters]
                + NormalizeCommandTests.tagArguments)
        #expect(result.status == 0, "\(result.stderr)")

        let tags = try Self.mutagenMP4(output, artwork: art)
        let text = try #require(tags["text"] as? [String: String])
        #expect(text["\u{a9}nam"] == "Episode Twelve: Wörds")
        #expect(text["\u{a9}ART"] == "Ann Host")
        #expect(text["\u{a9}alb"] == "The Show")
        #expect(text["\u{a9}day"] == "2026-11-27")
        #expect(text["\u{a9}gen"] == "Talk")
        #expect(text["\u{a9}cmt"] == "Notes for the episode.")
        #expect(text["\u{a9}too"]?.hasPrefix("Podsmith") == true, "\(text["\u{a9}too"] ?? "nil")")
        #expect((tags["trkn"] as? [Int])?.first == 12)
        #expect((tags["disk"] as? [Int])?.first == 3)
        #expect(tags["covers"] as? [Bool] == [true], "one cover, byte for byte the artwork file")
        #expect((tags["codec"] as? String)?.hasPrefix("mp4a.40.2") == true, "AAC-LC: \(tags["codec"] ?? "")")
        // mutagen reads the Nero chpl box only.
        let neroChapters = try #require(tags["chapters"] as? [[String: Any]])
        #expect(neroChapters.compactMap { $0["title"] as? String } == ["Hello", "Wörld"])
        let neroStarts = neroChapters.compactMap { ($0["start"] as? NSNumber)?.doubleValue }
        #expect(neroStarts.count == 2 && abs(neroStarts[0]) < 0.001 && abs(neroStarts[1] - 2.5) < 0.001)

        // ffprobe reads the QuickTime chapter track: starts, titles, and the last one ends at the end.
        let probe = try NormalizeCommandTests.ffprobe(output)
        let ffChapters = try #require(probe["chapters"] as? [[String: Any]])
        #expect(ffChapters.count == 2)
        let starts = ffChapters.compactMap { Double($0["start_time"] as? String ?? "") }
        #expect(starts.count == 2 && abs(starts[0]) < 0.001 && abs(starts[1] - 2.5) < 0.001, "\(starts)")
        let titles = ffChapters.compactMap { (($0["tags"] as? [String: Any])?["title"]) as? String }
        #expect(titles == ["Hello", "Wörld"])
        let duration = try #require(Double(NormalizeCommandTests.object(probe["format"])["duration"] as? String ?? ""))
        let lastEnd = try #require(Double(ffChapters.last?["end_time"] as? String ?? ""))
        #expect(abs(lastEnd - duration) < 0.01, "last chapter ends at \(lastEnd) s, file \(duration) s")
        let ffTags = try #require(NormalizeCommandTests.object(probe["format"])["tags"] as? [String: Any])
        #expect(ffTags["title"] as? String == "Episode Twelve: Wörds")
        #expect(ffTags["track"] as? String == "12")
    }

    @Test func formatAACIsRefusedWithM4ASuggested() throws {
        let input = try writeSpeech("episode.wav")
        let result = try CommandRunner.run(["normalize", input, "--format", "aac"])
        #expect(result.status == 64, "\(result.status): \(result.stderr)")
        #expect(result.stderr.contains("did you mean m4a"), "\(result.stderr)")
        let written = try FileManager.default.contentsOfDirectory(atPath: folder.path)
        #expect(written == ["episode.wav"])
    }

    // MARK: - Input

    @Test func m4aInputMeasuresLikeTheSameAudioAsWAVAndNormalizes() throws {
        let wav = try writeSpeech("raw.wav", seconds: 6)
        // An M4A made by ffmpeg's own command-line tool, and the same audio decoded by ffmpeg to a WAV.
        let m4a = path("raw.m4a")
        _ = try NormalizeCommandTests.tool([
            "ffmpeg", "-v", "error", "-y", "-i", wav, "-c:a", "aac", "-b:a", "128k", m4a,
        ])
        let decoded = path("decoded-by-ffmpeg.wav")
        _ = try NormalizeCommandTests.tool(["ffmpeg", "-v", "error", "-y", "-i", m4a, "-c:a", "pcm_f32le", decoded])
        for meter in ["podsmith", "libebur128"] {
            let fromWAV = try CommandRunner.run(["measure", "--meter", meter, "--json", decoded])
            let fromM4A = try CommandRunner.run(["measure", "--meter", meter, "--json", m4a])
            #expect(fromM4A.status == 0, "\(fromM4A.stderr)")
            let a = try NormalizeCommandTests.number(NormalizeCommandTests.object(fromWAV.json()), "integrated_lufs")
            let b = try NormalizeCommandTests.number(NormalizeCommandTests.object(fromM4A.json()), "integrated_lufs")
            #expect(abs(a - b) <= 0.1, "\(meter): WAV \(a) LUFS, M4A \(b) LUFS")
            // Our reader honours the edit list: exactly the 7.5 s that went in (ffmpeg 5.1's decode keeps
            // the last frame's padding).
            let duration = try NormalizeCommandTests.number(NormalizeCommandTests.object(fromM4A.json()), "duration_s")
            #expect(abs(duration - 7.5) < 0.001, "\(meter): M4A input read as \(duration) s of 7.5 s")
        }
        let output = path("normalized.wav")
        let normalized = try CommandRunner.run(["normalize", m4a, "-o", output])
        #expect(normalized.status == 0, "\(normalized.stderr)")
        let lufs = try NormalizeCommandTests.number(NormalizeCommandTests.reference(output), "integrated_lufs")
        #expect(abs(lufs + 16) <= 0.2, "normalized from M4A: \(lufs) LUFS")
    }

    // MARK: - Season

    /// The issue's season: MP3, M4A and Opus per episode, chapters on one episode and a transcript on the
    /// other, every file and the feed read back by tools that share no code with ours.
    @Test func seasonInThreeFormatsIsReadBackCompletelyByOtherToolsParsers() throws {
        let fixture = try SeasonCommandTests.SeasonFixture(
            count: 2, formats: "[mp3, m4a@128k, opus@48k]", extraEpisodes: "    transcript: ep02.vtt\n")
        try Data("WEBVTT\n\n00:00.600 --> 00:02.000\n<v Ann>Hello there.\n\n00:02.000 --> 00:03.400\nGoodbye.\n".utf8)
            .write(to: URL(fileURLWithPath: fixture.folder + "/ep02.vtt"))
        let result = try CommandRunner.run(["season", fixture.manifest, "-o", fixture.out, "--json"])
        #expect(result.status == 0, "\(result.stderr)")
        for n in 1...2 {
            let stem = fixture.out + "/ep0\(n)"
            #expect(FileManager.default.fileExists(atPath: stem + ".mp3"))
            let m4a = stem + ".m4a"
            let measured = try NormalizeCommandTests.reference(m4a)
            let lufs = try NormalizeCommandTests.number(measured, "integrated_lufs")
            let peak = try NormalizeCommandTests.number(measured, "true_peak_dbtp")
            // The episodes are mono: dual-mono, −19 LUFS measured as one channel.
            #expect(abs(lufs + 19) <= 0.2, "ep0\(n).m4a: \(lufs) LUFS")
            #expect(peak <= -1, "ep0\(n).m4a: \(peak) dBTP")
            let streams = try #require(NormalizeCommandTests.ffprobe(m4a)["streams"] as? [[String: Any]])
            #expect(streams.first?["codec_name"] as? String == "aac")
            let opus = try #require(NormalizeCommandTests.ffprobe(stem + ".opus")["streams"] as? [[String: Any]])
            #expect(opus.first?["codec_name"] as? String == "opus")
            let tags = try Self.mutagenMP4(m4a, artwork: fixture.folder + "/cover.png")
            #expect((tags["text"] as? [String: String])?["\u{a9}nam"] == "Episode \(n)")
            #expect(tags["covers"] as? [Bool] == [true])
        }
        let chapters = try #require(NormalizeCommandTests.ffprobe(fixture.out + "/ep01.m4a")["chapters"] as? [Any])
        #expect(chapters.count == 2)
        let nero = try Self.mutagenMP4(fixture.out + "/ep01.m4a", artwork: fixture.folder + "/cover.png")
        #expect((nero["chapters"] as? [[String: Any]])?.compactMap { $0["title"] as? String } == ["Hello", "Main"])

        // The feed, read by gPodder's podcastparser and by feedparser: every episode, its enclosure with its
        // exact length, its duration, chapters and transcript links, and the three alternates.
        let script = #"""
            import json, os, sys, podcastparser, feedparser, xml.etree.ElementTree as ET
            path, folder = sys.argv[1], sys.argv[2]
            # Transcript and chapters links through the standard library's XML reader: podcastparser reads
            # them only from 0.6.10, and Debian 12 ships 0.6.9.
            root = ET.parse(path).getroot()
            with open(path, 'rb') as fh:
                pp = podcastparser.parse('https://cdn.example.org/show/feed.xml', fh)
            fp = feedparser.parse(path)
            def size(url): return os.path.getsize(os.path.join(folder, url.rsplit('/', 1)[1]))
            print(json.dumps({
                'bozo': int(fp.bozo),
                'titles': sorted(e['title'] for e in pp['episodes']),
                'fp_titles': sorted(e.title for e in fp.entries),
                'sizes_match': all(e['enclosures'][0]['file_size'] == size(e['enclosures'][0]['url'])
                                   for e in pp['episodes']),
                'types': sorted(e['enclosures'][0]['mime_type'] for e in pp['episodes']),
                'durations': sorted(e['total_time'] for e in pp['episodes']),
                'links': sorted(el.get('url') for tag in ('transcript', 'chapters')
                                for el in root.iter('{https://podcastindex.org/namespace/1.0}' + tag)),
            }))
            """#
        let text = try NormalizeCommandTests.tool(["python3", "-c", script, fixture.out + "/feed.xml", fixture.out])
        let read = try NormalizeCommandTests.object(JSONSerialization.jsonObject(with: Data(text.utf8)))
        #expect(read["bozo"] as? Int == 0)
        #expect(read["titles"] as? [String] == ["Episode 1", "Episode 2"])
        #expect(read["fp_titles"] as? [String] == ["Episode 1", "Episode 2"])
        #expect(read["sizes_match"] as? Bool == true)
        #expect(read["types"] as? [String] == ["audio/mpeg", "audio/mpeg"])
        #expect((read["durations"] as? [Int])?.allSatisfy { (2...4).contains($0) } == true, "\(read)")
        #expect(
            read["links"] as? [String] == [
                "https://cdn.example.org/show/ep01.chapters.json", "https://cdn.example.org/show/ep02.transcript.vtt",
            ])
        let feed = try String(contentsOfFile: fixture.out + "/feed.xml", encoding: .utf8)
        #expect(feed.components(separatedBy: "<podcast:alternateEnclosure").count - 1 == 6)
        let lint = try CommandRunner.run(["lint", fixture.out + "/feed.xml"])
        #expect(lint.status == 0, "\(lint.stdout)")
    }
}
