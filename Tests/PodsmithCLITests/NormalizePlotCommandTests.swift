import Foundation
import PodsmithKit
import PodsmithTestSupport
import Testing

/// `podsmith normalize --plot FILE.svg`: the season's loudness plot for one episode.
@Suite struct NormalizePlotCommandTests {
    /// The labels of the plot's time axis.
    static func timeLabels(_ svg: String) throws -> [String] {
        let start = try #require(svg.range(of: "<g class=\"time-axis\""))
        let end = try #require(svg.range(of: "</g>", range: start.upperBound..<svg.endIndex))
        return svg[start.upperBound..<end.lowerBound].components(separatedBy: "</text>").dropLast()
            .compactMap { $0.components(separatedBy: ">").last }
    }

    // The plot's x-axis was the input's time (0–0:33 for a 0:26 episode), not the time players show.
    @Test func plotIsTheSeasonsLoudnessPlotOfTheEpisodeOnItsOwnTimeline() throws {
        let folder = NSTemporaryDirectory() + "podsmith-plot-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        // Two second-long stretches of speech-like noise 4 s apart, with silence at both ends (≈ 6.5 s).
        let first = NormalizeCommandTests.speechLike(seconds: 1, head: 0.5, tail: 4)
        let second = NormalizeCommandTests.speechLike(seconds: 1, head: 0, tail: 0.5)
        let input = folder + "/talk.wav"
        let writer = try SoundFileWriter(
            path: input, format: AudioFormat(sampleRate: 44_100, channelCount: 1),
            options: .init(container: .wav, encoding: .float32))
        let buffer = AudioBuffer(channelCount: 1, capacity: first.count + second.count)
        buffer.fill(from: [first + second])
        try writer.write(buffer)
        try writer.finish()

        let result = try CommandRunner.run([
            "normalize", input, "-o", folder + "/talk.flac", "--plot", folder + "/talk.svg", "--title", "Épisode <1>",
            "--max-pause", "0.5", "--json",
        ])
        #expect(result.status == 0, "\(result.stderr)")
        let report = try #require(try result.json() as? [String: Any])
        let outputSeconds = try #require(report["output_duration_s"] as? Double)
        #expect(outputSeconds < 3.5, "the pause is cut and the ends trimmed: \(outputSeconds) s")
        let svg = try String(contentsOfFile: folder + "/talk.svg", encoding: .utf8)
        #expect(svg.hasPrefix("<svg xmlns=\"http://www.w3.org/2000/svg\""))
        #expect(svg.contains("class=\"short-term\"") && svg.contains("class=\"momentary\""))
        #expect(svg.contains("Épisode &lt;1&gt;"), "the title, escaped")
        // The mono episode is normalized as dual-mono: the target line is drawn at −19.0 LUFS.
        #expect(svg.contains("target -19.0 LUFS"), "\(svg.suffix(800))")
        // The output's timeline: no tick past its end (the input ran to 0:06); the cut pause is one marker.
        let labels = try Self.timeLabels(svg)
        #expect(labels.first == "0:00" && !labels.contains("0:04") && !labels.contains("0:06"), "\(labels)")
        let cuts = try #require(
            svg.components(separatedBy: "<g class=\"cuts\"").last?.components(separatedBy: "</g>").first)
        #expect(cuts.components(separatedBy: "<line").count - 1 == 1, "\(cuts)")
        #expect(svg.contains("cut pause") && !svg.contains(">removed<"))

        // With the leveler, its lane under the loudness; where the limiter acted, its depth lane.
        let leveled = try CommandRunner.run([
            "normalize", input, "-o", folder + "/leveled.flac", "--plot", folder + "/leveled.svg", "--leveler",
            "--max-pause", "0.5", "--json",
        ])
        #expect(leveled.status == 0, "\(leveled.stderr)")
        let leveledReport = try #require(try leveled.json() as? [String: Any])
        let leveledSVG = try String(contentsOfFile: folder + "/leveled.svg", encoding: .utf8)
        if leveledReport["leveler"] is [String: Any] {
            #expect(leveledSVG.contains("class=\"leveler\"") && leveledSVG.contains(">leveler gain<"))
        }
        #expect(!svg.contains("class=\"leveler\""), "no leveler, no lane")
        let limited = (leveledReport["limited_s"] as? Double ?? 0) > 0
        #expect(
            leveledSVG.contains("class=\"limiter-axis\"") == limited, "limited_s \(leveledReport["limited_s"] ?? "")")

        // The plot must not replace the input.
        let over = try CommandRunner.run(["normalize", input, "-o", folder + "/b.flac", "--plot", input])
        #expect(over.status == 64, "\(over.stderr)")
    }
}
