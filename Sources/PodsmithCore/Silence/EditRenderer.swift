import Foundation

/// Applies an ``EditPlan`` while the audio streams: keeps its regions, drops the rest, and joins the
/// regions with short equal-power crossfades so that no cut clicks.
///
/// At a cut from input frame `a` (end of one kept region) to `b` (start of the next), the last `X`
/// output frames of the first region become `x[a−X+i]·cos(θᵢ) + x[b−X+i]·sin(θᵢ)`,
/// `θᵢ = π/2·(i + ½)/X`: the first region fades out while the audio just before `b` fades in, and the
/// output continues at `x[b]` without a step. The output is exactly as long as the kept regions, so
/// ``EditPlan/outputFrame(forInputFrame:)`` holds. Equal power suits what is cut, uncorrelated room
/// tone on both sides. If the head or tail was trimmed, the output also fades in over its first `X`
/// or out over its last `X` frames. `X` shrinks where a region is shorter than 2`X` or a cut shorter
/// than `X`. Every other output sample is the input sample, bit for bit.
///
/// The last `X` frames of a region are held until the audio before `b` arrives (X frames of memory).
public final class EditRenderer: AudioProcessor {
    public let plan: EditPlan
    public let channelCount: Int

    static let outputCapacity = 8192

    private let output: AudioBuffer
    private let pending: AudioBuffer
    /// Per kept region: frames of fade-in at its start (region 0 only) and of fade-out at its end.
    private let fadeInFrames: [Int]
    private let fadeOutFrames: [Int]
    private var inputPosition: Int64
    private var region: Int

    /// - Parameter startFrame: the input frame the first block starts at: 0 for a whole programme, or,
    ///   for a part of it (a split trial render), a frame ``startFrame(in:atOrBefore:)`` returned, where
    ///   no crossfade is under way (whose held frames this renderer would not have).
    public init(plan: EditPlan, channelCount: Int, startFrame: Int64 = 0) {
        self.plan = plan
        self.channelCount = channelCount
        output = AudioBuffer(channelCount: channelCount, capacity: Self.outputCapacity)
        (fadeInFrames, fadeOutFrames) = Self.fades(plan)
        pending = AudioBuffer(channelCount: channelCount, capacity: max(1, fadeOutFrames.max() ?? 1))
        precondition(Self.startFrame(in: plan, atOrBefore: startFrame) == startFrame, "start inside a crossfade")
        let regions = plan.keptRegions
        var k = 0
        while k + 1 < regions.count && regions[k + 1].lowerBound <= startFrame { k += 1 }
        if k + 1 == regions.count && startFrame >= regions[k].upperBound { k += 1 }
        region = k
        inputPosition = startFrame
    }

    /// Per kept region: frames of fade-in at its start (region 0 only) and of fade-out at its end.
    private static func fades(_ plan: EditPlan) -> (in: [Int], out: [Int]) {
        let regions = plan.keptRegions
        var fadeIn = [Int](repeating: 0, count: regions.count)
        var fadeOut = [Int](repeating: 0, count: regions.count)
        for (k, r) in regions.enumerated() {
            let half = r.count / 2
            if k == 0 && r.lowerBound > 0 { fadeIn[k] = min(plan.crossfadeFrames, half) }
            if k + 1 < regions.count {
                let cut = Int(regions[k + 1].lowerBound - r.upperBound)
                fadeOut[k] = min(plan.crossfadeFrames, half, cut)
            } else if r.upperBound < plan.inputFrameCount {
                fadeOut[k] = min(plan.crossfadeFrames, half)
            }
        }
        return (fadeIn, fadeOut)
    }

    /// The latest input frame at or before `frame` where a renderer can start: `frame` itself, unless
    /// it lies where the frames at the end of a region are held for the crossfade into the next one
    /// (from that region's fade-out to the next region's start); then the start of that fade-out.
    /// From there on the output is the one-piece renderer's, sample for sample.
    public static func startFrame(in plan: EditPlan, atOrBefore frame: Int64) -> Int64 {
        let regions = plan.keptRegions
        guard let k = regions.lastIndex(where: { $0.lowerBound <= frame }), k + 1 < regions.count else {
            return frame
        }
        let fadeOutStart = regions[k].upperBound - Int64(fades(plan).out[k])
        return frame < fadeOutStart ? frame : fadeOutStart
    }

