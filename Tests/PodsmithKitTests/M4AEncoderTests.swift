import Foundation
import PodsmithTestSupport
import Testing

@testable import PodsmithCodecs
@testable import PodsmithCore

/// ``M4AEncoder`` and ``M4AReader`` against each other and against ffprobe: the length survives the
/// encoder's priming and padding, and a seek lands on the same samples as reading through.
@Suite struct M4AEncoderTests {
    static func read(_ reader: M4AReader, frames: Int) throws -> [[Float]] {
        let buffer = AudioBuffer(channelCount: reader.format.channelCount, capacity: 4096)
        var planes = [[Float]](repeating: [], count: reader.format.channelCount)
        while planes[0].count < frames, try reader.read(into: buffer) > 0 {
            for c in 0..<planes.count { planes[c] += buffer.channel(c) }
        }
        return planes.map { Array($0.prefix(frames)) }
    }

    @Test(arguments: [(44_100.0, 1), (48_000.0, 2)])
    func writtenLengthIsReadBackExactlyByOurReaderAndFfprobe(sampleRate: Double, channels: Int) throws {
        let path = TemporaryFolder.uniquePath(".m4a")
        defer { try? FileManager.default.removeItem(atPath: path) }
        // Not a whole number of AAC frames (1024), so padding must be cut by the edit list.
        let frames = Int(sampleRate * 2) + 333
        let planes = TestSignals.sinePlanes(sampleRate: sampleRate, frames: frames, channels: channels)
        let encoder = try M4AEncoder(path: path, sampleRate: sampleRate, channelCount: channels)
        try EncoderTestSupport.encode(encoder, planes: planes, sampleRate: sampleRate)
        #expect(encoder.framesWritten == Int64(frames))

        let reader = try M4AReader(path: path)
        #expect(reader.format.sampleRate == sampleRate)
        #expect(reader.format.channelCount == channels)
        #expect(reader.format.frameCount == Int64(frames))
        let decoded = try Self.read(reader, frames: .max)
        #expect(decoded[0].count == frames)
        // The priming is skipped: the decoded sine is in phase with the input (a lag would leave a
        // difference near the full amplitude, 0.1; AAC at 128 kbit/s leaves well under a tenth of it).
        let middle = frames / 2..<frames / 2 + 4096
        let error = TestSignals.rmsDecibels(zip(planes[0][middle], decoded[0][middle]).map { $0 - $1 })
        #expect(error < -45, "decoded differs from the input by \(error) dBFS RMS")

        let probe = try ExternalTools.ffprobe(path, ["-show_entries", "stream=duration_ts,duration"])
        let stream = try #require((probe["streams"] as? [[String: Any]])?.first)
        let seconds = try #require(Double(stream["duration"] as? String ?? ""))
        #expect(abs(seconds - Double(frames) / sampleRate) < 1 / sampleRate + 1e-6, "ffprobe \(seconds) s")
    }

    @Test func seekLandsOnTheSameSamplesAsReadingThrough() throws {
        let path = TemporaryFolder.uniquePath(".m4a")
        defer { try? FileManager.default.removeItem(atPath: path) }
        let rate = 44_100.0
        let planes = TestSignals.sinePlanes(frequency: 441, sampleRate: rate, frames: Int(rate * 5), channels: 2)
        let encoder = try M4AEncoder(path: path, sampleRate: rate, channelCount: 2)
        try EncoderTestSupport.encode(encoder, planes: planes, sampleRate: rate)

        let reader = try M4AReader(path: path)
        let whole = try Self.read(reader, frames: .max)
        for target in [0, 1, 1023, 50_000, 150_001] {
            try reader.seek(toFrame: Int64(target))
            let part = try Self.read(reader, frames: 2048)
            for c in 0..<2 {
                let expected = Array(whole[c][target..<target + 2048])
                let worst = zip(part[c], expected).map { abs($0 - $1) }.max() ?? 1
                #expect(part[c].count == 2048 && worst < 1e-4, "seek to \(target), ch \(c): off by \(worst)")
            }
        }
        try reader.rewind()
        let again = try Self.read(reader, frames: .max)
        #expect(again == whole, "a second pass reads the same samples")
    }

    @Test func unsupportedLayoutsAndBitratesAreRefusedBeforeAFileIsCreated() throws {
        let path = TemporaryFolder.uniquePath(".m4a")
        #expect(throws: PodsmithError.self) { try M4AEncoder(path: path, sampleRate: 44_100, channelCount: 3) }
        #expect(throws: PodsmithError.self) { try M4AEncoder(path: path, sampleRate: 44_000, channelCount: 2) }
        #expect(throws: PodsmithError.self) {
            try M4AEncoder(
                path: path, sampleRate: 44_100, channelCount: 2, options: M4AEncoderOptions(bitrateKbps: 8))
        }
        #expect(!FileManager.default.fileExists(atPath: path))
    }
}
