import Foundation
import PodsmithTestSupport
import Testing

@testable import PodsmithCodecs
@testable import PodsmithCore
@testable import PodsmithKit
@testable import PodsmithSeason

#if canImport(FoundationXML)
import FoundationXML
#endif

/// `podsmith season` end to end on a generated season: a manifest with show artwork, chapters and
/// two formats per episode. Everything written is read back by parsers that are not ours where one
/// exists (ffprobe, XMLParser), and the second run must skip every episode.
@Suite(.serialized) struct SeasonCommandTests {
    /// A folder with `count` short speech-like episodes, a cover, a chapters file and a manifest.
    final class SeasonFixture {
        let folder: String
        let count: Int
        var manifest: String { folder + "/season.yml" }
        var out: String { folder + "/public" }

        init(count: Int = 10, formats: String = "[mp3, opus@48k]", extraEpisodes: String = "") throws {
            self.count = count
            folder = NSTemporaryDirectory() + "podsmith-season-\(UUID().uuidString)"
            let fm = FileManager.default
            try fm.createDirectory(atPath: folder + "/raw", withIntermediateDirectories: true)
            for n in 1...count {
                try Self.writeEpisode(path: folder + "/raw/ep\(String(format: "%02d", n)).wav", seed: UInt64(n))
            }
            try Self.writePNG(path: folder + "/cover.png", side: 1400)
            try Data(
                #"{"version":"1.2.0","chapters":[{"startTime":0,"title":"Hello"},{"startTime":2.5,"title":"Main"}]}"#
                    .utf8
            )
            .write(to: URL(fileURLWithPath: folder + "/ep01.chapters-in.json"))
            var yaml = """
                show:
                  title: "Generated Show & Co"
                  author: Test Author
                  owner_email: owner@example.org
                  description: A generated season.
                  language: en
                  categories: [Technology]
                  artwork: cover.png
                  base_url: https://cdn.example.org/show/
                defaults:
                  formats: \(formats)
                episodes:

                """
            for n in 1...count {
                let id = String(format: "%02d", n)
                yaml += """
                      - file: raw/ep\(id).wav
                        title: "Episode \(n)"
                        number: \(n)
                        season: 1
                        date: 2026-10-\(id)
                        description: Notes for episode \(n).

                    """
                if n == 1 { yaml += "    chapters: ep01.chapters-in.json\n" }
            }
            yaml += extraEpisodes
            try Data(yaml.utf8).write(to: URL(fileURLWithPath: manifest))
        }

        deinit { try? FileManager.default.removeItem(atPath: folder) }

        /// 4 s of speech-like bursts at 44.1 kHz mono, with half a second of silence at each end.
        static func writeEpisode(path: String, seed: UInt64, seconds: Double = 4) throws {
            let rate = 44_100.0
            let frames = Int(seconds * rate)
            var state = seed &* 0x9E37_79B9_7F4A_7C15 | 1
            var plane = [Float](repeating: 0, count: frames)
            for i in 0..<frames {
                state ^= state << 13
                state ^= state >> 7
                state ^= state << 17
                let noise = Float(Double(state >> 11) / Double(1 << 53) * 2 - 1)
                let t = Double(i) / rate
                let on = t > 0.5 && t < seconds - 0.5
                let envelope = on ? 0.5 * (1 - cos(2 * Double.pi * 3 * t)) : 0
                plane[i] = noise * Float(0.1 * envelope) + noise * 0.0005
            }
            let writer = try SoundFileWriter(
                path: path, format: AudioFormat(sampleRate: rate, channelCount: 1),
                options: .init(container: .wav, encoding: .pcm16))
            let buffer = AudioBuffer(channelCount: 1, capacity: frames)
            buffer.fill(from: [plane])
            try writer.write(buffer)
            try writer.finish()
        }

        /// A square RGB PNG made by ffmpeg (an independent encoder).
        static func writePNG(path: String, side: Int) throws {
            let result = try ExternalTools.run(
                "ffmpeg",
                [
                    "-loglevel", "error", "-y", "-f", "lavfi", "-i",
                    "color=c=teal:s=\(side)x\(side)", "-frames:v", "1", path,
                ])
            guard result.status == 0 else { throw PodsmithError.internalError("ffmpeg: \(result.stderr)") }
        }
    }

