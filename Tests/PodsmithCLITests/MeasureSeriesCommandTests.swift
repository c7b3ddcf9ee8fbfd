import Foundation
import PodsmithKit
import PodsmithTestSupport
import Testing

/// `podsmith measure --series`: the loudness over time, to judge a programme's balance (a quiet guest,
/// a hot jingle) without another tool.
@Suite struct MeasureSeriesCommandTests {
    /// 2 s of a stereo 1 kHz sine at −20 dBFS (−20 LUFS), then 2 s at −30 dBFS, as a float WAV.
    static func writeStep(_ path: String) throws {
        let rate = 48_000.0
        let loud = TestSignals.sine(
            frequency: 1000, amplitude: TestSignals.amplitude(dBFS: -20), seconds: 2, sampleRate: rate)
        let quiet = TestSignals.sine(
            frequency: 1000, amplitude: TestSignals.amplitude(dBFS: -30), seconds: 2, sampleRate: rate)
        let plane = loud + quiet
        let writer = try SoundFileWriter(
            path: path, format: AudioFormat(sampleRate: rate, channelCount: 2),
            options: .init(container: .wav, encoding: .float32))
        let buffer = AudioBuffer(channelCount: 2, capacity: plane.count)
        buffer.fill(from: [plane, plane])
        try writer.write(buffer)
        try writer.finish()
    }

    @Test func seriesGiveMomentaryAndShortTermLoudnessEvery100msAsCSVAndJSON() throws {
        let path = NSTemporaryDirectory() + "podsmith-series-\(UUID().uuidString).wav"
        defer { try? FileManager.default.removeItem(atPath: path) }
        try Self.writeStep(path)

        let csv = try CommandRunner.run(["measure", "--series", "csv", path])
        #expect(csv.status == 0, "\(csv.stderr)")
        let rows = csv.stdout.split(separator: "\n").map { $0.split(separator: ",", omittingEmptySubsequences: false) }
        #expect(rows.first == ["file", "time_s", "momentary_lufs", "short_term_lufs"])
        #expect(rows.count == 41, "40 windows in 4 s")
        func row(_ time: String) throws -> (momentary: Double, shortTerm: Double) {
            let found = try #require(rows.first { $0.count == 4 && $0[1] == Substring(time) }, "no row at \(time)")
            return (try #require(Double(found[2])), try #require(Double(found[3])))
        }
        // Momentary (400 ms) windows inside each half read its level; the short-term (3 s) window ending at
        // 4 s holds 1 s at −20 and 2 s at −30 LUFS: −20 + 10·log10((1 + 2 × 0.1) / 3) = −23.98.
        #expect(abs(try row("1.5").momentary - -20) <= 0.1)
        #expect(abs(try row("3.9").momentary - -30) <= 0.1)
        #expect(abs(try row("4.0").shortTerm - -23.98) <= 0.1)

        let json = try CommandRunner.run(["measure", "--series", "json", path])
        #expect(json.status == 0, "\(json.stderr)")
        let object = try #require(try json.json() as? [String: Any])
        #expect(object["file"] as? String == path && object["hop_s"] as? Double == 0.1)
        let momentary = try #require(object["momentary_lufs"] as? [Double])
        #expect(momentary.count == 40 && abs(momentary[14] - -20) <= 0.1)
        #expect((object["short_term_lufs"] as? [Double])?.count == 40)

        let reference = try CommandRunner.run(["measure", "--series", "csv", "--meter", "libebur128", path])
        #expect(reference.status == 64, "libebur128 records no series: \(reference.stderr)")
    }
}
