import Foundation
import PodsmithKit

/// Names of the files a season writes, made safe for a flat output folder.
///
/// Every name the engine writes is a single path component checked by ``isSafeFileName(_:)``, and
/// every path is built by ``path(in:fileName:)``, which refuses anything else: nothing is ever
/// written outside the output folder, whatever the manifest's titles or file names contain.
public enum OutputNaming {
    /// Longest stem kept, in UTF-8 bytes (file systems allow 255 per name; this leaves room for
    /// sidecar suffixes such as `.waveform.json` and the temporaries' `.NAME.podsmith-tmp-PID`).
    public static let maximumStemBytes = 160

    /// `STEM.chapters.json`: the re-timed chapters (Podcasting 2.0), when the episode has chapters.
    public static let chaptersSuffix = ".chapters.json"
    /// `STEM.waveform.json`: the waveform of the published audio (BBC audiowaveform format).
    public static let waveformSuffix = ".waveform.json"
    /// `STEM.loudness.svg`: the episode's loudness plot.
    public static let loudnessPlotSuffix = ".loudness.svg"
    /// `STEM.report.json`: the episode's report, written by the season runner.
    public static let reportSuffix = ".report.json"
    /// `STEM.transcript.vtt`: the re-timed transcript, when the episode has one.
    public static let transcriptVTTSuffix = ".transcript.vtt"
    /// `STEM.transcript.srt`: the re-timed transcript as SRT, when the episode's was SRT.
    public static let transcriptSRTSuffix = ".transcript.srt"

    /// Suffixes of the per-episode sidecar files, written next to the audio outputs: the one list that
    /// collision checks, ownership, the processor (``EpisodeProcessor/sidecarSuffixes``) and so each
    /// episode's sidecar fingerprint use. A suffix added here is written for existing episodes by the
    /// next run (see ``SeasonRunner``).
    public static let sidecarSuffixes = [
        chaptersSuffix, waveformSuffix, loudnessPlotSuffix, reportSuffix, transcriptVTTSuffix, transcriptSRTSuffix,
    ]

    /// The per-episode report's file name for a stem.
    public static func reportFileName(stem: String) -> String { stem + reportSuffix }

    /// Makes a file stem safe: control characters removed, `/` and `\` turned into `-`, leading dots,
    /// dashes and spaces removed (no hidden files, no `.` or `..`, no clash with `.podsmith`, no name
    /// that reads as an option), trailing dots and spaces removed, cut to ``maximumStemBytes`` at a character boundary.
    /// - Returns: the safe stem, or `nil` when nothing usable is left.
    public static func sanitizeStem(_ name: String) -> String? {
        var scalars = String.UnicodeScalarView()
        for scalar in name.unicodeScalars {
            if CharacterSet.controlCharacters.contains(scalar) || scalar.value == 0x7F { continue }
            if scalar == "/" || scalar == "\\" {
                scalars.append("-")
            } else {
                scalars.append(scalar)
            }
        }
        // Leading dots, dashes and spaces go (`../x` → `x`), so do trailing dots and spaces (a name
        // ending in a dot is invalid on Windows and confusing with the extension that follows).
        let leading = CharacterSet(charactersIn: ".-").union(.whitespacesAndNewlines)
        let trailing = CharacterSet(charactersIn: ".").union(.whitespacesAndNewlines)
        var result = Substring(String(scalars))
        while let first = result.unicodeScalars.first, leading.contains(first) { result = result.dropFirst() }
        var trimmed = truncate(String(result), toBytes: maximumStemBytes)
        while let last = trimmed.unicodeScalars.last, trailing.contains(last) { trimmed.removeLast() }
        return trimmed.isEmpty ? nil : trimmed
    }

