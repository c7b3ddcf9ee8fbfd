import Foundation
import PodsmithTestSupport
import Testing

@testable import PodsmithCodecs
@testable import PodsmithCore
@testable import PodsmithKit
@testable import PodsmithSeason

@Suite struct SoundFileReaderTests {
    /// A channel layout and rate the reader must deliver unchanged.
    struct Shape: Sendable, CustomStringConvertible {
        var channels: Int
        var sampleRate: Double
        var description: String { "\(channels) ch \(Int(sampleRate)) Hz" }
    }

    static let shapes: [Shape] = [
        .init(channels: 1, sampleRate: 8_000), .init(channels: 2, sampleRate: 44_100),
        .init(channels: 6, sampleRate: 48_000), .init(channels: 2, sampleRate: 96_000),
        .init(channels: 8, sampleRate: 192_000),
    ]

    // Each channel carries its own constant, so a swap or a stride error shows.
    @Test(arguments: shapes)
    func readerKeepsChannelsRateAndOrder(_ shape: Shape) throws {
        let folder = try TemporaryFolder()
        let path = folder.path("shape.wav")
        let frames = Int(shape.sampleRate / 10) + 7
        let planes = (0..<shape.channels).map { c in [Float](repeating: Float(c + 1) / 16, count: frames) }
        try writeSoundFile(planes, sampleRate: shape.sampleRate, to: path, options: .init(encoding: .float32))
        let (reader, back) = try readSoundFile(path)
        #expect(
            reader.format
                == AudioFormat(
                    sampleRate: shape.sampleRate, channelCount: shape.channels,
                    frameCount: Int64(frames)))
        #expect(back == planes)
    }

    // BS.1770-4 weights surround channels by 1.41 (+1.5 dB) and leaves out the LFE. A −20 dBFS
    // 1 kHz sine alone in channel 4 of a 6-channel WAV is Ls (WAVE order): −23.01 + 1.50 LUFS.
    // Alone in channel 3 (LFE) it is not measured at all.
    @Test func fivePointOneFileIsMeasuredInWaveChannelOrder() throws {
        let folder = try TemporaryFolder()
        let sine = TestSignals.sine(frequency: 1_000, amplitude: 0.1, seconds: 2, sampleRate: 48_000)
        let silence = [Float](repeating: 0, count: sine.count)
        func loudness(withSineIn channel: Int) throws -> Double? {
            let path = folder.path("ch\(channel).wav")
            let planes = (0..<6).map { $0 == channel ? sine : silence }
            try writeSoundFile(planes, sampleRate: 48_000, to: path, options: .init(encoding: .pcm24))
            return try LoudnessAnalysis.measure(SoundFileReader(path: path), meter: .libebur128).integratedLUFS
        }
        let surround = try #require(try loudness(withSineIn: 4))
        #expect(abs(surround - (-21.51)) < 0.1)
        let centre = try #require(try loudness(withSineIn: 2))
        #expect(abs(centre - (-23.01)) < 0.1)
        #expect(try loudness(withSineIn: 3) == nil)
    }

    // With 5 channels there is no LFE: L, R, C, Ls, Rs, so channel 3 is Ls (+1.5 dB).
    @Test func fiveChannelFileHasSurroundsInChannelsThreeAndFour() throws {
        let folder = try TemporaryFolder()
        let sine = TestSignals.sine(frequency: 1_000, amplitude: 0.1, seconds: 2, sampleRate: 44_100)
        let silence = [Float](repeating: 0, count: sine.count)
        let path = folder.path("five.flac")
        try writeSoundFile(
            (0..<5).map { $0 == 3 ? sine : silence }, sampleRate: 44_100, to: path,
            options: .init(container: .flac, encoding: .pcm24))
        let measured = try LoudnessAnalysis.measure(SoundFileReader(path: path), meter: .libebur128)
        let loudness = try #require(measured.integratedLUFS)
        #expect(abs(loudness - (-21.51)) < 0.1)
    }

    @Test func missingFileIsReportedAsMissing() {
        #expect(throws: PodsmithError.inputMissing(path: "/nonexistent/podsmith.wav")) {
            _ = try SoundFileReader(path: "/nonexistent/podsmith.wav")
        }
    }

    @Test func directoryIsReportedAsDirectory() throws {
        let folder = try TemporaryFolder()
        #expect(throws: PodsmithError.inputIsDirectory(path: folder.url.path)) {
            _ = try SoundFileReader(path: folder.url.path)
        }
    }

    @Test func zeroByteFileIsReportedAsEmpty() throws {
        let folder = try TemporaryFolder()
        let path = folder.path("empty.wav")
        _ = FileManager.default.createFile(atPath: path, contents: Data())
        #expect(throws: PodsmithError.inputEmpty(path: path)) { _ = try SoundFileReader(path: path) }
    }

    @Test func textFileNamedWavIsNotAudio() throws {
        let folder = try TemporaryFolder()
        let path = folder.path("notes.wav")
        try Data(String(repeating: "not audio at all\n", count: 20).utf8).write(to: URL(fileURLWithPath: path))
        let error = try #require(throws: PodsmithError.self) { _ = try SoundFileReader(path: path) }
        guard case .notAudio(let reported, _) = error else {
            Issue.record("got \(error)")
            return
        }
        #expect(reported == path)
    }

    /// Writes two seconds of stereo, then cuts the file to `keep` of its bytes.
    func truncatedFile(_ folder: TemporaryFolder, container: SoundFileWriter.Container, keep: Double) throws -> String {
        let path = folder.path("cut.\(container.fileExtension)")
        let rate = container == .oggOpus ? 48_000.0 : 44_100.0
        let sine = TestSignals.sine(frequency: 440, amplitude: 0.5, seconds: 2, sampleRate: rate)
        try writeSoundFile([sine, sine], sampleRate: rate, to: path, options: .init(container: container))
        let size = try FileManager.default.attributesOfItem(atPath: path)[.size] as! UInt64
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
        try handle.truncate(atOffset: UInt64(Double(size) * keep))
        try handle.close()
        return path
    }

    // libsndfile would shorten the frame count and carry on; the header's data size says otherwise.
    @Test(arguments: [SoundFileWriter.Container.wav, .aiff])
    func truncatedDataChunkIsAnErrorAtOpen(_ container: SoundFileWriter.Container) throws {
        let folder = try TemporaryFolder()
        let path = try truncatedFile(folder, container: container, keep: 0.6)
        let error = try #require(throws: PodsmithError.self) { _ = try SoundFileReader(path: path) }
        #expect(error.description.contains("truncated"), "\(error)")
        guard case .notAudio = error else {
            Issue.record("got \(error)")
            return
        }
    }

    @Test func truncatedFlacFailsWhileDecoding() throws {
        let folder = try TemporaryFolder()
        let path = try truncatedFile(folder, container: .flac, keep: 0.6)
        #expect(throws: PodsmithError.self) { _ = try readSoundFile(path) }
    }

    // libsndfile cannot find the end of a cut-off Ogg stream and reports an endless length.
    @Test(arguments: [SoundFileWriter.Container.oggVorbis, .oggOpus])
    func oggStreamWithoutItsFinalPageIsTruncated(_ container: SoundFileWriter.Container) throws {
        let folder = try TemporaryFolder()
        let path = try truncatedFile(folder, container: container, keep: 0.6)
        let error = try #require(throws: PodsmithError.self) { _ = try readSoundFile(path) }
        #expect(error.description.contains("truncated"), "\(error)")
    }

    @Test func completeWavWithTrailingChunkIsNotCalledTruncated() throws {
        let folder = try TemporaryFolder()
        let path = folder.path("tagged.wav")
        let sine = TestSignals.sine(frequency: 440, amplitude: 0.5, seconds: 0.5, sampleRate: 44_100)
        try writeSoundFile([sine], sampleRate: 44_100, to: path, options: .init(tags: ["title": "x"]))
        let (reader, back) = try readSoundFile(path)
        #expect(back[0].count == sine.count)
        #expect(reader.tags["title"] == "x")
    }

    @Test(arguments: [4_000.0, 384_000.0])
    func sampleRateOutsideEightTo192KilohertzIsUnsupported(rate: Double) throws {
        let folder = try TemporaryFolder()
        let path = folder.path("rate.wav")
        try writeSoundFile([[0, 0.1, 0.2]], sampleRate: rate, to: path, options: .init())
        let error = try #require(throws: PodsmithError.self) { _ = try SoundFileReader(path: path) }
        guard case .unsupportedAudio = error else {
            Issue.record("got \(error)")
            return
        }
    }

    @Test func nonFiniteFloatSamplesAreReadAsSilenceAndCounted() throws {
        let folder = try TemporaryFolder()
        let path = folder.path("nan.wav")
        try writeSoundFile(
            [[0.5, .nan, .infinity, -.infinity, -0.5]], sampleRate: 48_000, to: path,
            options: .init(encoding: .float32))
        let (reader, back) = try readSoundFile(path)
        #expect(back[0] == [0.5, 0, 0, 0, -0.5])
        #expect(reader.nonFiniteSampleCount == 3)
    }

    @Test func rewindAllowsASecondIdenticalPass() throws {
        let folder = try TemporaryFolder()
        let path = folder.path("two-pass.flac")
        let sine = TestSignals.sine(frequency: 440, amplitude: 0.5, seconds: 0.3, sampleRate: 44_100)
        try writeSoundFile([sine], sampleRate: 44_100, to: path, options: .init(container: .flac))
        let reader = try SoundFileReader(path: path)
        let buffer = AudioBuffer(channelCount: 1, capacity: 1000)
        var first: [Float] = [], second: [Float] = []
        while try reader.read(into: buffer) > 0 { first += buffer.channel(0) }
        try reader.rewind()
        while try reader.read(into: buffer) > 0 { second += buffer.channel(0) }
        #expect(first.count == sine.count)
        #expect(first == second)
    }
}

