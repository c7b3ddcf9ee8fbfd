import Foundation
import PodsmithTestSupport
import Testing

@testable import PodsmithCodecs
@testable import PodsmithCore
@testable import PodsmithKit
@testable import PodsmithSeason

@Suite struct MP3StreamDecoderTests {
    typealias Support = EncoderTestSupport

    /// A speech-like stereo signal: noise bursts (syllables) with a tone under them, pauses between
    /// words, channels a little different, a few sharp peaks.
    static func speechLike(seconds: Double, sampleRate: Double) -> [[Float]] {
        let frames = Int(seconds * sampleRate)
        var state: UInt64 = 0x9E37_79B9_7F4A_7C15
        func noise() -> Float {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Float(Int64(bitPattern: state >> 11) - (1 << 52)) / Float(1 << 52)
        }
        var left = [Float](repeating: 0, count: frames), right = left
        for i in 0..<frames {
            let t = Double(i) / sampleRate
            let syllable = max(0, sin(2 * .pi * 4 * t))  // 4 syllables a second
            let word = (t.truncatingRemainder(dividingBy: 1.5)) < 1.1 ? 1.0 : 0.02  // pauses
            let envelope = Float(syllable * word)
            let tone = Float(0.2 * sin(2 * .pi * 180 * t))
            let n = noise()
            left[i] = envelope * (0.25 * n + tone)
            right[i] = envelope * (0.22 * n + 0.9 * tone)
            if i % 40_000 == 20_000 {
                left[i] = 0.95
                right[i] = -0.9
            }
        }
        return [left, right]
    }

    /// Encodes `planes` with a byte tap that feeds a stream decoder; returns the decoded planes, the
    /// bytes the tap saw, and the file's path.
    static func encodeAndStream(
        _ planes: [[Float]], sampleRate: Double, chunk: Int = 4096
    )
        throws -> (decoded: [[Float]], tapped: [UInt8], path: String, leading: Int)
    {
        let path = TemporaryFolder.uniquePath(".mp3")
        let encoder = try MP3Encoder(path: path, sampleRate: sampleRate, channelCount: planes.count)
        let decoder = try MP3StreamDecoder(
            sampleRate: Int(sampleRate), channelCount: planes.count,
            leadingFrames: encoder.streamLeadingFrames)
        var decoded = [[Float]](repeating: [], count: planes.count)
        var tapped: [UInt8] = []
        encoder.byteTap = { bytes, frames in
            tapped.append(contentsOf: bytes)
            decoder.frameLimit = frames
            try decoder.feed(bytes) { block in
                for c in 0..<block.channelCount {
                    decoded[c].append(
                        contentsOf: UnsafeBufferPointer(
                            start: block.baseAddress(ofChannel: c),
                            count: block.frameCount))
                }
            }
        }
        let buffer = AudioBuffer(channelCount: planes.count, capacity: chunk)
        var offset = 0
        while offset < planes[0].count {
            let n = min(chunk, planes[0].count - offset)
            for c in 0..<planes.count {
                planes[c].withUnsafeBufferPointer {
                    buffer.baseAddress(ofChannel: c).update(from: $0.baseAddress! + offset, count: n)
                }
            }
            buffer.frameCount = n
            try encoder.write(buffer)
            offset += n
        }
        try encoder.finish()
        try decoder.finish { block in
            for c in 0..<block.channelCount {
                decoded[c].append(
                    contentsOf: UnsafeBufferPointer(
                        start: block.baseAddress(ofChannel: c),
                        count: block.frameCount))
            }
        }
        return (decoded, tapped, path, encoder.streamLeadingFrames)
    }

    static func readAll(_ path: String) throws -> [[Float]] {
        let reader = try SoundFileReader(path: path)
        let buffer = AudioBuffer(channelCount: reader.format.channelCount, capacity: 16_384)
        var planes = [[Float]](repeating: [], count: reader.format.channelCount)
        while try reader.read(into: buffer) > 0 {
            for c in 0..<buffer.channelCount {
                planes[c].append(
                    contentsOf: UnsafeBufferPointer(start: buffer.baseAddress(ofChannel: c), count: buffer.frameCount))
            }
        }
        return planes
    }

    static func measure(_ planes: [[Float]], sampleRate: Double) throws -> LoudnessMeasurement {
        try LoudnessAnalysis.measure(ArraySource(planes: planes, sampleRate: sampleRate), meter: .libebur128)
    }

