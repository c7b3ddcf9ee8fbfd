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
    /// Two different signals in L and R, so a swapped or mixed channel shows up.
    static func stereoTestSignal(sampleRate: Double) -> [[Float]] {
        [
            TestSignals.sine(frequency: 440, amplitude: 0.5, seconds: 1.0, sampleRate: sampleRate),
            TestSignals.sine(frequency: 1_000, amplitude: 0.25, seconds: 1.0, sampleRate: sampleRate),
        ]
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
