import Foundation
import PodsmithKit
import PodsmithSeason

extension Podsmith.Normalize {
    /// `--plot FILE.svg`: the normalize, analysed and written in two calls rather than one
    /// (``Normalizer/run(inputPath:outputPath:inPlace:progress:)``), so that the plan is at hand to draw
    /// the episode's loudness plot exactly as a season draws it (`STEM.loudness.svg`): the programme's
    /// momentary and short-term loudness at the applied gain, the target, the limiter's activity and
    /// where pauses were cut, on the output's timeline. With `--dry-run` the plot shows the plan (no limiter activity: nothing was
    /// rendered).
    func runPlotting(
        options: NormalizeOptions, outputPath: String?, plotPath: String,
        progress: @escaping (Normalizer.Stage, Double) throws -> Void
    ) throws -> NormalizeReport {
        var options = options
        options.recordsLoudnessSeries = true
        try options.check()
        if let outputPath, !inPlace, OutputInputOverlap.isSameFile(input, outputPath) {
            throw PodsmithError.outputIsInput(path: outputPath)
        }
        // The plot must not replace the input or the output either.
        try OutputInputOverlap.check(
            outputs: [plotPath], inputs: [(input, "input audio")] + (outputPath.map { [($0, "output")] } ?? []))
        let normalizer = Normalizer(options: options)
        let reader = try AudioFileOpener.open(path: input)
        let plan = try normalizer.analyse(reader, progress: progress)
        let report =
            try outputPath.map { try normalizer.write(plan: plan, from: reader, outputPath: $0, progress: progress) }
            ?? normalizer.predictedReport(plan, from: reader, progress: progress)
        let title = options.metadata.title ?? URL(fileURLWithPath: input).lastPathComponent
        let svg = NormalizingEpisodeProcessor.plot(plan: plan, report: report, title: title)
        try AtomicOutputFile.write(Data(svg.utf8), to: plotPath)
        return report
    }
}
