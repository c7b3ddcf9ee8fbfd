import Foundation
import PodsmithKit
import PodsmithTestSupport
import Testing

/// FFmpeg is loaded when an M4A file is read or written, and only then (`Sources/CFFmpeg`): a podsmith
/// that writes MP3 does not map libavformat, libavcodec and the hundred-odd libraries they bring, and a
/// machine without them still writes every other format and says in one line what M4A needs.
///
/// What the dynamic loader maps is read from its own trace (`LD_DEBUG=files`, glibc's loader, one line per
/// object it opens, on stderr), not inferred from our code.
@Suite final class FFmpegLoadingTests {
    let folder: URL

    init() throws {
        folder = FileManager.default.temporaryDirectory
            .appendingPathComponent("podsmith-ffmpeg-loading-\(UUID().uuidString)", isDirectory: true)
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    }

    deinit { try? FileManager.default.removeItem(at: folder) }

    func path(_ name: String) -> String { folder.appendingPathComponent(name).path }

    func writeSpeech(_ name: String) throws -> String {
        let plane = NormalizeCommandTests.speechLike(seconds: 3, head: 1)
        let file = path(name)
        let writer = try SoundFileWriter(
            path: file, format: AudioFormat(sampleRate: 44_100, channelCount: 2),
            options: .init(container: .wav, encoding: .float32))
        let buffer = AudioBuffer(channelCount: 2, capacity: plane.count)
        buffer.fill(from: [plane, plane])
        try writer.write(buffer)
        try writer.finish()
        return file
    }

    /// Runs podsmith under `env` with `variables` set.
    func podsmith(_ arguments: [String], variables: [String]) throws -> ProcessResult {
        try ProcessRunner.run("/usr/bin/env", variables + [CommandRunner.binary.path] + arguments)
    }

    /// The shared objects the loader opened, from its `LD_DEBUG=files` trace ("file=NAME [0];  needed by" or
    /// "dynamically loaded by").
    static func loadedObjects(_ trace: String) -> Set<String> {
        var names: Set<String> = []
        for line in trace.split(separator: "\n") {
            guard let start = line.range(of: "file=") else { continue }
            let rest = line[start.upperBound...]
            if let end = rest.firstIndex(where: { $0 == " " || $0 == "\t" }) { names.insert(String(rest[..<end])) }
        }
        return names
    }

    @Test func ffmpegIsLoadedForM4AOutputAndNotForMP3() throws {
        let input = try writeSpeech("episode.wav")
        let mp3 = try podsmith(["normalize", input, "-o", path("episode.mp3"), "-q"], variables: ["LD_DEBUG=files"])
        #expect(mp3.status == 0, "\(mp3.stderr.suffix(400))")
        let mp3Objects = Self.loadedObjects(mp3.stderr)
        // The trace is really there: the libraries MP3 needs are in it.
        #expect(mp3Objects.contains { $0.hasPrefix("libmp3lame.so") }, "\(mp3Objects.sorted())")
        #expect(
            !mp3Objects.contains { $0.contains("libavformat") || $0.contains("libavcodec") }, "\(mp3Objects.sorted())")

        let m4a = try podsmith(["normalize", input, "-o", path("episode.m4a"), "-q"], variables: ["LD_DEBUG=files"])
        #expect(m4a.status == 0, "\(m4a.stderr.suffix(400))")
        let m4aObjects = Self.loadedObjects(m4a.stderr)
        #expect(m4aObjects.contains { $0.hasPrefix("libavformat.so") }, "\(m4aObjects.sorted())")
        #expect(m4aObjects.contains { $0.hasPrefix("libavcodec.so") }, "\(m4aObjects.sorted())")
    }

    @Test func withoutFFmpegM4AIsAOneLineErrorAndOtherFormatsStillWork() throws {
        let input = try writeSpeech("episode.wav")
        let made = try CommandRunner.run(["normalize", input, "-o", path("made.m4a"), "-q"])
        try #require(made.status == 0, "\(made.stderr)")
        let missing = "PODSMITH_FFMPEG_LIBRARY=/nonexistent/libavformat.so.59"

        let write = try podsmith(["normalize", input, "-o", path("out.m4a"), "-q"], variables: [missing])
        #expect(write.status == 70, "\(write.status): \(write.stderr)")
        let writeLines = write.stderr.split(separator: "\n")
        #expect(writeLines.count == 1, "\(write.stderr)")
        #expect(write.stderr.contains(path("out.m4a")) && write.stderr.contains("/nonexistent/libavformat.so.59"))
        #expect(write.stderr.contains("install FFmpeg's libraries"), "\(write.stderr)")

        let read = try podsmith(["measure", path("made.m4a")], variables: [missing])
        #expect(read.status == 65, "\(read.status): \(read.stderr)")
        #expect(read.stderr.split(separator: "\n").count == 1, "\(read.stderr)")
        #expect(read.stderr.contains(path("made.m4a")) && read.stderr.contains("MP4 audio is read with FFmpeg"))

        // The same machine writes the other formats as before.
        let flac = try podsmith(["normalize", input, "-o", path("out.flac"), "-q"], variables: [missing])
        #expect(flac.status == 0, "\(flac.stderr)")
        let left = try FileManager.default.contentsOfDirectory(atPath: folder.path).sorted()
        #expect(left == ["episode.wav", "made.m4a", "out.flac"], "nothing else is left behind: \(left)")
    }
}
