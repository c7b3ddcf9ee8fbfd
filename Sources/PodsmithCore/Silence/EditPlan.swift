/// What the render pass keeps of the input: head and tail trimmed, long pauses shortened.
///
/// The plan is a list of kept regions in input frames. Everything else is cut, and the
/// ``EditRenderer`` joins the regions with short crossfades. ``outputFrame(forInputFrame:)`` maps an
/// input position to where it lands in the output, so chapter marks can be re-timed.
public struct EditPlan: Sendable, Equatable {
    /// Frames per second of input and output (editing does not resample).
    public let sampleRate: Double
    /// Length of the input, frames.
    public let inputFrameCount: Int64
    /// Regions kept, in input frames: ascending, disjoint, never empty, never touching.
    public let keptRegions: [Range<Int64>]
    /// Crossfade length at each cut, frames (the renderer shortens it where a region or cut is shorter).
    public let crossfadeFrames: Int
    /// Pauses that were shortened.
    public let shortenedPauseCount: Int
    /// For each kept region, how many output frames come before it.
    private let outputOffsets: [Int64]

    /// Length of the output, frames.
    public var outputFrameCount: Int64 { (outputOffsets.last ?? 0) + Int64(keptRegions.last?.count ?? 0) }
    /// Frames removed before the first kept frame.
    public var headTrimFrames: Int64 { keptRegions.first?.lowerBound ?? 0 }
    /// Frames removed after the last kept frame.
    public var tailTrimFrames: Int64 { inputFrameCount - (keptRegions.last?.upperBound ?? inputFrameCount) }
    /// Whether the plan changes anything.
    public var isIdentity: Bool { keptRegions == [0..<inputFrameCount] || inputFrameCount == 0 }

    /// A plan from explicit kept regions.
    /// - Parameters:
    ///   - keptRegions: ascending, disjoint regions inside `0..<inputFrameCount`; empty ones are
    ///     dropped and touching ones merged.
    ///   - crossfadeFrames: crossfade at each cut, frames.
    public init(
        keptRegions: [Range<Int64>], inputFrameCount: Int64, sampleRate: Double,
        crossfadeFrames: Int = 0, shortenedPauseCount: Int = 0
    ) {
        var merged: [Range<Int64>] = []
        for region in keptRegions where !region.isEmpty {
            precondition(region.lowerBound >= 0 && region.upperBound <= inputFrameCount, "region outside input")
            if let last = merged.last {
                precondition(region.lowerBound >= last.upperBound, "regions must be ascending and disjoint")
                if region.lowerBound == last.upperBound {
                    merged[merged.count - 1] = last.lowerBound..<region.upperBound
                    continue
                }
            }
            merged.append(region)
        }
        self.keptRegions = merged
        self.inputFrameCount = inputFrameCount
        self.sampleRate = sampleRate
        self.crossfadeFrames = max(0, crossfadeFrames)
        self.shortenedPauseCount = shortenedPauseCount
        var offsets: [Int64] = []
        var total: Int64 = 0
        for region in merged {
            offsets.append(total)
            total += Int64(region.count)
        }
        outputOffsets = offsets
    }

    /// A plan that keeps everything.
    public static func identity(frameCount: Int64, sampleRate: Double) -> EditPlan {
        EditPlan(keptRegions: [0..<frameCount], inputFrameCount: frameCount, sampleRate: sampleRate)
    }

