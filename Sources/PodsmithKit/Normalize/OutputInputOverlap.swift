import Foundation
import PodsmithCore

/// Refuses a job whose outputs (the audio file and the files written beside it) would land on one of its inputs.
///
/// Why: `normalize raw/ep.wav -o raw/ep.mp3 --chapters raw/ep.chapters.json` follows the README's own
/// naming, and the re-timed `STEM.chapters.json` sidecar would replace the chapters the user wrote for
/// the raw recording; each later run would shift them again. Checked before anything is read, so the
/// refusal costs nothing. Two paths are the same file when they name the same inode (hard links,
/// symlinks, `./` spellings); a path that does not exist yet cannot be an input.
public enum OutputInputOverlap {
    /// - Parameters:
    ///   - outputs: every path the job will write (the audio and its sidecars).
    ///   - inputs: every path it reads, each with how to name it to the user (`"input audio"`,
    ///     `"--chapters file"`).
    /// - Throws: ``PodsmithError/sidecarIsInput(sidecar:input:role:)`` for the first output that is an input.
    public static func check(outputs: [String], inputs: [(path: String, role: String)]) throws(PodsmithError) {
        for output in outputs {
            for input in inputs where isSameFile(output, input.path) {
                throw .sidecarIsInput(sidecar: output, input: input.path, role: input.role)
            }
        }
    }

    /// Whether both paths exist and are one file.
    static func isSameFile(_ a: String, _ b: String) -> Bool {
        var x = stat(), y = stat()
        guard stat(a, &x) == 0, stat(b, &y) == 0 else { return false }
        return x.st_dev == y.st_dev && x.st_ino == y.st_ino
    }
}
