import Foundation
import PodsmithCodecs
import PodsmithCore

extension Normalizer {
    /// The transcript sidecars beside an output: `STEM.transcript.vtt` always, and
    /// `STEM.transcript.srt` too when the transcript was read from SRT (so a workflow built on SRT
    /// keeps its format).
    public static func transcriptSidecarPaths(for outputPath: String, format: Transcript.Format) -> [String] {
        let stem = URL(fileURLWithPath: outputPath).deletingPathExtension().path + ".transcript."
        return format == .srt ? [stem + "vtt", stem + "srt"] : [stem + "vtt"]
    }

    /// Writes the options' transcript, re-timed through the plan's edit, beside `outputPath`
    /// (each file through its own temporary, renamed into place when complete).
    func writeTranscript(plan: Plan, outputPath: String) throws {
        guard let transcript = options.transcript else { return }
        let moved = transcript.retimed(through: plan.edit)
        for path in Self.transcriptSidecarPaths(for: outputPath, format: transcript.format) {
            let text = path.hasSuffix(".srt") ? moved.srtText : moved.webVTTText
            try AtomicOutputFile.write(Data(text.utf8), to: path)
        }
    }
}