    @Test func seasonWritesEverythingAndSecondRunSkipsAll() throws {
        let fixture = try SeasonFixture()
        let first = try CommandRunner.run(["season", fixture.manifest, "-o", fixture.out, "--jobs", "2", "--json"])
        #expect(first.status == 0, "\(first.stderr)")
        let summary = try #require(try first.json() as? [String: Any])
        let episodes = try #require(summary["episodes"] as? [[String: Any]])
        #expect(episodes.count == fixture.count)
        #expect(episodes.allSatisfy { $0["status"] as? String == "processed" })

        let fm = FileManager.default
        let files = Set(try fm.contentsOfDirectory(atPath: fixture.out))
        for n in 1...fixture.count {
            let stem = String(format: "ep%02d", n)
            for suffix in [".mp3", ".opus", ".waveform.json", ".loudness.svg", ".report.json"] {
                #expect(files.contains(stem + suffix), "\(stem)\(suffix) missing")
            }
        }
        #expect(files.contains("ep01.chapters.json"))
        #expect(files.isSuperset(of: ["report.json", "index.html", "feed.xml", "artwork.png"]))
        #expect(!files.contains { $0.contains(AtomicOutputFile.marker) }, "temporary left behind")

        // Every MP3 is at the target (mono, dual-mono: −19 LUFS as one channel) by libebur128.
        for n in [1, fixture.count] {
            let path = fixture.out + String(format: "/ep%02d.mp3", n)
            let measured = try LoudnessAnalysis.measure(SoundFileReader(path: path), meter: .libebur128)
            #expect(abs(try #require(measured.integratedLUFS) - (-16 - MonoConvention.dualMonoOffsetDB)) <= 0.2)
            #expect(try #require(measured.truePeakDBTP) <= -1)
        }

        // The feed parses, lists every episode, and its enclosure lengths are the files' sizes.
        let feed = try FeedDocument(path: fixture.out + "/feed.xml")
        #expect(feed.items.count == fixture.count)
        for item in feed.items {
            let name = try #require(
                item.enclosureURL?.replacingOccurrences(of: "https://cdn.example.org/show/", with: ""))
            #expect(name.hasSuffix(".mp3"), "the first listed format is the enclosure")
            let size = try fm.attributesOfItem(atPath: fixture.out + "/" + name)[.size] as? Int64
            #expect(item.enclosureLength == size)
            let decoded = try LoudnessAnalysis.measure(
                SoundFileReader(path: fixture.out + "/" + name), meter: .podsmith)
            #expect(item.duration == String(Int(decoded.durationSeconds.rounded())), "itunes:duration is whole seconds")
        }
        let first1 = try #require(feed.items.first { $0.enclosureURL?.hasSuffix("ep01.mp3") == true })
        #expect(first1.chaptersURL == "https://cdn.example.org/show/ep01.chapters.json")

