import Foundation
import PodsmithTestSupport
import Testing

@testable import PodsmithCodecs
@testable import PodsmithCore
@testable import PodsmithKit

/// `lint` on M4A files: the inspector reads our encoder's files and ffmpeg's, and Apple's AAC rules
/// flag another AAC profile, a low bitrate and a moov box at the end.
@Suite struct MP4InspectorTests {
    static func ids(_ findings: [LintFinding]) -> Set<String> { Set(findings.map(\.ruleID)) }

    /// 3 s of a -20 dBFS sine, stereo 44.1 kHz, as a float WAV for ffmpeg to encode.
    static func sineWAV() throws -> String {
        let path = TemporaryFolder.uniquePath(".wav")
        let planes = TestSignals.sinePlanes(sampleRate: 44_100, frames: 132_300, channels: 2)
        let writer = try SoundFileWriter(
            path: path, format: AudioFormat(sampleRate: 44_100, channelCount: 2),
            options: .init(container: .wav, encoding: .float32))
        let buffer = AudioBuffer(channelCount: 2, capacity: planes[0].count)
        buffer.fill(from: planes)
        try writer.write(buffer)
        try writer.finish()
        return path
    }

    /// ffmpeg's own M4A of the sine with `arguments` (an encoder that is not ours).
    static func ffmpegM4A(_ arguments: [String]) throws -> String {
        let wav = try sineWAV()
        defer { try? FileManager.default.removeItem(atPath: wav) }
        let path = TemporaryFolder.uniquePath(".m4a")
        let result = try ExternalTools.run(
            "ffmpeg", ["-v", "error", "-y", "-i", wav, "-c:a", "aac"] + arguments + [path])
        try #require(result.status == 0, "ffmpeg: \(result.stderr)")
        return path
    }

    @Test func ourM4AIsAACLCMoovFirstWithItsCoverAndPassesApplesFormatRules() throws {
        let path = TemporaryFolder.uniquePath(".m4a")
        defer { try? FileManager.default.removeItem(atPath: path) }
        let art = try EncoderTestSupport.image(.jpeg, width: 1400, height: 1400)
        let encoder = try M4AEncoder(
            path: path, sampleRate: 48_000, channelCount: 2, metadata: EpisodeMetadata(artwork: art))
        let planes = TestSignals.sinePlanes(sampleRate: 48_000, frames: 96_000, channels: 2)
        try EncoderTestSupport.encode(encoder, planes: planes, sampleRate: 48_000)

        let facts = try FileInspector.inspect(path: path)
        #expect(facts.container == .m4a)
        #expect(facts.sampleRate == 48_000 && facts.channelCount == 2)
        let mp4 = try #require(facts.mp4, "\(facts.problems)")
        #expect(mp4.isAACLC && mp4.moovFirst, "\(mp4)")
        #expect(abs((facts.durationSeconds ?? 0) - 2) < 0.001, "duration \(facts.durationSeconds ?? -1)")
        #expect(facts.artwork?.format == .jpeg && facts.artwork?.width == 1400, "\(String(describing: facts.artwork))")
        let findings = Linter.check(facts: facts, loudness: nil, platform: .apple)
        #expect(findings.isEmpty, "\(findings)")
    }

    @Test func anotherProfileALowBitrateAndAMoovAtTheEndAreFlaggedForApple() throws {
        let main = try Self.ffmpegM4A(["-profile:a", "aac_main", "-b:a", "128k", "-movflags", "+faststart"])
        defer { try? FileManager.default.removeItem(atPath: main) }
        let mainFacts = try FileInspector.inspect(path: main)
        #expect(mainFacts.mp4?.audioObjectType == 1, "\(String(describing: mainFacts.mp4))")
        #expect(Self.ids(Linter.check(facts: mainFacts, loudness: nil, platform: .apple)) == ["m4a.codec"])

        let low = try Self.ffmpegM4A(["-b:a", "32k"])
        defer { try? FileManager.default.removeItem(atPath: low) }
        let lowFacts = try FileInspector.inspect(path: low)
        #expect(lowFacts.mp4?.moovFirst == false, "ffmpeg writes the moov box last without +faststart")
        let findings = Linter.check(facts: lowFacts, loudness: nil, platform: .apple)
        #expect(Self.ids(findings) == ["m4a.bitrate-minimum", "m4a.fast-start"], "\(findings)")
        #expect(findings.first { $0.ruleID == "m4a.fast-start" }?.severity == .warning)
        // Other platforms do not judge the codec.
        #expect(Linter.check(facts: lowFacts, loudness: nil, platform: .spotify).isEmpty)
    }
}
