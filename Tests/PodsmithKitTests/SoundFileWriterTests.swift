import Foundation
import PodsmithTestSupport
import Testing

@testable import PodsmithCodecs
@testable import PodsmithCore
@testable import PodsmithKit
@testable import PodsmithSeason

/// One container/encoding the writer must produce and the reader must read back.
struct FileFormatCase: Sendable, CustomStringConvertible {
    var container: SoundFileWriter.Container
    var encoding: SoundFileWriter.SampleEncoding
    var sampleRate: Double
    /// Largest difference allowed between a written and a read-back sample (lossless cases).
    var tolerance: Float?

    var description: String { "\(container.rawValue) \(encoding.rawValue) \(Int(sampleRate)) Hz" }

    static let all: [FileFormatCase] = [
        .init(container: .wav, encoding: .pcm16, sampleRate: 44_100, tolerance: 1.0 / 32_768),
        .init(container: .wav, encoding: .pcm24, sampleRate: 48_000, tolerance: 1.0 / 8_388_608),
        .init(container: .wav, encoding: .pcm32, sampleRate: 48_000, tolerance: 1e-7),
        .init(container: .wav, encoding: .float32, sampleRate: 96_000, tolerance: 0),
        .init(container: .wav, encoding: .float64, sampleRate: 8_000, tolerance: 0),
        .init(container: .aiff, encoding: .pcm16, sampleRate: 44_100, tolerance: 1.0 / 32_768),
        .init(container: .aiff, encoding: .pcm24, sampleRate: 48_000, tolerance: 1.0 / 8_388_608),
        .init(container: .flac, encoding: .pcm16, sampleRate: 44_100, tolerance: 1.0 / 32_768),
        .init(container: .flac, encoding: .pcm24, sampleRate: 96_000, tolerance: 1.0 / 8_388_608),
        .init(container: .oggVorbis, encoding: .pcm16, sampleRate: 44_100, tolerance: nil),
        .init(container: .oggOpus, encoding: .pcm16, sampleRate: 48_000, tolerance: nil),
        .init(container: .mp3, encoding: .pcm16, sampleRate: 44_100, tolerance: nil),
    ]
}

@Suite struct SoundFileWriterTests {
    /// Two different signals in L and R, so a swapped or mixed channel shows up: 1 s linear chirps, L rising
    /// from 300 to 3 000 Hz at 0.5 peak, R falling from 3 000 to 300 Hz at 0.25 peak. A chirp matches
    /// itself at one lag only, so a lossy decode's alignment with the source can be measured.
    static func stereoTestSignal(sampleRate: Double) -> [[Float]] {
        func chirp(from f0: Double, to f1: Double, amplitude: Double) -> [Float] {
            (0..<Int(sampleRate)).map { i in
                let t = Double(i) / sampleRate
                return Float(amplitude * sin(2 * .pi * (f0 * t + (f1 - f0) * t * t / 2)))
            }
        }
        return [chirp(from: 300, to: 3_000, amplitude: 0.5), chirp(from: 3_000, to: 300, amplitude: 0.25)]
    }