        // report.json covers the season; the waveform follows audiowaveform's format.
        let report = try #require(
            try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: fixture.out + "/report.json")))
                as? [String: Any])
        #expect((report["episodes"] as? [Any])?.count == fixture.count)
        let totals = try #require(report["totals"] as? [String: Any])
        #expect(totals["failed"] as? Int == 0)
        #expect(try #require(totals["max_deviation_lu"] as? Double) <= 0.2)
        let waveform = try #require(
            try JSONSerialization.jsonObject(
                with: Data(contentsOf: URL(fileURLWithPath: fixture.out + "/ep02.waveform.json"))) as? [String: Any])
        for key in ["version", "channels", "sample_rate", "samples_per_pixel", "bits", "length", "data"] {
            #expect(waveform[key] != nil, "waveform key \(key)")
        }
        let index = try String(contentsOfFile: fixture.out + "/index.html", encoding: .utf8)
        #expect(index.contains("Episode 10") && index.contains("<svg"))

        // Tags and artwork in the MP3, read by ffprobe.
        let probe = try ExternalTools.ffprobe(
            fixture.out + "/ep01.mp3", ["-show_format", "-show_chapters", "-show_streams"])
        let tags = try #require((probe["format"] as? [String: Any])?["tags"] as? [String: Any])
        #expect(tags["title"] as? String == "Episode 1")
        #expect(tags["album"] as? String == "Generated Show & Co")
        #expect((probe["chapters"] as? [Any])?.count == 2)
        #expect((probe["streams"] as? [[String: Any]])?.contains { $0["codec_name"] as? String == "png" } == true)

        let second = try CommandRunner.run(["season", fixture.manifest, "-o", fixture.out, "--json"])
        #expect(second.status == 0)
        let again = try #require((try second.json() as? [String: Any])?["episodes"] as? [[String: Any]])
        #expect(again.allSatisfy { $0["status"] as? String == "up-to-date" }, "\(again.map { $0["status"] ?? "?" })")
    }

    @Test func oneBadEpisodeFailsAloneAndTheExitCodeSaysSo() throws {
        let fixture = try SeasonFixture(
            count: 2, formats: "[mp3]",
            extraEpisodes: """
                  - file: raw/broken.wav
                    title: Broken

                """)
        try Data("this is not audio".utf8).write(to: URL(fileURLWithPath: fixture.folder + "/raw/broken.wav"))
        let result = try CommandRunner.run(["season", fixture.manifest, "-o", fixture.out, "--quiet"])
        #expect(result.status == 1)
        #expect(result.errorLines.count == 1 && result.errorLines[0].contains("broken"), "\(result.stderr)")
        // One line that names the file once: `podsmith: …/raw/broken.wav: not a readable audio file…`.
        #expect(result.errorLines.first?.components(separatedBy: "broken.wav").count == 2, "\(result.stderr)")
        #expect(result.errorLines.first?.contains("not a readable audio file") == true)
        let files = try FileManager.default.contentsOfDirectory(atPath: fixture.out)
        #expect(files.contains("ep01.mp3") && files.contains("ep02.mp3") && !files.contains("broken.mp3"))
        // The season files still cover what succeeded; the report lists the failure.
        let report = try String(contentsOfFile: fixture.out + "/report.json", encoding: .utf8)
        #expect(report.contains("\"failed\" : 1") || report.contains("\"failed\": 1"))
    }

    // The season used to accept any 8–320 kbit/s and fail every episode after its analysis.
    @Test func aBitrateTheCodecCannotTakeIsAManifestErrorBeforeAnyWork() throws {
        let fixture = try SeasonFixture(count: 1, formats: "[mp3@100k]")
        let result = try CommandRunner.run(["season", fixture.manifest, "-o", fixture.out])
        #expect(result.status == 65, "\(result.stderr)")
        #expect(result.errorLines.count == 1, "\(result.stderr)")
        #expect(
            result.errorLines.first?.contains("defaults.formats[0]: 'mp3@100k': bitrate 100 is not an MP3 bitrate")
                == true, "\(result.errorLines)")
        #expect(!FileManager.default.fileExists(atPath: fixture.out), "nothing done")
    }

    // `normalize --leveler-strength` without `--leveler` was refused, the manifest's `leveler_strength`
    // without `leveler: true` silently ignored.
    @Test func aLevelerStrengthWithoutTheLevelerIsAManifestErrorBeforeAnyWork() throws {
        let fixture = try SeasonFixture(count: 2, formats: "[mp3]\n  leveler_strength: 0.5\n  colour: blue")
        let result = try CommandRunner.run(["season", fixture.manifest, "-o", fixture.out])
        #expect(result.status == 65, "\(result.stderr)")
        let text = result.errorLines.joined(separator: "\n")
        #expect(text.contains("defaults.leveler_strength: leveler_strength needs the leveler"), "\(text)")
        #expect(text.contains("add 'leveler: true'") && text.contains("defaults.colour"), "every problem: \(text)")
        #expect(!FileManager.default.fileExists(atPath: fixture.out), "nothing done")
    }

    @Test func invalidManifestListsEveryProblemAndTouchesNothing() throws {
        let fixture = try SeasonFixture(
            count: 1, formats: "[mp3]",
            extraEpisodes: """
                  - file: raw/missing.wav
                    title: Missing
                    date: yesterday
                    colour: blue

                """)
        let result = try CommandRunner.run(["season", fixture.manifest, "-o", fixture.out])
        #expect(result.status == 65)
        let text = result.errorLines.joined(separator: "\n")
        #expect(text.contains("episodes[1].file"), "\(text)")
        #expect(text.contains("episodes[1].date"))
        #expect(text.contains("episodes[1].colour"))
        #expect(!FileManager.default.fileExists(atPath: fixture.out), "nothing done")
    }

    @Test func interruptedSeasonKeepsFinishedEpisodesAndTheNextRunFinishes() throws {
        let fixture = try SeasonFixture(count: 6, formats: "[mp3]")
        let process = Process()
        process.executableURL = CommandRunner.binary
        process.arguments = ["season", fixture.manifest, "-o", fixture.out, "--jobs", "1", "--quiet"]
        let errors = Pipe()
        process.standardError = errors
        let launched = Date()
        try process.run()
        // Let it finish an episode or two, then Ctrl-C.
        let deadline = Date().addingTimeInterval(600)
        while Date() < deadline {
            let done =
                (try? FileManager.default.contentsOfDirectory(atPath: fixture.out))?
                .filter { $0.hasSuffix(".report.json") }.count ?? 0
            if done >= 1 { break }
            usleep(50_000)
        }
        // The scale, measured on this machine in this build (debug, ASan, loaded): how long the run took to
        // start and finish its first episode.
        let firstEpisode = Date().timeIntervalSince(launched)
        kill(process.processIdentifier, SIGINT)
        let stopped = Date()
        process.waitUntilExit()
        // Stopping abandons the episode in hand: it takes less than doing one episode from a cold start.
        let stopping = Date().timeIntervalSince(stopped)
        #expect(stopping < firstEpisode, "stopped in \(stopping) s; the first episode took \(firstEpisode) s")
        #expect(process.terminationStatus == 130)
        // §7 #25: the interrupt says how far the season got and that a rerun completes it.
        let said = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        let finished = try FileManager.default.contentsOfDirectory(atPath: fixture.out + "/.podsmith/episodes")
            .filter { $0.hasSuffix(".json") }.count
        // (An episode may finish between the count and the exit: the state folder can hold one more.)
        #expect(
            (said.contains("interrupted: \(finished) of 6 episodes finished and kept")
                || said.contains("interrupted: \(finished - 1) of 6 episodes finished and kept"))
                && said.contains("run the same command again"), "\(said)")
        let files = try FileManager.default.contentsOfDirectory(atPath: fixture.out)
        #expect(!files.contains { $0.contains(AtomicOutputFile.marker) }, "temporary left behind: \(files)")
        for mp3 in files where mp3.hasSuffix(".mp3") {
            // Every MP3 present is complete: it decodes to its full length.
            let measured = try LoudnessAnalysis.measure(
                SoundFileReader(path: fixture.out + "/" + mp3), meter: .podsmith)
            #expect(measured.durationSeconds > 2.5, "\(mp3) is incomplete")
        }
        let resumed = try CommandRunner.run(["season", fixture.manifest, "-o", fixture.out, "--json"])
        #expect(resumed.status == 0)
        let outcomes = try #require((try resumed.json() as? [String: Any])?["episodes"] as? [[String: Any]])
        #expect(outcomes.filter { $0["status"] as? String == "up-to-date" }.count >= 1)
        #expect(outcomes.allSatisfy { ["processed", "up-to-date"].contains($0["status"] as? String ?? "") })
        // The episode under way when Ctrl-C came is redone for that reason, not "no previous run".
        #expect(
            outcomes.contains { $0["message"] as? String == "previous run interrupted" },
            "\(outcomes.map { $0["message"] ?? "-" })")
    }
}

