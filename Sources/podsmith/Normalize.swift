import ArgumentParser
import Foundation
import PodsmithKit

extension Podsmith {
    /// `podsmith normalize INPUT [-o OUTPUT]`: trim, normalize, limit, encode, tag and verify one episode.
    struct Normalize: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Trim, normalize to a loudness target with a true-peak limiter, encode, tag and verify.",
            discussion: """
                One linear gain brings the programme to the target (measured per ITU-R BS.1770-4); a \
                look-ahead true-peak limiter touches only the peaks that would cross the ceiling. \
                Leading and trailing silence is trimmed (with a short pad) unless --no-trim; \
                --max-pause shortens long pauses. Every cut is crossfaded. The written file is decoded \
                and measured; if it is more than 0.2 LU off the target or over the ceiling (lossy \
                encoders overshoot), it is corrected and rendered again (at most 3 passes).

                Presets: podcast = apple (-16 LUFS, -1 dBTP), spotify (-14, -1), ebu-r128 (-23, -1), \
                aes-speech (-18, -1), fr-broadcast (CST RT-017: -23, -3). --target and --true-peak override \
                the preset's values.

                Mono: a mono input stays mono (unless --stereo) and is normalized as dual-mono (AES \
                TD1004): with a -16 LUFS target the file measures -19 LUFS as one channel, which is \
                how it sounds on two speakers. --no-dual-mono normalizes the channel itself to the target.

                Output: without -o, STEM.normalized.mp3 beside the input. The format comes from the \
                extension or --format (mp3, wav, flac, opus, m4a; .opus is Ogg Opus at 48 kHz, .m4a is AAC-LC \
                in MP4). MP3 and M4A keep 44.1/48 kHz and take other rates to 44.1 kHz. The output is written to a hidden \
                temporary file (.NAME.podsmith-tmp-PID-RANDOM) in the target folder and renamed into place \
                only when complete and verified; Ctrl-C removes it. The input is never overwritten \
                unless --in-place.

                The report goes to stderr; --json prints it as one JSON object on stdout.

                Exit codes: 0 success; 2 written, but off the target or over the ceiling after the last \
                pass (with --strict: any warning); 64 usage error; 65 input is not usable audio (or has nothing \
                above the -70 LUFS gate); 66 input missing or unreadable; 70 internal error; 73 output \
                cannot be created.
                """)

        @Argument(help: ArgumentHelp("The raw episode.", valueName: "input"), completion: .file())
        var input: String

        @Option(
            name: .shortAndLong,
            help: ArgumentHelp(
                "Output file (default: STEM.normalized.mp3 beside the input).", valueName: "file"),
            completion: .file())
        var output: String?

        @Option(
            help: "Output format: mp3, wav, flac, opus or m4a (default: from the output's extension, else mp3).",
            transform: Self.outputFormat)
        var format: OutputFormat?

        // MARK: Loudness

        @Option(help: "Platform preset: podcast (= apple), apple, spotify, ebu-r128, aes-speech, fr-broadcast.")
        var preset: LoudnessPreset = .podcast

        // Loudness figures are negative: `.unconditional` lets `--target -14` parse (otherwise "-14" reads as
        // an option and argument-parser reports a missing value).
        @Option(
            parsing: .unconditional,
            help: ArgumentHelp(
                "Target integrated loudness in LUFS (default: the preset's, -16).", valueName: "LUFS"))
        var target: Double?

        @Option(
            name: .customLong("true-peak"), parsing: .unconditional,
            help: ArgumentHelp(
                "True-peak ceiling in dBTP (default: the preset's, -1.0).", valueName: "dBTP"))
        var truePeak: Double?

        @Option(
            name: .customLong("max-gain"), parsing: .unconditional,
            help: ArgumentHelp(
                "Largest boost in dB.", valueName: "dB"))
        var maxGain: Double = 24

        @Flag(name: .customLong("no-dual-mono"), help: "Normalize a mono output as one channel, not as dual-mono.")
        var noDualMono = false

        // MARK: Silence

        @Flag(name: .customLong("no-trim"), help: "Keep leading and trailing silence.")
        var noTrim = false

        @Option(
            name: .customLong("trim-threshold"), parsing: .unconditional,
            help: ArgumentHelp(
                "Level below which 10 ms windows count as silence, dBFS (of the input).", valueName: "dBFS"))
        var trimThreshold: Double = SilenceOptions().thresholdDBFS

        @Option(
            name: .customLong("trim-pad"), parsing: .unconditional,
            help: ArgumentHelp(
                "Silence kept before the first and after the last sound, seconds.", valueName: "s"))
        var trimPad: Double = SilenceOptions().padSeconds

        @Option(
            name: .customLong("max-pause"),
            help: ArgumentHelp(
                "Shorten every pause longer than this to this, seconds (default: off).", valueName: "s"))
        var maxPause: Double?

        // MARK: Leveling

        @Flag(
            help: ArgumentHelp(
                "Even out the loudness of speech over time (a quiet guest as loud as the host) before the "
                    + "linear gain; pauses are never raised more than the speech around them, music is left alone."))
        var leveler = false

        @Option(
            name: .customLong("leveler-strength"),
            help: ArgumentHelp(
                "How far --leveler brings each phrase to the common speech level: 0 (not at all) to 1 (default).",
                valueName: "S"))
        var levelerStrength: Double?

        // MARK: Encoding

        @Option(
            help: ArgumentHelp(
                "Bitrate in kbit/s (MP3 CBR and M4A default 128 stereo / 64 mono; Opus default 64 / 48).",
                valueName: "kbps"))
        var bitrate: Int?

        @Option(help: ArgumentHelp("MP3 VBR quality 0 (best) to 9 instead of CBR.", valueName: "Q"))
        var vbr: Int?

        @Option(
            name: .customLong("encode-threads"),
            help: ArgumentHelp(
                "Threads encoding one MP3 (CBR, 5 min or longer) in segments joined seamlessly; auto: the "
                    + "cores available to the process. The file is the same for any count.",
                valueName: "N|auto"))
        var encodeThreads: ThreadCount = .auto

        @Option(name: .customLong("bit-depth"), help: "WAV/FLAC sample format: 16 (TPDF dither), 24 or 32f.")
        var bitDepth: PCMBitDepth = .int16

        @Option(
            name: .customLong("sample-rate"),
            help: ArgumentHelp(
                "Output sample rate in Hz (default: keep; MP3 and M4A 44.1/48 kHz, Opus 48 kHz).", valueName: "Hz"))
        var sampleRate: Double?

        @Flag(help: "Downmix to mono.")
        var mono = false

        @Flag(help: "Write stereo (a mono input is duplicated).")
        var stereo = false

        // MARK: Tags

        @Option(help: "Episode title.") var title: String?
        @Option(help: "Artist or host.") var artist: String?
        @Option(help: "Album: the show's name.") var album: String?
        @Option(help: "Episode number.") var episode: Int?
        @Option(help: "Season number.") var season: Int?
        @Option(help: "Release year.") var year: Int?
        @Option(help: "Release date (ISO 8601 such as 2026-11-27, or RFC 2822); tagged as its UTC day.")
        var date: String?
        @Option(help: "Genre (default: the input's, else Podcast).") var genre: String?
        @Option(name: [.customLong("comment"), .customLong("description")], help: "Description or show notes.")
        var comment: String?
        @Option(help: ArgumentHelp("Cover art, JPEG or PNG.", valueName: "file"), completion: .file())
        var artwork: String?
        @Option(
            help: ArgumentHelp(
                "Chapters in the Podcasting 2.0 JSON chapters format; re-timed for every cut.",
                valueName: "file.json"), completion: .file(extensions: ["json"]))
        var chapters: String?
        @Option(
            help: ArgumentHelp(
                "Transcript, WebVTT or SRT; re-timed for every cut and written as STEM.transcript.vtt (and .srt).",
                valueName: "file.vtt|file.srt"), completion: .file(extensions: ["vtt", "srt"]))
        var transcript: String?

        // MARK: Behaviour

        @Flag(name: .customLong("no-verify"), help: "Do not decode and measure the written file.")
        var noVerify = false

        @Flag(name: .customLong("dry-run"), help: "Analyse and print the plan; write nothing.")
        var dryRun = false

        @Option(
            help: ArgumentHelp(
                "Also write the loudness plot a season draws (STEM.loudness.svg) to this SVG file.",
                valueName: "file.svg"),
            completion: .file(extensions: ["svg"]))
        var plot: String?

        @Flag(help: "Exit 2 when the report holds any warning, not only when the output misses its target.")
        var strict = false

        @Flag(name: .customLong("in-place"), help: "Allow the output to replace the input.")
        var inPlace = false

        @Flag(help: "Print the report as JSON on stdout.")
        var json = false

        @Flag(name: .shortAndLong, help: "No progress on stderr.")
        var quiet = false

        func validate() throws {
            if mono && stereo { throw ValidationError("--mono and --stereo exclude each other") }
            if levelerStrength != nil && !leveler { throw ValidationError("--leveler-strength needs --leveler") }
        }

        /// The first setting the options' own rules refuse (``NormalizeOptions/validate()``, the rules a season
        /// manifest is checked against too), a `--format` that contradicts the output's extension, or,
        /// without `--format`, an output extension that is no format we write.
        ///
        /// Checked first in ``run()``, before any file is read, and reported like every other failure (one
        /// line naming the input, exit 64) rather than from `validate()`, whose errors argument-parser prints
        /// in its own multi-line form.
        func settingIssue(outputPath: String) -> SettingIssue? {
            let ext = URL(fileURLWithPath: outputPath).pathExtension
            // An extension we do not write (.aac, .wma) would otherwise get MP3 data under its name.
            if format == nil, !ext.isEmpty, OutputFormat(pathExtension: ext) == nil {
                let known = OutputFormat.allCases.map { "." + $0.fileExtension }
                let advice =
                    OutputFormat.suggestion(for: ext).map { "use .\($0.fileExtension) (\($0.name))" }
                    ?? "use " + known.dropLast().joined(separator: ", ") + " or " + (known.last ?? "") + ", or --format"
                return SettingIssue(
                    .format, value: "." + ext,
                    rule: "(from the output's extension) is not a format podsmith writes; " + advice)
            }
            if let format, let fromExtension = OutputFormat(pathExtension: ext), format != fromExtension {
                return SettingIssue(
                    .format, value: format.rawValue,
                    rule: "does not match the output's extension .\(ext)")
            }
            return settings(outputPath: outputPath).validate().first
        }

        func run() throws {
            TemporaryFiles.shared.installSignalHandlers()
            let outputPath = try resolvedOutputPath()
            if let issue = settingIssue(outputPath: outputPath) {
                throw ExitCode(ErrorReporting.report(PodsmithError.invalidSetting(issue), file: input))
            }
            do {
                if !dryRun {
                    // The audio and its sidecars must not replace an input: refused before reading any.
                    try OutputInputOverlap.checkNormalize(
                        input: input, output: outputPath, chapters: chapters, artwork: artwork, transcript: transcript)
                }
                let options = try makeOptions(outputPath: outputPath)
                let progress = ProgressLine(
                    enabled: !quiet && !json && isatty(2) == 1, label: input, maxPasses: options.maxPasses)
                let report =
                    try plot.map {
                        try runPlotting(
                            options: options, outputPath: dryRun ? nil : outputPath, plotPath: $0,
                            progress: progress.update)
                    }
                    ?? Normalizer(options: options).run(
                        inputPath: input, outputPath: dryRun ? nil : outputPath, inPlace: inPlace,
                        progress: progress.update)
                progress.clear()
                if json {
                    print(try OrderedJSONEncoder.encode(report).rendered())
                } else {
                    FileHandle.standardError.write(Data(NormalizeReportFormatter.table(report, dryRun: dryRun).utf8))
                }
                for warning in report.warnings { ErrorReporting.printWarning(file: input, warning) }
                if !dryRun, report.missedTarget || (strict && !report.warnings.isEmpty) {
                    throw ExitCode(ExitStatus.writtenWithProblems)
                }
            } catch let exit as ExitCode {
                throw exit
            } catch {
                throw ExitCode(ErrorReporting.report(error, file: input))
            }
        }

        /// `-o`, or STEM.normalized.EXT beside the input.
        func resolvedOutputPath() throws -> String {
            if let output { return output }
            let url = URL(fileURLWithPath: input)
            let ext = (format ?? .mp3).fileExtension
            return url.deletingPathExtension().path + ".normalized." + ext
        }

        /// The options, with the side files (artwork, chapters) read.
        func makeOptions(outputPath: String) throws -> NormalizeOptions {
            var options = settings(outputPath: outputPath)
            if let artwork { options.metadata.artwork = try Artwork(contentsOf: artwork) }
            options.chapters = try chapters.map { try ChapterList.load(path: $0) }
            // (That the re-timed copy cannot replace the user's own file was checked in run().)
            options.transcript = try transcript.map { try Transcript.load(path: $0) }
            // Tags no file of this format can hold are refused now, not after the analysis and the encode.
            try TagSizeLimits.check(
                metadata: options.metadata, chapters: options.chapters, format: options.encoder.format,
                chaptersPath: chapters, artworkPath: artwork)
            return options
        }

        /// The options as the flags give them, reading no file: what ``validate()`` checks.
        func settings(outputPath: String) -> NormalizeOptions {
            let fromExtension = OutputFormat(pathExtension: URL(fileURLWithPath: outputPath).pathExtension)
            let outputFormat = format ?? fromExtension ?? .mp3
            var target = preset.target
            if let self_target = self.target { target.integratedLUFS = self_target }
            if let truePeak { target.truePeakDBTP = truePeak }

            var silence = SilenceOptions()
            silence.trimHead = !noTrim
            silence.trimTail = !noTrim
            silence.thresholdDBFS = trimThreshold
            silence.padSeconds = trimPad
            silence.maxPauseSeconds = maxPause

            // A date is tagged as its UTC day, as a season tags it; one that does not parse stays as typed,
            // for validate() to refuse.
            let day = date.flatMap(PublicationDate.parse).map { String(PublicationDate.iso8601($0).prefix(10)) }
            let metadata = EpisodeMetadata(
                title: title, artist: artist, album: album, episode: episode, season: season,
                year: year, date: day ?? date, genre: genre, comment: comment)

            var options = NormalizeOptions(
                target: target, monoConvention: noDualMono ? .singleChannel : .dualMono, maxGainDB: maxGain,
                silence: silence, channels: mono ? .mono : stereo ? .stereo : .keep,
                encoder: EncoderSettings(
                    format: outputFormat, bitrateKbps: bitrate, vbrQuality: vbr,
                    bitDepth: bitDepth, sampleRate: sampleRate, encodeThreads: encodeThreads.value),
                metadata: metadata, verify: !noVerify)
            options.leveler = leveler
            options.levelerStrength = levelerStrength ?? options.levelerStrength
            return options
        }
    }
}

extension LoudnessPreset: ExpressibleByArgument {}
extension OutputFormat: ExpressibleByArgument {}

extension Podsmith.Normalize {
    /// `--format`'s value, with the format meant when a codec or another extension is named (`aac` → `m4a`).
    static func outputFormat(_ text: String) throws -> OutputFormat {
        if let format = OutputFormat(rawValue: text.lowercased()) { return format }
        let known = OutputFormat.allCases.map(\.rawValue).joined(separator: ", ")
        if let suggested = OutputFormat.suggestion(for: text) {
            throw ValidationError("'\(text)' is not an output format; did you mean \(suggested.rawValue)?")
        }
        throw ValidationError("'\(text)' is not an output format; use one of \(known)")
    }
}
extension PCMBitDepth: ExpressibleByArgument {}