    /// A URL- and file-system-friendly slug of a title: ASCII lower-case letters and digits, runs of
    /// anything else turned into one `-`, accents folded (`Café` → `cafe`), no leading or trailing `-`.
    /// - Returns: the slug, or `nil` when the title has no letter or digit at all.
    public static func slug(_ title: String) -> String? {
        // Letters that are not a base letter plus accents (œ, æ, ß, ø…) have no diacritic to fold away and
        // would be dropped: "cœur" made `c-ur`. They are spelled out first, as French and German write them
        // when the letter is unavailable; compatibility mapping first turns ﬁ into fi and the like.
        let spelled = title.precomposedStringWithCompatibilityMapping.unicodeScalars.map { scalar in
            Self.spelledOutLetters[scalar] ?? String(scalar)
        }.joined()
        let folded = spelled.folding(
            options: [.diacriticInsensitive, .caseInsensitive, .widthInsensitive], locale: nil)
        var result = ""
        var pendingDash = false
        for scalar in folded.unicodeScalars {
            let isWordCharacter = scalar.isASCII && (CharacterSet.alphanumerics.contains(scalar))
            if isWordCharacter {
                if pendingDash && !result.isEmpty { result.append("-") }
                pendingDash = false
                result.unicodeScalars.append(scalar)
            } else {
                pendingDash = true
            }
        }
        result = result.lowercased()
        result = truncate(result, toBytes: maximumStemBytes)
        while result.hasSuffix("-") { result.removeLast() }
        return result.isEmpty ? nil : result
    }

    /// Latin letters that diacritic folding leaves as they are, in their usual ASCII spelling.
    static let spelledOutLetters: [Unicode.Scalar: String] = [
        "œ": "oe", "Œ": "OE", "æ": "ae", "Æ": "AE", "ß": "ss", "ẞ": "SS", "ø": "o", "Ø": "O",
        "đ": "d", "Đ": "D", "ð": "d", "Ð": "D", "þ": "th", "Þ": "TH", "ł": "l", "Ł": "L", "ı": "i",
        "ħ": "h", "Ħ": "H", "ŧ": "t", "Ŧ": "T", "ŋ": "ng", "Ŋ": "NG", "ĳ": "ij", "Ĳ": "IJ",
    ]

    /// True when `name` is one plain file name: not empty, not `.` or `..`, no `/`, no NUL or other
    /// control character.
    public static func isSafeFileName(_ name: String) -> Bool {
        guard !name.isEmpty, name != ".", name != "..", name.utf8.count <= 255 else { return false }
        for scalar in name.unicodeScalars {
            if scalar == "/" || scalar == "\\" || CharacterSet.controlCharacters.contains(scalar)
                || scalar.value == 0x7F
            {
                return false
            }
        }
        return true
    }

    /// The path of `fileName` in `folder`.
    /// - Throws: ``PodsmithError/outputNotWritable(path:reason:)`` when `fileName` is not one safe
    ///   file name (so the path would leave the folder).
    public static func path(in folder: String, fileName: String) throws -> String {
        guard isSafeFileName(fileName) else {
            throw PodsmithError.outputNotWritable(
                path: fileName, reason: "not a plain file name; refusing to write outside \(folder)")
        }
        return (folder as NSString).appendingPathComponent(fileName)
    }

    /// The stem an episode's outputs are named after, before collision checks.
    ///
    /// An explicit `output` wins; otherwise the naming scheme decides (`stem`: the input file's stem;
    /// `title`: the title's slug, falling back to the input file's stem when the title has no letter
    /// or digit). Every choice is sanitized.
    public static func stem(for entry: EpisodeEntry, scheme: OutputNamingScheme) -> String? {
        if let output = entry.output { return sanitizeStem(output) }
        let fileStem = sanitizeStem(PathText.stem(entry.file))
        switch scheme {
        case .stem:
            return fileStem
        case .title:
            return entry.title.flatMap(slug) ?? fileStem
        }
    }

    /// Pairs of positions whose file names collide, compared case-insensitively (macOS and Windows
    /// file systems are): `[(later, earlier, name)]`, the later one listed once per collision.
    public static func collisions(_ names: [[String]]) -> [(index: Int, earlier: Int, name: String)] {
        var owner: [String: Int] = [:]
        var found: [(Int, Int, String)] = []
        for (index, fileNames) in names.enumerated() {
            var reported = false
            for name in fileNames {
                let key = name.lowercased()
                if let earlier = owner[key], earlier != index {
                    if !reported { found.append((index, earlier, name)) }
                    reported = true
                } else {
                    owner[key] = index
                }
            }
        }
        return found
    }

    private static func truncate(_ text: String, toBytes limit: Int) -> String {
        guard text.utf8.count > limit else { return text }
        var result = ""
        var bytes = 0
        for character in text {
            let size = String(character).utf8.count
            if bytes + size > limit { break }
            result.append(character)
            bytes += size
        }
        return result
    }
}