    @Test(arguments: FileFormatCase.all)
    func writtenFileReadsBackWithSameShapeAndSignal(_ format: FileFormatCase) throws {
        let folder = try TemporaryFolder()
        let path = folder.path("signal.\(format.container.fileExtension)")
        let planes = Self.stereoTestSignal(sampleRate: format.sampleRate)
        try writeSoundFile(
            planes, sampleRate: format.sampleRate, to: path,
            options: .init(container: format.container, encoding: format.encoding))

        let (reader, back) = try readSoundFile(path)
        #expect(reader.format.sampleRate == format.sampleRate)
        #expect(reader.format.channelCount == 2)
        if let tolerance = format.tolerance {
            #expect(back[0].count == planes[0].count)
            for c in 0..<2 {
                let worst = zip(planes[c], back[c]).map { abs($0 - $1) }.max() ?? .infinity
                #expect(worst <= tolerance, "channel \(c): largest error \(worst)")
            }
        } else {
            // Lossy codecs: the length is kept to within a codec frame and each channel's level
            // to within 0.5 dB (0.5 and 0.25 peak: −9.03 and −15.05 dBFS RMS).
            #expect(abs(back[0].count - planes[0].count) <= 2_048, "\(back[0].count) frames")
            for c in 0..<2 {
                let written = TestSignals.rmsDecibels(planes[c])
                let read = TestSignals.rmsDecibels(back[c])
                #expect(abs(written - read) < 0.5, "channel \(c): \(written) dB written, \(read) dB read")
            }
            // Read back by a decoder that is not libsndfile's: ffmpeg. Required (CI installs it).
            let decoded = try ExternalTools.ffmpegDecode(path, channels: 2)
            for c in 0..<2 {
                // The lag that aligns ffmpeg's decode with the source, searched over ±1 500 frames (more than
                // any codec delay: LAME 576 + decoder 529, Opus pre-skip 312) on 2 048 frames of the chirp,
                // then the match over the whole second at that lag.
                let best = Alignment.bestLag(planes[c], decoded[c], range: 8_000..<10_048, lags: -1_500...1_500)
                let whole = Alignment.correlation(planes[c], decoded[c], lag: best.lag, range: 0..<planes[c].count)
                // Measured: lag 0 and the full length for all three (ffmpeg finds and trims the codec delay
                // and padding of the files libsndfile wrote); correlation over the second 0.9998 (Vorbis),
                // 0.9983 and 0.9996 (Opus), 0.99994 (MP3).
                #expect(decoded[c].count == planes[c].count, "channel \(c): ffmpeg decodes \(decoded[c].count) frames")
                #expect(best.lag == 0, "channel \(c): ffmpeg's decode is \(best.lag) frames off the source")
                #expect(whole >= 0.99, "channel \(c): correlation \(whole) with the source")
            }
        }
    }

    @Test(arguments: [SoundFileWriter.Container.wav, .flac, .oggVorbis, .oggOpus])
    func tagsSetBeforeTheFirstWriteAreStored(_ container: SoundFileWriter.Container) throws {
        let folder = try TemporaryFolder()
        let path = folder.path("tagged.\(container.fileExtension)")
        let rate = container == .oggOpus ? 48_000.0 : 44_100.0
        let tags = ["title": "Episode 1: Ünïcode", "artist": "Podsmith Tests"]
        try writeSoundFile(
            Self.stereoTestSignal(sampleRate: rate), sampleRate: rate, to: path,
            options: .init(container: container, tags: tags))
        let reader = try SoundFileReader(path: path)
        #expect(reader.tags["title"] == tags["title"])
        #expect(reader.tags["artist"] == tags["artist"])
    }

    @Test func unknownTagKeyIsRefused() throws {
        let folder = try TemporaryFolder()
        #expect(throws: PodsmithError.self) {
            _ = try SoundFileWriter(
                path: folder.path("x.wav"), format: AudioFormat(sampleRate: 48_000, channelCount: 1),
                options: .init(tags: ["colour": "blue"]))
        }
    }

    @Test func floatSamplesBeyondFullScaleClipInIntegerFiles() throws {
        let folder = try TemporaryFolder()
        let path = folder.path("loud.wav")
        let planes: [[Float]] = [[1.5, -1.5, 0.5, 2.0]]
        try writeSoundFile(planes, sampleRate: 48_000, to: path, options: .init(encoding: .pcm16))
        let (_, back) = try readSoundFile(path)
        #expect(back[0][0] > 0.999)  // clipped, not wrapped round to a negative value
        #expect(back[0][1] < -0.999)
        #expect(abs(back[0][2] - 0.5) < 1e-4)
        #expect(back[0][3] > 0.999)
    }

    @Test func uncreatableOutputIsReportedAsNotWritable() throws {
        let path = "/nonexistent-folder-\(UUID().uuidString)/out.wav"
        #expect(throws: PodsmithError.outputNotWritable(path: path, reason: "No such file or directory")) {
            _ = try SoundFileWriter(path: path, format: AudioFormat(sampleRate: 48_000, channelCount: 2))
        }
    }

    @Test func opusAtAnUnsupportedRateIsRefusedBeforeWriting() throws {
        let folder = try TemporaryFolder()
        #expect(throws: PodsmithError.self) {
            _ = try SoundFileWriter(
                path: folder.path("x.opus"), format: AudioFormat(sampleRate: 44_100, channelCount: 2),
                options: .init(container: .oggOpus))
        }
    }
}
