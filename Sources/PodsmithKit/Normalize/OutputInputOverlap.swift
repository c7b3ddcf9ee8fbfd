import Foundation
import PodsmithCore

/// Refuses a job whose outputs (the audio file, the files written beside it, a season's own files) would
/// land on one of its inputs. The one owner of "an input is never overwritten": `normalize` and `season`
/// (episode files, `report.json`, `index.html`, `feed.xml`, the artwork copy, the state files) all ask it.
///
/// Why: `normalize raw/ep.wav -o raw/ep.mp3 --chapters raw/ep.chapters.json` follows the README's own
/// naming, and the re-timed `STEM.chapters.json` sidecar would replace the chapters the user wrote for
/// the raw recording; each later run would shift them again. A JSON manifest kept as `public/report.json`,
/// or an episode's cover kept as `public/artwork.jpg`, would be replaced the same way by `season -o public`.
/// Checked before anything is read, so the refusal costs nothing. Two paths are the same file when they
/// name the same inode (hard links, symlinks, `./` spellings); a path that does not exist yet cannot be
/// an input.
public enum OutputInputOverlap {
    /// An output that is one of the inputs.
    public struct Overlap: Sendable, Equatable {
        /// The path the job would write.
        public var output: String
        /// The input it names, as the caller spelled it.
        public var input: String
        /// How to name that input to the user (`"input audio"`, `"--chapters file"`, `"manifest"`).
        public var role: String

        public init(output: String, input: String, role: String) {
            self.output = output
            self.input = input
            self.role = role
        }
    }

    /// - Parameters:
    ///   - outputs: every path the job will write (the audio and its sidecars).
    ///   - inputs: every path it reads, each with how to name it to the user (`"input audio"`,
    ///     `"--chapters file"`).
    /// - Throws: ``PodsmithError/sidecarIsInput(sidecar:input:role:)`` for the first output that is an input.
    public static func check(outputs: [String], inputs: [(path: String, role: String)]) throws(PodsmithError) {
        if let first = overlaps(outputs: outputs, inputs: inputs).first {
            throw .sidecarIsInput(sidecar: first.output, input: first.input, role: first.role)
        }
    }

    /// Every output that is one of the inputs, in `outputs` order (the first input's role when several
    /// inputs are one file). Each path is looked at once, so a season of thousands of episodes costs one
    /// `stat` per file, not one per pair.
    public static func overlaps(outputs: [String], inputs: [(path: String, role: String)]) -> [Overlap] {
        var byFile: [FileID: (path: String, role: String)] = [:]
        for input in inputs {
            guard let id = FileID(input.path), byFile[id] == nil else { continue }
            byFile[id] = input
        }
        guard !byFile.isEmpty else { return [] }
        return outputs.compactMap { output in
            guard let id = FileID(output), let input = byFile[id] else { return nil }
            return Overlap(output: output, input: input.path, role: input.role)
        }
    }

    /// What `normalize INPUT -o OUTPUT` writes must not replace what it reads: the audio over a side
    /// file, and the chapters and transcript sidecars over any input. (The audio over the input audio
    /// is `--in-place`'s business: ``Normalizer`` checks it.)
    ///
    /// Both transcript sidecars (`STEM.transcript.vtt`, `.srt`) are checked whatever the transcript's
    /// format, so the check needs no file read: at worst it refuses an `.srt` sidecar a WebVTT transcript
    /// would not have written, which only a link named like a sidecar can reach.
    /// - Throws: ``PodsmithError/sidecarIsInput(sidecar:input:role:)``.
    public static func checkNormalize(
        input: String, output: String, chapters: String?, artwork: String?, transcript: String?
    ) throws(PodsmithError) {
        var sideInputs: [(path: String, role: String)] = []
        if let chapters { sideInputs.append((chapters, "--chapters file")) }
        if let artwork { sideInputs.append((artwork, "--artwork file")) }
        if let transcript { sideInputs.append((transcript, "--transcript file")) }
        try check(outputs: [output], inputs: sideInputs)
        var sidecars: [String] = []
        if chapters != nil { sidecars.append(Normalizer.chaptersSidecarPath(for: output)) }
        if transcript != nil { sidecars += Normalizer.transcriptSidecarPaths(for: output, format: .srt) }
        try check(outputs: sidecars, inputs: [(input, "input audio")] + sideInputs)
    }

    /// Whether both paths exist and are one file.
    public static func isSameFile(_ a: String, _ b: String) -> Bool {
        guard let x = FileID(a) else { return false }
        return x == FileID(b)
    }

    /// A file's identity: its device and inode (`nil` when the path does not exist).
    private struct FileID: Hashable {
        var device: UInt64
        var inode: UInt64

        init?(_ path: String) {
            var info = stat()
            guard stat(path, &info) == 0 else { return nil }
            device = UInt64(info.st_dev)
            inode = UInt64(info.st_ino)
        }
    }
}
