import Foundation
import PodsmithCodecs
import PodsmithCore

extension Normalizer {
    /// What one trial render measured: the rendered (uncoded) programme's loudness and the limiter's work.
    struct TrialMeasurement {
        /// Integrated loudness, LUFS (the ungated loudness when no block passes the gates); `nil` for
        /// nothing measurable.
        var levelLUFS: Double?
        var limiter: LimiterStatistics
        /// A split trial's 100 ms step energies, both parts' in order (empty for one chain).
        var stepEnergies: [Double] = []
    }

    /// One trial render at `gainDB` and `ceilingDBTP` into a loudness-only meter.
    ///
    /// When the plan allows a split (``TrialSplit``), its two parts render at once: the first on the
    /// calling thread, the second on a thread of its own with a second reader of the source
    /// (``SeekableAudioSource/independentReader()``), when the options allow threads
    /// (``RenderThreading/pipelined``); with ``RenderThreading/singleThread``, or a source that cannot
    /// be read twice at once, the same parts render one after the other on the calling thread, so
    /// the figures never depend on the threads. Otherwise one chain renders the whole programme.
    func trialRender(
        plan: Plan, source: some SeekableAudioSource, gainDB: Double, ceilingDBTP: Double,
        progress: ((Stage, Double) throws -> Void)?
    ) throws -> TrialMeasurement {
        guard let split = TrialSplit(plan: plan, limiter: options.limiter) else {
            let sink = MeterSink(
                format: AudioFormat(sampleRate: plan.outputSampleRate, channelCount: plan.outputChannels))
            let statistics = try renderPass(
                plan: plan, from: source, gainDB: gainDB, ceilingDBTP: ceilingDBTP, into: sink, observer: nil,
                progress: progress.map { report in { try report(.calibrating, $1) } })
            return TrialMeasurement(
                levelLUFS: sink.result?.integratedLUFS ?? sink.result?.ungatedLUFS, limiter: statistics)
        }
        func render(
            _ index: Int, from reader: any SeekableAudioSource, progress: ((Double) throws -> Void)?
        ) throws
            -> TrialPartResult
        {
            try renderTrialPart(
                split.parts[index], stepFrames: split.stepFrames, plan: plan, from: reader, gainDB: gainDB,
                ceilingDBTP: ceilingDBTP, progress: progress)
        }
        let report = progress.map { report in { (fraction: Double) in try report(.calibrating, fraction) } }
        var results: [TrialPartResult]
        if options.threading == .pipelined, let second = try source.independentReader() {
            // The second reader, the plan and this normalizer go to the worker and are not touched
            // here again until it has signalled `done`.
            nonisolated(unsafe) let reader = second
            nonisolated(unsafe) let normalizer = self
            let outcome = LockedBox<Result<TrialPartResult, any Error>?>(nil)
            let stop = LockedBox(false)
            let done = DispatchSemaphore(value: 0)
            WorkerThread.start(name: "podsmith.trial", stackSize: 1 << 20) {
                let result = Result {
                    try normalizer.renderTrialPart(
                        split.parts[1], stepFrames: split.stepFrames, plan: plan, from: reader, gainDB: gainDB,
                        ceilingDBTP: ceilingDBTP, progress: nil, stop: stop)
                }
                outcome.withLockedValue { $0 = result }
                done.signal()
            }
            let first: TrialPartResult
            do {
                first = try render(0, from: source, progress: report)
            } catch {
                // Cancelled, or failed: the second part need not finish either.
                stop.withLockedValue { $0 = true }
                done.wait()
                throw error
            }
            done.wait()
            guard let second = outcome.withLockedValue({ $0 }) else { throw CancellationError() }
            results = [first, try second.get()]
        } else {
            results = [
                try render(0, from: source, progress: report.map { report in { try report($0 / 2) } }),
                try render(1, from: source, progress: report.map { report in { try report(0.5 + $0 / 2) } }),
            ]
        }
        let steps = results.flatMap(\.stepEnergies)
        return TrialMeasurement(
            levelLUFS: Self.splitTrialLoudness(stepEnergies: steps),
            limiter: Self.joinedStatistics(results, sampleRate: plan.outputSampleRate), stepEnergies: steps)
    }

    /// What one part of a split trial measured.
    struct TrialPartResult: Sendable {
        /// The energies of the 100 ms steps in the part's span.
        var stepEnergies: [Double]
        /// Its limiter's statistics over the span, output frames counted from `outputStart`.
        var statistics: LimiterStatistics
        var histogram: ReductionHistogram
        var outputStart: Int64
    }

