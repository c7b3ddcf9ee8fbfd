import ArgumentParser
import Foundation
import PodsmithKit

extension Podsmith {
    /// `podsmith measure FILE...`: loudness, loudness range and peaks of each file, as a table or JSON.
    struct Measure: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Measure loudness (ITU-R BS.1770-4 / EBU R128), loudness range and peaks.",
            discussion: """
                Reads WAV (16/24/32-bit integer, 32/64-bit float), FLAC, Ogg Vorbis, Ogg Opus, AIFF \
                and MP3 with 1 to 8 channels at 8 to 192 kHz, streaming (memory does not grow with \
                the file's length).

                Mono files are measured as one channel, as BS.1770 and libebur128 do: a mono file \
                reads about 3 LU lower than the same signal in both channels of a stereo file. \
                Channel order for 5 and 6 channels is the WAVE order (L, R, C, LFE, Ls, Rs; with 5 \
                channels L, R, C, Ls, Rs); the LFE channel is not counted.

                Figures: integrated loudness (LUFS, gated), loudness range (LU, EBU Tech 3342), \
                true peak (dBTP, 4x oversampled), sample peak (dBFS), largest momentary (400 ms) and \
                short-term (3 s) loudness (LUFS). A figure that is undefined (silence, a file shorter \
                than one 400 ms gating block) is shown as n/a, and as null in JSON.

                --json prints one object per file (an array when several files are given) with the \
                keys file, duration_s, sample_rate, channels, integrated_lufs, loudness_range_lu, \
                true_peak_dbtp, sample_peak_dbfs, max_momentary_lufs, max_short_term_lufs, plus \
                meter, container and encoding. A file that fails appears as {"file": ..., "error": ...}.

                --series csv|json prints, instead of the figures, the momentary and short-term loudness \
                every 100 ms (podsmith meter): CSV rows file,time_s,momentary_lufs,short_term_lufs, or \
                one JSON object per file with file, hop_s and the two series. Each value is the window \
                ending at its time; silence is an empty field (null in JSON).

                Errors go to stderr, one line each: "podsmith: <file>: <problem>". With several \
                files the good ones are still measured. Exit codes: 0 success; 1 some of several \
                files failed; 64 usage error; 65 input is not usable audio (not audio, empty, \
                truncated, unsupported); 66 input missing or unreadable (or a directory); 70 \
                internal error.
                """)

        @Argument(help: ArgumentHelp("Audio files to measure.", valueName: "file"), completion: .file())
        var files: [String]

        @Flag(help: "Print JSON instead of a table (one object per file; an array for several files).")
        var json = false

        @Option(
            help: ArgumentHelp(
                "Which meter measures: podsmith (our own) or libebur128 (the reference).",
                valueName: "meter"))
        var meter: MeterKind = .podsmith

        @Option(
            help: ArgumentHelp(
                "Print momentary and short-term loudness every 100 ms instead, as csv or json.", valueName: "format"))
        var series: LoudnessSeriesFormat?

        func validate() throws {
            if series != nil && meter == .libebur128 {
                throw ValidationError("--series needs --meter podsmith (libebur128 records no series)")
            }
        }

        func run() throws {
            var outcome = BatchOutcome()
            var results: [FileResult] = []
            for file in files {
                do {
                    let measured = try Self.measure(
                        file, meter: meter, options: LoudnessMeterOptions(recordsSeries: series != nil))
                    results.append(.measured(measured))
                    outcome.recordSuccess()
                } catch {
                    let code = ErrorReporting.report(error, file: file)
                    results.append(.failed(file: file, message: ErrorReporting.message(for: error, file: file)))
                    outcome.recordFailure(code: code)
                }
            }
            if let series {
                let measured = results.compactMap { result -> (file: String, measurement: LoudnessMeasurement)? in
                    if case .measured(let m) = result { return (m.file, m.measurement) }
                    return nil
                }
                if !measured.isEmpty {
                    let text =
                        series == .csv ? LoudnessSeriesOutput.csv(measured) : LoudnessSeriesOutput.json(measured)
                    print(text, terminator: "")
                }
            } else if json {
                let values = try results.map { try $0.json() }
                let document = files.count == 1 ? values[0] : .array(values)
                print(document.rendered())
            } else {
                let measured = results.compactMap { result -> FileMeasurement? in
                    if case .measured(let m) = result { return m }
                    return nil
                }
                if !measured.isEmpty { print(MeasurementTable.render(measured), terminator: "") }
            }
            try outcome.exit()
        }

        /// Streams one file through the chosen meter.
        static func measure(
            _ file: String, meter: MeterKind, options: LoudnessMeterOptions = LoudnessMeterOptions()
        ) throws -> FileMeasurement {
            if M4AReader.handles(path: file) {
                let reader = try M4AReader(path: file)
                return FileMeasurement(
                    file: file, meter: meter, container: reader.containerName, encoding: reader.encodingName,
                    measurement: try LoudnessAnalysis.measure(reader, meter: meter, options: options))
            }
            let reader = try SoundFileReader(path: file)
            let measurement = try LoudnessAnalysis.measure(reader, meter: meter, options: options)
            if reader.nonFiniteSampleCount > 0 {
                ErrorReporting.printWarning(
                    file: file, "\(reader.nonFiniteSampleCount) NaN or infinite samples were measured as silence")
            }
            if reader.outOfRangeSampleCount > 0 {
                ErrorReporting.printWarning(
                    file: file,
                    "\(reader.outOfRangeSampleCount) samples beyond ±65536 (+96 dBFS, corrupt data) were measured as silence"
                )
            }
            return FileMeasurement(
                file: file, meter: meter, container: reader.containerName, encoding: reader.encodingName,
                measurement: measurement)
        }
    }
}

/// One measured file with what the report shows about it.
struct FileMeasurement: Encodable {
    var file: String
    var meter: MeterKind
    var container: String
    var encoding: String
    var measurement: LoudnessMeasurement

    enum CodingKeys: String, CodingKey {
        case meter, container, encoding
    }

    /// The measure keys (``MeasuredFile``), then how the file was read.
    func encode(to encoder: any Encoder) throws {
        try MeasuredFile(file: file, measurement: measurement).encode(to: encoder)
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(meter.rawValue, forKey: .meter)
        try c.encode(container, forKey: .container)
        try c.encode(encoding, forKey: .encoding)
    }
}

/// The outcome of one input of `measure`.
enum FileResult {
    case measured(FileMeasurement)
    case failed(file: String, message: String)

    /// The JSON object documented in `measure --help`.
    func json() throws -> OrderedJSON {
        switch self {
        case .failed(let file, let message):
            return .object([("file", .string(file)), ("error", .string(message))])
        case .measured(let m):
            return try OrderedJSONEncoder.encode(m)
        }
    }
}
