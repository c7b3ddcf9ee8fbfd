import Foundation
import PodsmithKit

/// The independent readers the tests check our output with: ffmpeg, ffprobe, Python with mutagen.
/// None of them is a dependency of the product; `.ci/run` installs them.
package enum ExternalTools {
    /// Runs a tool found on `PATH`.
    package static func run(_ tool: String, _ arguments: [String]) throws -> ProcessResult {
        try ProcessRunner.run("/usr/bin/env", [tool] + arguments)
    }

    /// Runs a Python snippet (with mutagen available) that prints a JSON object, and decodes it.
    package static func python(_ script: String, _ arguments: [String]) throws -> [String: Any] {
        let result = try run("python3", ["-c", script] + arguments)
        guard result.status == 0 else { throw PodsmithError.internalError("python3 failed: \(result.stderr)") }
        return try decodeObject(result, tool: "python3")
    }

    /// `ffprobe -of json` with the given sections.
    package static func ffprobe(_ path: String, _ arguments: [String]) throws -> [String: Any] {
        let result = try run("ffprobe", ["-v", "error", "-of", "json"] + arguments + [path])
        guard result.status == 0 else { throw PodsmithError.internalError("ffprobe failed: \(result.stderr)") }
        return try decodeObject(result, tool: "ffprobe")
    }

    /// How many frames ffmpeg decodes from `path` (after the gapless trimming it applies).
    package static func ffmpegDecodedFrames(_ path: String, channels: Int) throws -> Int {
        let raw = TemporaryFolder.uniquePath(".f32")
        defer { try? FileManager.default.removeItem(atPath: raw) }
        let result = try run("ffmpeg", ["-v", "error", "-i", path, "-f", "f32le", "-acodec", "pcm_f32le", "-y", raw])
        guard result.status == 0 else { throw PodsmithError.internalError("ffmpeg failed: \(result.stderr)") }
        let size = try FileManager.default.attributesOfItem(atPath: raw)[.size] as? Int ?? 0
        return size / (4 * channels)
    }

    /// ffmpeg's decode of `path` as planar 32-bit float (after the gapless trimming it applies: the LAME
    /// tag's encoder delay and padding for MP3, the pre-skip and end granule for Ogg).
    package static func ffmpegDecode(_ path: String, channels: Int) throws -> [[Float]] {
        let raw = TemporaryFolder.uniquePath(".f32")
        defer { try? FileManager.default.removeItem(atPath: raw) }
        let result = try run(
            "ffmpeg",
            ["-v", "error", "-i", path, "-f", "f32le", "-acodec", "pcm_f32le", "-ac", "\(channels)", "-y", raw])
        guard result.status == 0 else { throw PodsmithError.internalError("ffmpeg failed: \(result.stderr)") }
        let data = try Data(contentsOf: URL(fileURLWithPath: raw))
        let frames = data.count / (4 * channels)
        var planes = [[Float]](repeating: [Float](repeating: 0, count: frames), count: channels)
        data.withUnsafeBytes { bytes in
            for i in 0..<frames {
                for c in 0..<channels {
                    planes[c][i] = Float(
                        bitPattern: UInt32(
                            littleEndian: bytes.loadUnaligned(fromByteOffset: 4 * (i * channels + c), as: UInt32.self)))
                }
            }
        }
        return planes
    }

    /// Whether `tool` runs here (for checks that must say so when they cannot run, never pass silently).
    package static func isAvailable(_ tool: String) -> Bool {
        (try? run(tool, ["-version"]))?.status == 0
    }

    private static func decodeObject(_ result: ProcessResult, tool: String) throws -> [String: Any] {
        guard let object = try result.json() as? [String: Any] else {
            throw PodsmithError.internalError("\(tool) printed no JSON object: \(result.stdout.prefix(200))")
        }
        return object
    }
}