    /// Renders one part of a split trial: a fresh chain (leveler at the part's start, edit, gain and
    /// limiter) from the part's pre-roll to its post-roll, into a ``TrialPartMeter``. It stops early,
    /// throwing, when `stop` is set (the other part failed or was cancelled).
    private func renderTrialPart(
        _ part: TrialSplit.Part, stepFrames: Int, plan: Plan, from source: any SeekableAudioSource,
        gainDB: Double, ceilingDBTP: Double, progress: ((Double) throws -> Void)?, stop: LockedBox<Bool>? = nil
    ) throws -> TrialPartResult {
        let format = source.format
        try source.seek(toFrame: part.readStart)
        let editor =
            plan.edit.isIdentity
            ? nil : EditRenderer(plan: plan.edit, channelCount: format.channelCount, startFrame: part.readStart)
        let chain = try RenderChain.make(
            plan: plan, input: format, gainDB: gainDB, limiter: options.limiter, ceilingDBTP: ceilingDBTP)
        let local = part.span.lowerBound - part.outputStart
        chain.limiter.statisticsRange =
            local..<(part.span.upperBound == .max ? .max : part.span.upperBound - part.outputStart)
        let leveler = plan.leveler.map {
            LevelerGainStage(
                curve: $0.curve, channelCount: format.channelCount, startFrame: part.readStart,
                capacity: options.blockFrames)
        }
        let processor = ProcessorChain([leveler, editor, chain.processor])
        let sink = TrialPartMeter(
            format: AudioFormat(sampleRate: plan.outputSampleRate, channelCount: plan.outputChannels),
            outputStart: part.outputStart, span: part.span, stepFrames: stepFrames, capacity: options.blockFrames)
        let buffer = AudioBuffer(channelCount: format.channelCount, capacity: options.blockFrames)
        let end = part.readEnd ?? plan.edit.inputFrameCount
        let total = Double(max(1, end - part.readStart))
        var remaining = part.readEnd.map { $0 - part.readStart } ?? .max
        var consumed: Int64 = 0
        while remaining > 0, try source.read(into: buffer) > 0 {
            if let stop, stop.withLockedValue({ $0 }) { throw CancellationError() }
            buffer.frameCount = Int(min(Int64(buffer.frameCount), remaining))
            remaining -= Int64(buffer.frameCount)
            consumed += Int64(buffer.frameCount)
            try processor.process(buffer) { try sink.write($0) }
            try progress?(min(1, Double(consumed) / total))
        }
        try processor.finish { try sink.write($0) }
        try sink.finish()
        return TrialPartResult(
            stepEnergies: sink.stepEnergies, statistics: chain.limiter.statistics,
            histogram: chain.limiter.reductionHistogram, outputStart: part.outputStart)
    }

    /// The integrated loudness of a programme from the energies of its 100 ms steps, LUFS: the
    /// 400 ms gating blocks (every 100 ms, 75 % overlap) are the means of four consecutive steps,
    /// summed as ``LoudnessMeter`` sums them, and gated over all of them (BS.1770-4 §2.8); with no
    /// block above the gates, the ungated loudness of the complete steps (the meter's counts a last
    /// partial step too, a difference of under 100 ms); `nil` for silence or no complete step.
    static func splitTrialLoudness(stepEnergies steps: [Double]) -> Double? {
        var blocks: [Double] = []
        blocks.reserveCapacity(max(0, steps.count - 3))
        for i in steps.indices.dropFirst(3) {
            var sum = 0.0
            for back in 0..<4 { sum += steps[i - back] }
            blocks.append(sum / 4)
        }
        if let integrated = Gating.integratedLoudness(blockEnergies: blocks) { return integrated }
        guard !steps.isEmpty else { return nil }
        let ungated = Gating.loudness(ofEnergy: steps.reduce(0, +) / Double(steps.count))
        return ungated.isFinite ? ungated : nil
    }

    /// The parts' limiter statistics as one limiter's over the whole output: the largest reduction,
    /// the time limited, the histogram's depths, and the ranges (moved to the output's frames,
    /// joined across the split as the limiter joins ranges under half a second apart).
    static func joinedStatistics(_ parts: [TrialPartResult], sampleRate: Double) -> LimiterStatistics {
        var joined = LimiterStatistics()
        var histogram = ReductionHistogram()
        for part in parts {
            let statistics = part.statistics
            joined.maxReductionDB = max(joined.maxReductionDB, statistics.maxReductionDB)
            joined.reducingSeconds += statistics.reducingSeconds
            joined.frameCount += statistics.frameCount
            histogram.merge(part.histogram)
            for (index, range) in statistics.activeRanges.enumerated() {
                let depth =
                    statistics.activeRangeMaxReductionsDB.indices.contains(index)
                    ? statistics.activeRangeMaxReductionsDB[index] : 0
                let moved = (range.lowerBound + part.outputStart)..<(range.upperBound + part.outputStart)
                if let last = joined.activeRanges.last, moved.lowerBound - last.upperBound < Int64(sampleRate / 2) {
                    joined.activeRanges[joined.activeRanges.count - 1] =
                        last.lowerBound..<max(last.upperBound, moved.upperBound)
                    joined.activeRangeMaxReductionsDB[joined.activeRangeMaxReductionsDB.count - 1] = max(
                        joined.activeRangeMaxReductionsDB[joined.activeRangeMaxReductionsDB.count - 1], depth)
                } else {
                    joined.activeRanges.append(moved)
                    joined.activeRangeMaxReductionsDB.append(depth)
                }
            }
        }
        joined.overOneDBSeconds = Double(histogram.frames(atLeast: 1)) / sampleRate
        joined.overThreeDBSeconds = Double(histogram.frames(atLeast: 3)) / sampleRate
        joined.reductionP95DB = histogram.percentile(0.95)
        return joined
    }
}