    public func process(_ input: AudioBuffer, emit: (AudioBuffer) throws -> Void) throws {
        precondition(input.channelCount == channelCount)
        let regions = plan.keptRegions
        var offset = 0
        while offset < input.frameCount {
            let remaining = input.frameCount - offset
            let f = inputPosition
            var advance = remaining
            if region >= regions.count {
                // After the last kept region: dropped.
            } else {
                let r = regions[region]
                let isLast = region + 1 == regions.count
                let fadeOutStart = r.upperBound - Int64(fadeOutFrames[region])
                if f < r.lowerBound {
                    // Before the first region (the trimmed head): dropped. Later regions are entered
                    // exactly at their first frame by the cut branch below.
                    advance = Int(min(Int64(remaining), r.lowerBound - f))
                } else if f < fadeOutStart {
                    advance = Int(min(Int64(remaining), fadeOutStart - f))
                    let fadeIn = Int64(fadeInFrames[region])
                    if f - r.lowerBound < fadeIn {
                        advance = Int(min(Int64(advance), r.lowerBound + fadeIn - f))
                        try append(
                            input, from: offset, count: advance, emit: emit,
                            fade: .fadeIn(first: Int(f - r.lowerBound), length: Int(fadeIn)))
                    } else {
                        try append(input, from: offset, count: advance, emit: emit, fade: .none)
                    }
                } else if f < r.upperBound {
                    advance = Int(min(Int64(remaining), r.upperBound - f))
                    let zone = fadeOutFrames[region]
                    let index = Int(f - fadeOutStart)
                    if isLast {
                        try append(
                            input, from: offset, count: advance, emit: emit,
                            fade: .fadeOut(first: index, length: zone))
                    } else {
                        for c in 0..<channelCount {
                            (pending.baseAddress(ofChannel: c) + index)
                                .update(from: input.baseAddress(ofChannel: c) + offset, count: advance)
                        }
                    }
                } else {
                    // In the cut after region `region`; the next region starts at b.
                    let b = regions[region + 1].lowerBound
                    let zone = fadeOutFrames[region]
                    let sourceStart = b - Int64(zone)
                    if f < sourceStart {
                        advance = Int(min(Int64(remaining), sourceStart - f))
                    } else {
                        advance = Int(min(Int64(remaining), b - f))
                        let index = Int(f - sourceStart)
                        for c in 0..<channelCount {
                            let dst = pending.baseAddress(ofChannel: c)
                            let src = input.baseAddress(ofChannel: c) + offset
                            for i in 0..<advance {
                                let k = index + i
                                dst[k] = dst[k] * Self.fadeOutGain(k, of: zone) + src[i] * Self.fadeInGain(k, of: zone)
                            }
                        }
                    }
                    if f + Int64(advance) == b {
                        pending.frameCount = zone
                        try append(pending, from: 0, count: zone, emit: emit, fade: .none)
                        region += 1
                    }
                }
            }
            // The last region ends with no cut after it: move past it so the tail is dropped.
            inputPosition += Int64(advance)
            offset += advance
            if region < regions.count, region + 1 == regions.count, inputPosition >= regions[region].upperBound {
                region += 1
            }
        }
    }

    public func finish(emit: (AudioBuffer) throws -> Void) throws {
        if output.frameCount > 0 {
            try emit(output)
            output.frameCount = 0
        }
    }

    /// A gain ramp over part of a region.
    private enum Fade {
        case none
        /// Frames `first...` of a fade-in `length` frames long.
        case fadeIn(first: Int, length: Int)
        /// Frames `first...` of a fade-out `length` frames long.
        case fadeOut(first: Int, length: Int)
    }

    /// Copies `count` frames of `source` from `start` to the output through `fade`, emitting whenever
    /// the output fills.
    private func append(
        _ source: AudioBuffer, from start: Int, count: Int, emit: (AudioBuffer) throws -> Void,
        fade: Fade
    ) throws {
        var done = 0
        while done < count {
            let n = min(count - done, output.capacity - output.frameCount)
            for c in 0..<channelCount {
                let src = source.baseAddress(ofChannel: c) + start + done
                let dst = output.baseAddress(ofChannel: c) + output.frameCount
                switch fade {
                case .none:
                    dst.update(from: src, count: n)
                case .fadeIn(let first, let length):
                    for i in 0..<n { dst[i] = src[i] * Self.fadeInGain(first + done + i, of: length) }
                case .fadeOut(let first, let length):
                    for i in 0..<n { dst[i] = src[i] * Self.fadeOutGain(first + done + i, of: length) }
                }
            }
            output.frameCount += n
            done += n
            if output.frameCount == output.capacity {
                try emit(output)
                output.frameCount = 0
            }
        }
    }

    /// Equal-power fade-in gain for frame `i` of `n`: sin(π/2·(i + ½)/n).
    static func fadeInGain(_ i: Int, of n: Int) -> Float {
        Float(sin(Double.pi / 2 * (Double(i) + 0.5) / Double(n)))
    }

    /// Equal-power fade-out gain for frame `i` of `n`: cos(π/2·(i + ½)/n).
    static func fadeOutGain(_ i: Int, of n: Int) -> Float {
        Float(cos(Double.pi / 2 * (Double(i) + 0.5) / Double(n)))
    }
}