/// 16-bit PCM is read as `Int16` and converted by the reader itself; it must deliver exactly what
/// libsndfile's float read delivers.
@Suite struct SixteenBitReadTests {
    /// Integer codes, different per channel and frame, with both extremes in every channel.
    static func codes(channels: Int, frames: Int) -> [[Float]] {
        (0..<channels).map { c in
            (0..<frames).map { i -> Float in
                if i == 5 { return -32_768 }
                if i == frames - 2 { return 32_767 }
                return Float(Int16(truncatingIfNeeded: i &* 7_919 &+ c &* 104_729))
            }
        }
    }

    static func read(_ path: String, int16: Bool, capacity: Int) throws -> (usedInt16: Bool, planes: [[Float]]) {
        let reader = try SoundFileReader(path: path)
        let usedInt16 = reader.readsInt16
        reader.readsInt16 = int16
        let buffer = AudioBuffer(channelCount: reader.format.channelCount, capacity: capacity)
        var planes = [[Float]](repeating: [], count: reader.format.channelCount)
        while try reader.read(into: buffer) > 0 {
            for c in planes.indices { planes[c] += buffer.channel(c) }
        }
        return (usedInt16, planes)
    }

    @Test(arguments: [SoundFileWriter.Container.wav, .aiff], [1, 2, 3, 6])
    func sixteenBitSamplesMatchLibsndfileFloatReadBitForBit(
        container: SoundFileWriter.Container,
        channels: Int
    ) throws {
        let folder = try TemporaryFolder()
        let path = folder.path("codes.\(container.fileExtension)")
        let frames = 10_007
        let codes = Self.codes(channels: channels, frames: frames)
        try writeSoundFile(
            codes, sampleRate: 44_100, to: path,
            options: .init(container: container, encoding: .pcm16, floatsAreIntegerCodes: true))
        let ours = try Self.read(path, int16: true, capacity: 3_000)
        let libsndfile = try Self.read(path, int16: false, capacity: 4_096)
        #expect(ours.usedInt16, "16-bit PCM takes the Int16 path by default")
        for c in 0..<channels {
            #expect(ours.planes[c].count == frames)
            #expect(DSPTest.firstMismatch(ours.planes[c], libsndfile.planes[c]) == nil, "channel \(c)")
            #expect(DSPTest.firstMismatch(ours.planes[c], codes[c].map { $0 / 32_768 }) == nil, "channel \(c)")
        }
        #expect(ours.planes[0][5] == -1)
    }

    @Test func flacAndTwentyFourBitWavAreReadAsFloat() throws {
        let folder = try TemporaryFolder()
        let sine = TestSignals.sine(frequency: 440, amplitude: 0.5, seconds: 0.1, sampleRate: 44_100)
        for (name, options) in [
            ("a.flac", SoundFileWriter.Options(container: .flac)),
            ("b.wav", SoundFileWriter.Options(container: .wav, encoding: .pcm24)),
        ] {
            try writeSoundFile([sine], sampleRate: 44_100, to: folder.path(name), options: options)
            #expect(try SoundFileReader(path: folder.path(name)).readsInt16 == false, "\(name)")
        }
    }
}