    @Test func streamedDecodeMeasuresLikeTheWrittenFileDecoded() throws {
        let rate = 44_100.0
        let planes = Self.speechLike(seconds: 12, sampleRate: rate)
        let streamed = try Self.encodeAndStream(planes, sampleRate: rate)
        defer { try? FileManager.default.removeItem(atPath: streamed.path) }
        let fromFile = try Self.readAll(streamed.path)

        // Same length as the input (gapless), as the file's own decode.
        #expect(streamed.decoded[0].count == planes[0].count)
        #expect(fromFile[0].count == planes[0].count)
        let a = try Self.measure(streamed.decoded, sampleRate: rate)
        let b = try Self.measure(fromFile, sampleRate: rate)
        let ia = try #require(a.integratedLUFS), ib = try #require(b.integratedLUFS)
        #expect(abs(ia - ib) <= 0.05)
        let pa = try #require(a.truePeakDBTP), pb = try #require(b.truePeakDBTP)
        #expect(abs(pa - pb) <= 0.1)
        // Both decodes start at the same sample: the streamed one is the file's, sample for sample
        // (same decoder library), up to float rounding.
        var largest: Float = 0
        for c in 0..<2 {
            for i in 0..<min(streamed.decoded[c].count, fromFile[c].count) {
                largest = max(largest, abs(streamed.decoded[c][i] - fromFile[c][i]))
            }
        }
        #expect(largest < 1e-4)

        // Alignment checked by a decoder that is not mpg123: ffmpeg, which trims the encoder delay and
        // padding the file's LAME tag records (our streamed path drops ``MP3Encoder/streamLeadingFrames``
        // itself). Around a click (one every 40 000 frames), the lag that best aligns the two decodes,
        // searched over ±1 500 frames (more than LAME's delay plus the decoder's 529), and ffmpeg's against the
        // source. An off-by-one in the leading frames we drop moves the lag to ±1 and fails.
        let ffmpeg = try ExternalTools.ffmpegDecode(streamed.path, channels: 2)
        #expect(ffmpeg[0].count == planes[0].count, "ffmpeg decodes \(ffmpeg[0].count) of \(planes[0].count) frames")
        let click = 300_000 - 1_024..<300_000 + 1_024
        for c in 0..<2 {
            let decoders = Alignment.bestLag(streamed.decoded[c], ffmpeg[c], range: click, lags: -1_500...1_500)
            let source = Alignment.bestLag(planes[c], ffmpeg[c], range: click, lags: -1_500...1_500)
            var differs: Float = 0
            for i in 0..<min(ffmpeg[c].count, streamed.decoded[c].count) {
                differs = max(differs, abs(ffmpeg[c][i] - streamed.decoded[c][i]))
            }
            // Measured: lag 0 between the decoders (correlation 1 − 1e-12, largest sample difference 1.6e-6),
            // lag 0 against the source (correlation 0.923 at 128 kbit/s on this noisy click).
            #expect(decoders.lag == 0 && decoders.correlation > 0.999, "channel \(c): ffmpeg vs streamed \(decoders)")
            #expect(differs < 1e-4, "channel \(c): ffmpeg and the streamed decode differ by \(differs)")
            #expect(source.lag == 0 && source.correlation > 0.85, "channel \(c): ffmpeg vs source \(source)")
        }
    }

    @Test func byteTapSeesTheFileBytesAfterTheTagFrame() throws {
        let rate = 48_000.0
        let planes = Self.speechLike(seconds: 3, sampleRate: rate)
        let streamed = try Self.encodeAndStream(planes, sampleRate: rate)
        defer { try? FileManager.default.removeItem(atPath: streamed.path) }
        let file = [UInt8](try #require(FileManager.default.contents(atPath: streamed.path)))
        // ID3v2 size: synchsafe, bytes 6…9, plus the 10-byte header (ID3v2.4 §3.1).
        let tagSize = 10 + (Int(file[6]) << 21 | Int(file[7]) << 14 | Int(file[8]) << 7 | Int(file[9]))
        let audio = Array(file[tagSize...])
        #expect(audio.count == streamed.tapped.count)
        // MPEG-1 Layer III frame length: 144 × bitrate / rate + padding (ISO/IEC 11172-3 §2.4.3.1).
        let frameBytes = 144 * 128_000 / 48_000 + Int((audio[2] >> 1) & 1)
        #expect(Array(audio[frameBytes...]) == Array(streamed.tapped[frameBytes...]))
        // The first frame is where the final LAME tag went; the tap saw LAME's provisional one, with the
        // same sync word, version, layer, bitrate and rate (so the same length); the mode bits differ.
        #expect(Array(audio[0..<3]) == Array(streamed.tapped[0..<3]))
    }

    @Test func decodingDoesNotDependOnHowTheBytesAreSplit() throws {
        let rate = 44_100.0
        let planes = Self.speechLike(seconds: 2, sampleRate: rate)
        let streamed = try Self.encodeAndStream(planes, sampleRate: rate)
        defer { try? FileManager.default.removeItem(atPath: streamed.path) }
        let decoder = try MP3StreamDecoder(sampleRate: 44_100, channelCount: 2, leadingFrames: streamed.leading)
        decoder.frameLimit = Int64(planes[0].count)
        var left: [Float] = []
        var offset = 0, step = 1
        try streamed.tapped.withUnsafeBytes { bytes in
            while offset < bytes.count {
                let n = min(step, bytes.count - offset)
                try decoder.feed(UnsafeRawBufferPointer(rebasing: bytes[offset..<offset + n])) {
                    left.append(
                        contentsOf: UnsafeBufferPointer(start: $0.baseAddress(ofChannel: 0), count: $0.frameCount))
                }
                offset += n
                step = step * 3 % 1031 + 1
            }
        }
        try decoder.finish {
            left.append(contentsOf: UnsafeBufferPointer(start: $0.baseAddress(ofChannel: 0), count: $0.frameCount))
        }
        #expect(left == streamed.decoded[0])
    }
}
