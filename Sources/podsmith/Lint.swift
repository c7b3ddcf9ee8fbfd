import ArgumentParser
import Foundation
import PodsmithKit
import PodsmithSeason

extension Podsmith {
    /// `podsmith lint FILE...`: checks files against a platform's published requirements.
    struct Lint: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Check files against a podcast platform's published requirements.",
            discussion: """
                For each audio file: integrated loudness and true peak (measured with Podsmith's \
                BS.1770-4 meter; mono files are judged as dual-mono, +3.01 LU), sample rate, MP3 \
                bitrate, WAV/FLAC channels and bit depth, and embedded artwork. An image file (JPEG or \
                PNG) is checked as artwork: square, 1400 to 3000 px, RGB. A feed (.xml or .rss) is \
                checked against Apple's RSS requirements and the Podcasting 2.0 namespace: channel \
                title, description, language, artwork, explicit, categories from Apple's list, unique \
                item guids, RFC 2822 dates, enclosure URL, length and type, soundbites and \
                transcripts. Every rule names its source.

                apple: Apple Podcasts' audio and artwork requirements (-16 +/-1 LUFS, <= -1 dBTP, \
                44.1/48 kHz, MP3 >= 64 kbps stereo / 32 mono, 128/96 recommended). spotify: -14 LUFS \
                +/-1 LU, <= -1 dBTP. generic: AES TD1004 (-20 to -16 LUFS, <= -1 dBTP).

                Errors go to stdout as findings (or JSON with --json); a file that cannot be read gets \
                one line on stderr. Exit codes: 0 nothing failed (warnings allowed); 1 a rule failed or \
                a file could not be checked; 64 usage error.
                """)

        @Argument(
            help: ArgumentHelp("Audio files, artwork images or feeds (.xml, .rss).", valueName: "file"),
            completion: .file())
        var files: [String]

        @Option(help: "Platform: apple, spotify or generic.")
        var platform: Platform = .apple

        @Flag(help: "Print one JSON object per file (an array for several files).")
        var json = false

        func run() throws {
            var failed = false
            var documents: [OrderedJSON] = []
            for file in files {
                do {
                    let findings = try Self.findings(file, platform: platform)
                    if Linter.fails(findings) { failed = true }
                    if json {
                        documents.append(
                            .object([
                                ("file", .string(file)),
                                ("platform", .string(platform.rawValue)),
                                ("passed", .bool(!Linter.fails(findings))),
                                (
                                    "findings",
                                    .array(
                                        findings.map { finding in
                                            .object([
                                                ("rule", .string(finding.ruleID)),
                                                ("severity", .string(finding.severity.rawValue)),
                                                ("message", .string(finding.message)),
                                                ("source", .string(finding.rule.source)),
                                            ])
                                        })
                                ),
                            ]))
                    } else {
                        let verdict = Linter.fails(findings) ? "FAIL" : (findings.isEmpty ? "ok" : "ok, with warnings")
                        print("\(file): \(verdict) (\(platform.rawValue))")
                        for finding in findings { print("  \(finding)") }
                    }
                } catch {
                    failed = true
                    ErrorReporting.report(error, file: file)
                    if json {
                        documents.append(
                            .object([
                                ("file", .string(file)),
                                ("error", .string(ErrorReporting.message(for: error, file: file))),
                            ]))
                    }
                }
            }
            if json { print((files.count == 1 ? documents[0] : .array(documents)).rendered()) }
            if failed { throw ExitCode(ExitStatus.someFailed) }
        }

        /// A feed's findings by its extension (`.xml`, `.rss`), an image's or an audio file's otherwise.
        static func findings(_ file: String, platform: Platform) throws -> [LintFinding] {
            if ["xml", "rss"].contains((file as NSString).pathExtension.lowercased()) {
                let bytes: [UInt8]
                do throws(RegularFileReader.Problem) {
                    bytes = try RegularFileReader.contents(of: file, limit: FeedLinter.maximumFileBytes)
                } catch {
                    if error == .missing { throw PodsmithError.inputMissing(path: file) }
                    throw PodsmithError.inputUnreadable(path: file, reason: error.description)
                }
                return FeedLinter.check(Data(bytes))
            }
            let facts = try FileInspector.inspect(path: file)
            let loudness: LoudnessMeasurement? =
                facts.container == .image
                ? nil
                : try LoudnessAnalysis.measure(AudioFileOpener.open(path: file), meter: .podsmith)
            return Linter.check(facts: facts, loudness: loudness, platform: platform)
        }
    }
}