    /// The plan for a silence map.
    ///
    /// - Head: if the stream starts silent and ``SilenceOptions/trimHead`` is set, everything up to
    ///   ``SilenceOptions/padSeconds`` before the first sound is cut. The tail likewise.
    /// - Pauses: each silent run between sounds that is longer than
    ///   ``SilenceOptions/maxPauseSeconds`` (S) keeps `S − 2 windows` of silence, split evenly
    ///   between its two ends, and loses its middle. The two windows allow for the detector's
    ///   resolution: an edge lies within a window of where it is reported, so the pause heard in
    ///   the output is never longer than S.
    /// - Silence at the very start or end is never treated as a pause, trimmed or not.
    /// - A stream that is silent throughout is left as it is: there is no sound to keep a pad around,
    ///   and refusing to normalise silence is the pipeline's call, not the editor's.
    public init(silence: SilenceMap, options: SilenceOptions) {
        let total = silence.frameCount
        let rate = silence.sampleRate
        let crossfade = Int((options.crossfadeSeconds * rate).rounded())
        var runs = silence.runs
        if total == 0 || runs.contains(where: { $0.startFrame <= 0 && $0.endFrame >= total }) {
            self = .identity(frameCount: total, sampleRate: rate)
            return
        }
        let pad = Int64((max(0, options.padSeconds) * rate).rounded())
        var cuts: [Range<Int64>] = []
        var tailCut: Range<Int64>?
        if let first = runs.first, first.startFrame == 0 {
            runs.removeFirst()
            let end = max(0, first.endFrame - pad)
            if options.trimHead && end > 0 { cuts.append(0..<end) }
        }
        if let last = runs.last, last.endFrame == total {
            runs.removeLast()
            let start = min(total, last.startFrame + pad)
            if options.trimTail && start < total { tailCut = start..<total }
        }
        var shortened = 0
        if let maxPause = options.maxPauseSeconds {
            let keep = max(0, Int64((maxPause * rate).rounded()) - 2 * Int64(silence.windowFrames))
            for run in runs where run.frameCount > keep {
                let before = keep / 2
                let after = keep - before
                let cut = (run.startFrame + before)..<(run.endFrame - after)
                if !cut.isEmpty {
                    cuts.append(cut)
                    shortened += 1
                }
            }
        }
        if let tailCut { cuts.append(tailCut) }
        var kept: [Range<Int64>] = []
        var position: Int64 = 0
        for cut in cuts {
            if cut.lowerBound > position { kept.append(position..<cut.lowerBound) }
            position = max(position, cut.upperBound)
        }
        if position < total { kept.append(position..<total) }
        self.init(
            keptRegions: kept, inputFrameCount: total, sampleRate: rate, crossfadeFrames: crossfade,
            shortenedPauseCount: shortened)
    }

    /// Where input frame `frame` lands in the output. A frame inside a cut maps to the point where
    /// the cut was made (the first output frame after it); frames past the end map to the end.
    public func outputFrame(forInputFrame frame: Int64) -> Int64 {
        // The last region that starts at or before `frame`.
        var low = 0, high = keptRegions.count
        while low < high {
            let mid = (low + high) / 2
            if keptRegions[mid].lowerBound <= frame { low = mid + 1 } else { high = mid }
        }
        guard low > 0 else { return 0 }
        let region = keptRegions[low - 1]
        return outputOffsets[low - 1] + min(frame, region.upperBound) - region.lowerBound
    }

    /// The input frame that output frame `frame` came from (the inverse of
    /// ``outputFrame(forInputFrame:)`` on kept frames).
    public func inputFrame(forOutputFrame frame: Int64) -> Int64 {
        var low = 0, high = outputOffsets.count
        while low < high {
            let mid = (low + high) / 2
            if outputOffsets[mid] <= frame { low = mid + 1 } else { high = mid }
        }
        guard low > 0 else { return keptRegions.first?.lowerBound ?? 0 }
        let region = keptRegions[low - 1]
        return min(region.lowerBound + frame - outputOffsets[low - 1], region.upperBound)
    }

    /// Input time, seconds, of output time `seconds`.
    public func inputTime(forOutputTime seconds: Double) -> Double {
        Double(inputFrame(forOutputFrame: Int64((seconds * sampleRate).rounded()))) / sampleRate
    }

    /// The removed stretches of the input, seconds (trims and pause cuts), for plots.
    public var removedRanges: [Range<Double>] {
        var removed: [Range<Double>] = []
        var position: Int64 = 0
        for region in keptRegions + [inputFrameCount..<inputFrameCount] {
            if region.lowerBound > position {
                removed.append((Double(position) / sampleRate)..<(Double(region.lowerBound) / sampleRate))
            }
            position = max(position, region.upperBound)
        }
        return removed
    }

    /// Whether input frame `frame` survives the edit (lies in a kept region).
    public func isKept(inputFrame frame: Int64) -> Bool {
        var low = 0, high = keptRegions.count
        while low < high {
            let mid = (low + high) / 2
            if keptRegions[mid].lowerBound <= frame { low = mid + 1 } else { high = mid }
        }
        return low > 0 && keptRegions[low - 1].contains(frame)
    }

    /// Whether the instant `seconds` of the input survives the edit.
    public func isKept(inputTime seconds: Double) -> Bool {
        isKept(inputFrame: Int64((seconds * sampleRate).rounded()))
    }

    /// Where input time `seconds` lands in the output, seconds (for re-timing chapters).
    public func outputTime(forInputTime seconds: Double) -> Double {
        let frame = Int64((seconds * sampleRate).rounded())
        let clamped = min(max(frame, 0), inputFrameCount)
        return Double(outputFrame(forInputFrame: clamped)) / sampleRate
    }
}