/// The parts of an RSS item the tests check, read with Foundation's XMLParser.
struct FeedDocument {
    struct Item {
        var enclosureURL: String?
        var enclosureLength: Int64?
        var duration: String?
        var chaptersURL: String?
    }
    var items: [Item] = []

    init(path: String) throws {
        final class Delegate: NSObject, XMLParserDelegate {
            var items: [Item] = []
            var current: Item?
            var text = ""
            func parser(
                _ parser: XMLParser, didStartElement name: String, namespaceURI: String?,
                qualifiedName: String?, attributes: [String: String] = [:]
            ) {
                text = ""
                switch name {
                case "item": current = Item()
                case "enclosure":
                    current?.enclosureURL = attributes["url"]
                    current?.enclosureLength = attributes["length"].flatMap { Int64($0) }
                case "podcast:chapters": current?.chaptersURL = attributes["url"]
                default: break
                }
            }
            func parser(_ parser: XMLParser, foundCharacters string: String) { text += string }
            func parser(_ parser: XMLParser, didEndElement name: String, namespaceURI: String?, qualifiedName: String?)
            {
                if name == "itunes:duration" { current?.duration = text }
                if name == "item", let item = current {
                    items.append(item)
                    current = nil
                }
            }
        }
        let parser = try #require(XMLParser(contentsOf: URL(fileURLWithPath: path)))
        let delegate = Delegate()
        parser.delegate = delegate
        guard parser.parse() else {
            throw PodsmithError.internalError("feed.xml does not parse: \(String(describing: parser.parserError))")
        }
        items = delegate.items
    }
}
