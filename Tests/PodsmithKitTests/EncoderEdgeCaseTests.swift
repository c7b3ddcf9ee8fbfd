import Foundation
import PodsmithTestSupport
import Testing

@testable import PodsmithCodecs
@testable import PodsmithCore
@testable import PodsmithKit
@testable import PodsmithSeason

/// What every encoder does with inputs at the edges: nothing at all, a single frame.
@Suite struct EncoderEdgeCaseTests {
    typealias Support = EncoderTestSupport

    static func makeEncoder(_ kind: String, path: String, frames: Int) throws -> AudioSink {
        switch kind {
        case "mp3": return try MP3Encoder(path: path, sampleRate: 48_000, channelCount: 2)
        case "flac": return try FLACEncoder(path: path, sampleRate: 48_000, channelCount: 2)
        default: return try OpusEncoder(path: path, sampleRate: 48_000, channelCount: 2)
        }
    }

    @Test(arguments: ["mp3", "flac", "opus"], [0, 1])
    func tinyInputsGiveFilesThatDecodeToTheirLength(kind: String, frames: Int) throws {
        let path = TemporaryFolder.uniquePath("." + kind)
        defer { try? FileManager.default.removeItem(atPath: path) }
        let encoder = try Self.makeEncoder(kind, path: path, frames: frames)
        if frames > 0 {
            let buffer = AudioBuffer(channelCount: 2, capacity: 16)
            buffer.fill(from: [[Float](repeating: 0.25, count: frames), [Float](repeating: -0.25, count: frames)])
            try encoder.write(buffer)
        }
        try encoder.finish()
        #expect(FileManager.default.fileExists(atPath: path))
        if kind == "mp3" && frames == 0 {
            // LAME's output for no audio is an Info frame and one empty frame (the `lame` tool
            // writes the same); ffmpeg refuses to open it, mutagen reads it as 0 s long.
            let info = try ExternalTools.python(
                "import json,sys\nfrom mutagen.mp3 import MP3\nprint(json.dumps({'length': MP3(sys.argv[1]).info.length}))",
                [path])
            #expect(info["length"] as? Double == 0)
        } else if kind == "opus" && frames == 0 {
            // See OpusEncoder.finish(): libopusenc cannot write a stream without audio.
            #expect(try ExternalTools.ffmpegDecodedFrames(path, channels: 2) == 1)
        } else {
            #expect(try ExternalTools.ffmpegDecodedFrames(path, channels: 2) == frames)
        }
    }
}
