import Foundation
import PodsmithTestSupport
import Testing

@testable import PodsmithCodecs
@testable import PodsmithCore
@testable import PodsmithKit
@testable import PodsmithSeason

@Suite struct OpusEncoderTests {
    typealias Support = EncoderTestSupport

    /// libopusenc records the pre-skip and the final granule position, so a decoder that honours
    /// them (libsndfile, ffmpeg) returns exactly the frames we gave it.
    @Test(arguments: [1, 2])
    func decodesBackToTheSameLength(channels: Int) throws {
        let path = TemporaryFolder.uniquePath(".opus")
        defer { try? FileManager.default.removeItem(atPath: path) }
        let frames = 48_000 + 321
        let planes = TestSignals.sinePlanes(
            frequency: 440, levelDBFS: -12, sampleRate: 48_000, frames: frames, channels: channels)
        let encoder = try OpusEncoder(path: path, sampleRate: 48_000, channelCount: channels)
        try Support.encode(encoder, planes: planes, sampleRate: 48_000, blockSize: 5000)
        #expect(encoder.framesWritten == Int64(frames))
        let (format, decoded) = try Support.decode(path)
        #expect(format.sampleRate == 48_000)
        #expect(format.channelCount == channels)
        #expect(decoded[0].count == frames)
        #expect(try ExternalTools.ffmpegDecodedFrames(path, channels: channels) == frames)
        // Lossy, but a 440 Hz tone at 48–64 kbit/s comes back close: RMS error ≥ 20 dB below the tone.
        var error = 0.0, signal = 0.0
        for i in 2000..<(frames - 2000) {
            let d = Double(decoded[0][i] - planes[0][i])
            error += d * d
            signal += Double(planes[0][i] * planes[0][i])
        }
        #expect(10 * log10(signal / error) > 20)
    }

    @Test func sixChannelsUseTheSurroundMappingFamily() throws {
        let path = TemporaryFolder.uniquePath(".opus")
        defer { try? FileManager.default.removeItem(atPath: path) }
        let encoder = try OpusEncoder(path: path, sampleRate: 48_000, channelCount: 6)
        try Support.encode(
            encoder, planes: TestSignals.sinePlanes(sampleRate: 48_000, frames: 9_600, channels: 6), sampleRate: 48_000)
        let probe = try ExternalTools.ffprobe(path, ["-show_streams"])
        let stream = try #require((probe["streams"] as? [[String: Any]])?.first)
        #expect(stream["channels"] as? Int == 6)
        #expect(try ExternalTools.ffmpegDecodedFrames(path, channels: 6) == 9_600)
    }

    @Test func bitrateDefaultsTo64kStereoAnd48kMono() {
        #expect(OpusEncoderOptions().effectiveBitrateKbps(channelCount: 2) == 64)
        #expect(OpusEncoderOptions().effectiveBitrateKbps(channelCount: 1) == 48)
        #expect(OpusEncoderOptions(bitrateKbps: 96).effectiveBitrateKbps(channelCount: 2) == 96)
    }

    @Test func bitrateOptionChangesTheFileSize() throws {
        func size(_ kbps: Int) throws -> Int {
            let path = TemporaryFolder.uniquePath(".opus")
            defer { try? FileManager.default.removeItem(atPath: path) }
            var rng = SplitMix64(seed: 48)
            let noise = (0..<2).map { _ in (0..<96_000).map { _ in Float.random(in: -0.3...0.3, using: &rng) } }
            try Support.encode(
                try OpusEncoder(
                    path: path, sampleRate: 48_000, channelCount: 2,
                    options: OpusEncoderOptions(bitrateKbps: kbps)),
                planes: noise, sampleRate: 48_000)
            return try FileManager.default.attributesOfItem(atPath: path)[.size] as! Int
        }
        // 2 s of noise: ≈ kbps × 250 bytes plus headers.
        let low = try size(32), high = try size(128)
        #expect(abs(Double(low) - 32 * 250) < 32 * 250 * 0.25)
        #expect(abs(Double(high) - 128 * 250) < 128 * 250 * 0.25)
    }

    @Test func otherRatesAreResampledByLibopusenc() throws {
        let path = TemporaryFolder.uniquePath(".opus")
        defer { try? FileManager.default.removeItem(atPath: path) }
        let encoder = try OpusEncoder(path: path, sampleRate: 44_100, channelCount: 2)
        try Support.encode(
            encoder, planes: TestSignals.sinePlanes(sampleRate: 44_100, frames: 44_100, channels: 2), sampleRate: 44_100
        )
        let (format, decoded) = try Support.decode(path)
        #expect(format.sampleRate == 48_000)
        #expect(abs(decoded[0].count - 48_000) <= 1)  // 1 s at 44.1 kHz is 1 s at 48 kHz
    }

    @Test func commentsChaptersAndPictureReadBackWithMutagen() throws {
        let path = TemporaryFolder.uniquePath(".opus")
        defer { try? FileManager.default.removeItem(atPath: path) }
        let art = try Support.image(.jpeg, width: 10, height: 20)
        let encoder = try OpusEncoder(
            path: path, sampleRate: 48_000, channelCount: 2,
            metadata: Support.fullMetadata(artwork: art))
        try Support.encode(
            encoder, planes: TestSignals.sinePlanes(sampleRate: 48_000, frames: 96_000, channels: 2), sampleRate: 48_000
        )
        let info = try ExternalTools.python(mutagenVorbisScript, [path])
        let tags = try #require(info["tags"] as? [String: [String]])
        #expect(tags["TITLE"] == ["Episode 12: Tägs"])
        #expect(tags["ALBUM"] == ["The Show"])
        #expect(tags["TRACKNUMBER"] == ["12"])
        #expect(tags["DISCNUMBER"] == ["3"])
        #expect(tags["DESCRIPTION"] == ["Show notes\nsecond line"])
        #expect(tags["CHAPTER002"] == ["00:00:00.500"])
        #expect(tags["CHAPTER002NAME"] == ["Ünïcode 话题"])
        let pictures = try #require(info["pictures"] as? [[String: Any]])
        #expect(pictures.count == 1)
        #expect(pictures.first?["mime"] as? String == "image/jpeg")
        #expect(pictures.first?["type"] as? Int == 3)
        #expect(pictures.first?["width"] as? Int == 10)
        #expect(pictures.first?["height"] as? Int == 20)
        let probe = try ExternalTools.ffprobe(path, ["-show_chapters"])
        #expect((probe["chapters"] as? [[String: Any]])?.count == 3)
    }
}
