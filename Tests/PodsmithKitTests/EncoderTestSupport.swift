import Foundation
@testable import PodsmithKit

/// Helpers for the encoder, tag and chapter tests: temporary files, generated signals and the
/// independent readers (mutagen, ffprobe, ffmpeg) that check what we wrote.
enum EncoderTestSupport {
    /// A fresh path in the temporary directory (not created).
    static func temporaryPath(_ suffix: String) -> String {
        NSTemporaryDirectory() + "podsmith-test-\(UUID().uuidString)\(suffix)"
    }

    struct ToolResult {
        var status: Int32
        var stdout: String
        var stderr: String
    }

    /// Runs a tool found on `PATH` and collects its output. Output goes through files, not pipes:
    /// Foundation's pipe reads on Linux can fail with EINTR when the child exits.
    static func run(_ tool: String, _ arguments: [String]) throws -> ToolResult {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = [tool] + arguments
        let outPath = temporaryPath(".stdout"), errPath = temporaryPath(".stderr")
        _ = FileManager.default.createFile(atPath: outPath, contents: nil)
        _ = FileManager.default.createFile(atPath: errPath, contents: nil)
        defer {
            try? FileManager.default.removeItem(atPath: outPath)
            try? FileManager.default.removeItem(atPath: errPath)
        }
        let out = FileHandle(forWritingAtPath: outPath)!, err = FileHandle(forWritingAtPath: errPath)!
        process.standardOutput = out
        process.standardError = err
        try process.run()
        process.waitUntilExit()
        try? out.close()
        try? err.close()
        let stdout = (try? String(contentsOfFile: outPath, encoding: .utf8)) ?? ""
        let stderr = (try? String(contentsOfFile: errPath, encoding: .utf8)) ?? ""
        return ToolResult(status: process.terminationStatus, stdout: stdout, stderr: stderr)
    }

    /// Runs a Python snippet (with mutagen available) that prints JSON, and decodes that JSON.
    static func python(_ script: String, _ arguments: [String]) throws -> [String: Any] {
        let result = try run("python3", ["-c", script] + arguments)
        guard result.status == 0 else {
            throw PodsmithError.internalError("python3 failed: \(result.stderr)")
        }
        return try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as! [String: Any]
    }

    /// `ffprobe -of json` with the given sections.
    static func ffprobe(_ path: String, _ arguments: [String]) throws -> [String: Any] {
        let result = try run("ffprobe", ["-v", "error", "-of", "json"] + arguments + [path])
        guard result.status == 0 else { throw PodsmithError.internalError("ffprobe failed: \(result.stderr)") }
        return try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as! [String: Any]
    }

    /// How many frames ffmpeg decodes from `path` (after the gapless trimming it applies).
    static func ffmpegDecodedFrames(_ path: String, channels: Int) throws -> Int {
        let raw = temporaryPath(".f32")
        defer { try? FileManager.default.removeItem(atPath: raw) }
        let result = try run("ffmpeg", ["-v", "error", "-i", path, "-f", "f32le", "-acodec", "pcm_f32le", "-y", raw])
        guard result.status == 0 else { throw PodsmithError.internalError("ffmpeg failed: \(result.stderr)") }
        let size = try FileManager.default.attributesOfItem(atPath: raw)[.size] as! Int
        return size / (4 * channels)
    }

    /// A sine at `level` dBFS peak on every channel (channel c phase-shifted by c radians, so
    /// channels differ).
    static func sine(frequency: Double = 1000, levelDBFS: Double = -20, sampleRate: Double,
                     frames: Int, channels: Int) -> [[Float]] {
        let amplitude = pow(10, levelDBFS / 20)
        return (0..<channels).map { c in
            (0..<frames).map { i in Float(amplitude * sin(2 * .pi * frequency * Double(i) / sampleRate + Double(c))) }
        }
    }

    /// Feeds `planes` to `encoder` in blocks of `blockSize` frames, then finishes it.
    static func encode(_ encoder: AudioSink, planes: [[Float]], sampleRate: Double, blockSize: Int = 4096) throws {
        let source = ArraySource(planes: planes, sampleRate: sampleRate)
        let buffer = AudioBuffer(channelCount: planes.count, capacity: blockSize)
        while try source.read(into: buffer) > 0 { try encoder.write(buffer) }
        try encoder.finish()
    }

    /// Decodes a whole file with our reader (libsndfile).
    static func decode(_ path: String) throws -> (format: AudioFormat, planes: [[Float]]) {
        let reader = try SoundFileReader(path: path)
        let buffer = AudioBuffer(channelCount: reader.format.channelCount, capacity: 8192)
        var planes = [[Float]](repeating: [], count: reader.format.channelCount)
        while try reader.read(into: buffer) > 0 {
            for c in 0..<planes.count { planes[c] += buffer.channel(c) }
        }
        return (reader.format, planes)
    }

    /// A small real image written by ffmpeg (an independent encoder), so our header parser is
    /// checked against files it did not make.
    static func image(_ kind: Artwork.Kind, width: Int, height: Int) throws -> Artwork {
        let path = temporaryPath(kind == .png ? ".png" : ".jpg")
        defer { try? FileManager.default.removeItem(atPath: path) }
        let result = try run("ffmpeg", ["-v", "error", "-f", "lavfi", "-i", "color=c=red:s=\(width)x\(height)",
                                        "-frames:v", "1", "-y", path])
        guard result.status == 0 else { throw PodsmithError.internalError("ffmpeg failed: \(result.stderr)") }
        return try Artwork(contentsOf: path)
    }

    /// Metadata with every field set, chapters (one hidden, one with a URL) and artwork.
    static func fullMetadata(artwork: Artwork?) -> EpisodeMetadata {
        let chapters = ChapterList(chapters: [
            Chapter(startTime: 0, title: "Intro"),
            Chapter(startTime: 0.5, title: "Ünïcode 话题", url: "https://example.com/topic"),
            Chapter(startTime: 0.75, title: "Image change", toc: false),
            Chapter(startTime: 1.25, title: "Outro"),
        ])
        return EpisodeMetadata(
            title: "Episode 12: Tägs", artist: "Host Name", album: "The Show", episode: 12, season: 3,
            date: "2026-11-27", genre: "Podcast", comment: "Show notes\nsecond line", artwork: artwork,
            chapters: chapters)
    }
}
