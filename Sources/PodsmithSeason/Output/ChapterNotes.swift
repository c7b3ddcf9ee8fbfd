import Foundation
import PodsmithKit

/// The chapters' timestamps as lines of the show notes (`00:12:30 Interview`).
///
/// Why: Apple Podcasts (iOS 26.2 and later) and several other apps turn timestamps in an episode's
/// description into chapters, and a listener reading the notes sees the outline; the times are the
/// re-timed ones, so they match the published audio.
enum ChapterNotes {
    /// `notes` with one line per titled table-of-contents chapter appended after a blank line; `notes`
    /// unchanged when it already has timestamp lines (the author wrote their own) or no chapter has a title.
    static func appending(_ chapters: ChapterList, to notes: String) -> String {
        let lines = chapters.chapters.compactMap { chapter -> String? in
            guard chapter.isInTableOfContents, let title = chapter.title, !title.isEmpty else { return nil }
            return timestamp(chapter.startTime) + " " + title
        }
        guard !lines.isEmpty, !hasTimestampLines(notes) else { return notes }
        let trimmed = notes.trimmingCharacters(in: .whitespacesAndNewlines)
        return (trimmed.isEmpty ? "" : trimmed + "\n\n") + lines.joined(separator: "\n")
    }

    /// `HH:MM:SS`, seconds truncated (a chapter that starts at 59.9 s starts within 00:00:59).
    static func timestamp(_ seconds: Double) -> String {
        // The chapters file is read back from OUTDIR by --merge: a damaged one must not trap Int().
        let total = Int(min(max(0, seconds), Double(WholeSeconds.maximum)))
        return String(format: "%02d:%02d:%02d", total / 3600, total / 60 % 60, total % 60)
    }

    /// Whether a line of `notes` starts with `M:SS`, `MM:SS` or `H:MM:SS` (a timestamp the author wrote).
    static func hasTimestampLines(_ notes: String) -> Bool {
        notes.split(whereSeparator: \.isNewline).contains { line in
            let token = line.trimmingCharacters(in: .whitespaces).prefix { $0.isNumber || $0 == ":" }
            let parts = token.split(separator: ":", omittingEmptySubsequences: false)
            guard (2...3).contains(parts.count), parts.allSatisfy({ !$0.isEmpty && $0.count <= 2 }) else {
                return false
            }
            return parts.dropFirst().allSatisfy { $0.count == 2 }
        }
    }
}
