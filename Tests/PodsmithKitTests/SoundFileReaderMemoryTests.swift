import Foundation
import PodsmithTestSupport
import Testing

@testable import PodsmithCodecs
@testable import PodsmithCore
@testable import PodsmithKit
@testable import PodsmithSeason

/// ``SoundFileReader/init(data:name:)``: the in-memory twin of the file reader (libsndfile
/// virtual I/O), which the fuzz targets drive.
@Suite struct SoundFileReaderMemoryTests {
    /// Every sample the reader delivers, per channel.
    static func readAll(_ reader: SoundFileReader) throws -> [[Float]] {
        let buffer = AudioBuffer(channelCount: reader.format.channelCount, capacity: 1_000)
        var planes = Array(repeating: [Float](), count: reader.format.channelCount)
        while try reader.read(into: buffer) > 0 {
            for c in planes.indices {
                planes[c] += UnsafeBufferPointer(start: buffer.baseAddress(ofChannel: c), count: buffer.frameCount)
            }
        }
        return planes
    }

    @Test(arguments: [SoundFileWriter.Container.wav, .aiff, .flac, .oggVorbis])
    func memoryDecodeEqualsFileDecode(_ container: SoundFileWriter.Container) throws {
        let folder = try TemporaryFolder()
        let left = TestSignals.sine(frequency: 440, amplitude: 0.5, seconds: 0.7, sampleRate: 44_100)
        let right = TestSignals.sine(frequency: 1_000, amplitude: 0.25, seconds: 0.7, sampleRate: 44_100)
        let file = folder.path("clip.\(container.fileExtension)")
        try writeSoundFile(
            [left, right], sampleRate: 44_100, to: file,
            options: .init(container: container, encoding: container == .oggVorbis ? .pcm16 : .pcm24))
        let fromFile = try SoundFileReader(path: file)
        let fromMemory = try SoundFileReader(data: Data(contentsOf: URL(fileURLWithPath: file)), name: "clip")
        #expect(fromMemory.format == fromFile.format)
        #expect(fromMemory.containerName == fromFile.containerName)
        #expect(fromMemory.name == "clip")
        let a = try Self.readAll(fromFile), b = try Self.readAll(fromMemory)
        #expect(a == b)
        #expect(b[0].count == left.count)
        // A second pass (seek back through the virtual I/O) gives the same samples.
        try fromMemory.rewind()
        #expect(try Self.readAll(fromMemory) == b)
    }

    @Test func emptyDataIsReportedAsEmpty() {
        #expect(throws: PodsmithError.inputEmpty(path: "nothing")) {
            try SoundFileReader(data: Data(), name: "nothing")
        }
    }

    @Test func textIsNotAudio() {
        #expect {
            try SoundFileReader(data: Data("not audio at all, just words".utf8), name: "words")
        } throws: { error in
            guard case PodsmithError.notAudio(let path, _) = error else { return false }
            return path == "words"
        }
    }

    @Test func truncatedWavInMemoryIsCalledTruncated() throws {
        let folder = try TemporaryFolder()
        let file = folder.path("cut.wav")
        try writeSoundFile(
            [TestSignals.sine(frequency: 440, amplitude: 0.5, seconds: 1, sampleRate: 48_000)],
            sampleRate: 48_000, to: file, options: .init(container: .wav, encoding: .pcm16))
        let bytes = try Data(contentsOf: URL(fileURLWithPath: file))
        #expect {
            try SoundFileReader(data: bytes.prefix(bytes.count / 2), name: "cut")
        } throws: { error in
            "\(error)".contains("truncated")
        }
    }

    @Test func memoryFileSeeksLikeLseek() {
        let file = MemoryFile(Data([1, 2, 3, 4, 5]))
        #expect(file.length == 5)
        #expect(file.seek(2, whence: SEEK_SET) == 2)
        #expect(file.seek(1, whence: SEEK_CUR) == 3)
        #expect(file.seek(-1, whence: SEEK_END) == 4)
        #expect(file.seek(-10, whence: SEEK_CUR) == -1)  // before the start: refused, position kept
        #expect(file.position == 4)
        #expect(file.seek(Int64.max, whence: SEEK_END) == -1)  // overflow: refused
        var out = [UInt8](repeating: 0, count: 4)
        #expect(file.read(into: &out, count: 4) == 1)
        #expect(out[0] == 5)
        #expect(file.read(into: &out, count: 4) == 0)
        #expect(file.seek(100, whence: SEEK_SET) == 100)  // past the end is allowed; reads give 0
        #expect(file.read(into: &out, count: 4) == 0)
    }
}
