import Foundation
import PodsmithTestSupport
import Testing

/// `podsmith normalize --plot FILE.svg`: the season's loudness plot for one episode.
@Suite struct NormalizePlotCommandTests {
    @Test func plotIsTheSeasonsLoudnessPlotOfTheNormalizedEpisode() throws {
        let folder = NSTemporaryDirectory() + "podsmith-plot-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let input = folder + "/talk.wav"
        try SeasonCommandTests.SeasonFixture.writeEpisode(path: input, seed: 3)
        let result = try CommandRunner.run([
            "normalize", input, "-o", folder + "/talk.flac", "--plot", folder + "/talk.svg", "--title", "Épisode <1>",
            "--quiet",
        ])
        #expect(result.status == 0, "\(result.stderr)")
        let svg = try String(contentsOfFile: folder + "/talk.svg", encoding: .utf8)
        #expect(svg.hasPrefix("<svg xmlns=\"http://www.w3.org/2000/svg\""))
        #expect(svg.contains("class=\"short-term\"") && svg.contains("class=\"momentary\""))
        #expect(svg.contains("class=\"target\"") && svg.contains("class=\"removed\""))
        #expect(svg.contains("Épisode &lt;1&gt;"), "the title, escaped")
        // The mono episode is normalized as dual-mono: the target line is drawn at −19.0 LUFS.
        #expect(svg.contains("target -19.0 LUFS"), "\(svg.suffix(800))")
        #expect(FileManager.default.fileExists(atPath: folder + "/talk.flac"))

        // The plot must not replace the input.
        let over = try CommandRunner.run(["normalize", input, "-o", folder + "/b.flac", "--plot", input])
        #expect(over.status == 64, "\(over.stderr)")
    }
}
