import Foundation

/// A transparent look-ahead true-peak limiter, linked across channels.
///
/// For every frame it computes the gain that would bring the frame's 4× oversampled peak estimate
/// (``PeakDetector``, per ITU-R BS.1770-4 Annex 2) down to the ceiling, `r = min(1, ceiling / peak)`,
/// and then shapes the gain it applies so that it never exceeds any of those required gains nearby:
///
/// 1. **Hold**: `w[q]` = minimum of `r` over (at least) the last `H = A + 2E` estimates, where `A` is
///    the look-ahead in frames and `E` = 6 frames covers the interpolator's reach either side of a
///    sample. A monotonic deque over blocks of 8 estimates makes this O(1) per frame without
///    data-dependent branches in the per-frame loop (see `shapeGains`).
/// 2. **Attack**: `s[q]` = mean of `w` over the last `A` values (a running sum). Every `w` in that mean
///    is a minimum over a window that contains all of `r[q-A+1-2E ... q-A+1]`, so
///    `s[q] ≤ min r[m-E ... m+E]` with `m = q - A + 1 - E`: the gain for sample `m` is already below what
///    every interval within ±E of it requires. That is the no-overshoot guarantee, and the gain ramps
///    down linearly over `A` frames before the peak instead of jumping.
/// 3. **Release**: `g[q] = min(s[q], 1 - (1 - g[q-1]) · e^(-1/(τ·fs)))`: recovery towards 0 dB is
///    exponential with time constant τ, and taking the minimum keeps the guarantee of step 2. (The
///    code tracks the reduction `1 - g`, which keeps the per-frame dependency chain to a multiply
///    and a maximum.)
///
/// The audio is delayed by ``latencyFrames`` internally (interpolator delay + `A - 1 + E`) and the first
/// ``latencyFrames`` outputs are dropped, so output frame n is input frame n times its gain; ``finish``
/// flushes the delay line. A signal whose estimates never exceed the ceiling passes bit-exact.
///
/// The guarantee is on the peak *estimate* with the gain held constant across the interpolator's
/// reach; a gain that changes inside that reach can move an interpolated point by a tiny fraction,
/// which ``LimiterOptions/safetyMarginDB`` covers.
public final class TruePeakLimiter: AudioProcessor {
    public let options: LimiterOptions
    public let sampleRate: Double
    public let channelCount: Int
    /// Frames by which the internal delay line holds the audio (compensated: output aligns with input).
    public let latencyFrames: Int
    /// What the limiter has done so far, assembled when asked (once per pass), not per block: a per-block
    /// copy of the range lists made the next append copy them whole, one allocation per emitted block
    /// and time growing with the number of ranges (the benchmarks' allocation counts showed it).
    public var statistics: LimiterStatistics {
        var statistics = LimiterStatistics(
            maxReductionDB: minimumGain < 1 ? -20 * log10(minimumGain) : 0,
            reducingSeconds: Double(reducingFrames) / sampleRate,
            frameCount: countedFrames, activeRanges: activeRanges)
        statistics.activeRangeMaxReductionsDB = activeRangeDepths
        statistics.overOneDBSeconds = Double(histogram.frames(atLeast: 1)) / sampleRate
        statistics.overThreeDBSeconds = Double(histogram.frames(atLeast: 3)) / sampleRate
        statistics.reductionP95DB = histogram.percentile(0.95)
        return statistics
    }

    /// The output frames the statistics count (all of them by default): a part of a split trial
    /// render counts only its own span, not the pre-roll that settles it nor the post-roll that
    /// feeds its look-ahead. Clipped once per emitted block, never per frame.
    public var statisticsRange: Range<Int64> = 0..<Int64.max

    /// How long each depth of reduction was held over ``statisticsRange``, for joining the
    /// statistics of the parts of a split render (``ReductionHistogram/merge(_:)``).
    public var reductionHistogram: ReductionHistogram { histogram }

    /// Frames processed per internal step (and the capacity of the output buffer).
    static let chunkFrames = 4096

    private let detector = PeakDetector()
    private let ceiling: Float
    private let attackFrames: Int
    private let holdFrames: Int
    private let releaseCoefficient: Double
    private let output: AudioBuffer
    /// Per channel: `latencyFrames` delayed frames followed by room for one chunk.
    private let lines: [UnsafeMutablePointer<Float>]
    private let linePointers: UnsafeMutableBufferPointer<UnsafePointer<Float>>
    private let peaks: UnsafeMutablePointer<Float>
    private let gains: UnsafeMutablePointer<Float>

    // Sliding minimum of r over the hold window, at the granularity of 8-estimate blocks: a ring of
    // complete blocks (block number, block minimum) with minima increasing from the front, plus the
    // running minimum of the block being filled.
    private let dequeIndex: UnsafeMutablePointer<Int>
    private let dequeValue: UnsafeMutablePointer<Float>
    private let dequeMask: Int
    private var dequeFront = 0
    private var dequeCount = 0
    /// Minimum of the complete blocks in the window (1 when there are none).
    private var dequeMinimum: Float = 1
    private var blockMinimum: Float = 1
    // Running mean of w over the attack window, kept as a sum of reductions (1 - w).
    private let attackRing: UnsafeMutablePointer<Double>
    private var attackPosition = 0
    private var attackSum = 0.0
    private var attackNonZero = 0
    /// 1 − the gain currently applied.
    private var reduction = 0.0
    /// Index of the next estimate (counts estimates since the start, prehistory included).
    private var estimateIndex = 0
    private var framesIn: Int64 = 0
    private var framesOut: Int64 = 0
    private var framesToDrop: Int
    /// Output frames inside ``statisticsRange`` so far.
    private var countedFrames: Int64 = 0
    private var reducingFrames: Int64 = 0
    private var minimumGain = 1.0
    private var activeRanges: [Range<Int64>] = []
    /// The deepest reduction in each of ``activeRanges``, dB (positive), same count.
    private var activeRangeDepths: [Double] = []
    /// The smallest gain applied in the last of ``activeRanges``.
    private var lastRangeMinimumGain: Float = 1
    private var histogram = ReductionHistogram()

    /// Records that the block `range` of the output was limited, its smallest gain `smallest` (< 1),
    /// merging with the previous range when less than half a second lies between them. Once per
    /// emitted block, never per frame: the depth is a running maximum per range (one `log10` per block,
    /// and only when the block goes deeper), so the per-frame loops stay as they were.
    private func noteActivity(_ range: Range<Int64>, smallest: Float) {
        if let last = activeRanges.last, range.lowerBound - last.upperBound < Int64(sampleRate / 2) {
            activeRanges[activeRanges.count - 1] = last.lowerBound..<range.upperBound
            if smallest < lastRangeMinimumGain {
                lastRangeMinimumGain = smallest
                activeRangeDepths[activeRangeDepths.count - 1] = -20 * log10(Double(smallest))
            }
        } else {
            lastRangeMinimumGain = smallest
            activeRanges.append(range)
            activeRangeDepths.append(-20 * log10(Double(smallest)))
        }
    }

    /// - Parameters:
    ///   - options: ceiling, margin, look-ahead, release.
    ///   - sampleRate: frames per second.
    ///   - channelCount: channels; all are limited by the same gain (linked), so the image does not shift.
    public init(options: LimiterOptions = LimiterOptions(), sampleRate: Double, channelCount: Int) {
        precondition(channelCount >= 1 && sampleRate > 0)
        self.options = options
        self.sampleRate = sampleRate
        self.channelCount = channelCount
        ceiling = Float(options.internalCeilingLinear)
        attackFrames = max(1, Int((options.lookAheadSeconds * sampleRate).rounded()))
        let reach = PeakDetector.delayFrames
        holdFrames = attackFrames + 2 * reach
        let latency = PeakDetector.delayFrames + attackFrames - 1 + reach
        latencyFrames = latency
        framesToDrop = latency
        releaseCoefficient = options.releaseSeconds > 0 ? exp(-1 / (options.releaseSeconds * sampleRate)) : 0

        let chunk = Self.chunkFrames
        output = AudioBuffer(channelCount: channelCount, capacity: chunk)
        lines = (0..<channelCount).map { _ in
            let p = UnsafeMutablePointer<Float>.allocate(capacity: chunk + latency)
            p.initialize(repeating: 0, count: chunk + latency)
            return p
        }
        linePointers = .allocate(capacity: channelCount)
        for c in 0..<channelCount { linePointers[c] = UnsafePointer(lines[c] + latencyFrames) }
        peaks = .allocate(capacity: chunk)
        gains = .allocate(capacity: chunk)
        var size = 1
        while size < holdFrames / 8 + 4 { size <<= 1 }
        dequeMask = size - 1
        dequeIndex = .allocate(capacity: size)
        dequeValue = .allocate(capacity: size)
        attackRing = .allocate(capacity: attackFrames)
        attackRing.initialize(repeating: 0, count: attackFrames)
    }

    deinit {
        for p in lines { p.deallocate() }
        linePointers.deallocate()
        peaks.deallocate()
        gains.deallocate()
        dequeIndex.deallocate()
        dequeValue.deallocate()
        attackRing.deallocate()
    }

    /// The gain currently applied, dB (0 when not reducing).
    public var currentGainDB: Double { 20 * log10(1 - reduction) }

    public func process(_ input: AudioBuffer, emit: (AudioBuffer) throws -> Void) throws {
        precondition(input.channelCount == channelCount, "limiter configured for \(channelCount) channels")
        var offset = 0
        while offset < input.frameCount {
            let n = min(Self.chunkFrames, input.frameCount - offset)
            for c in 0..<channelCount {
                (lines[c] + latencyFrames).update(from: input.baseAddress(ofChannel: c) + offset, count: n)
            }
            framesIn += Int64(n)
            try step(n, emit: emit)
            offset += n
        }
    }

    public func finish(emit: (AudioBuffer) throws -> Void) throws {
        // Push silence through until every real frame has left the delay line.
        while framesOut < framesIn {
            let n = min(Self.chunkFrames, latencyFrames)
            for c in 0..<channelCount { (lines[c] + latencyFrames).update(repeating: 0, count: n) }
            try step(n, emit: emit)
        }
    }

    /// Estimates, shapes the gain for and emits `n` frames already copied into the lines.
    private func step(_ n: Int, emit: (AudioBuffer) throws -> Void) throws {
        let exceeds = detector.estimate(
            UnsafeBufferPointer(linePointers), count: n, threshold: ceiling,
            into: peaks)
        let resting = reduction == 0 && attackNonZero == 0 && dequeMinimum == 1 && blockMinimum == 1
        let quiet = resting && !exceeds
        if quiet {
            // Nothing to do but advance the state: it stays all ones.
            estimateIndex += n
            attackPosition = (attackPosition + n) % attackFrames
            dequeCount = 0
        } else {
            shapeGains(n)
        }
        try emitDelayed(n, applyGain: !quiet, emit: emit)
        for c in 0..<channelCount {
            lines[c].update(from: lines[c] + n, count: latencyFrames)
        }
    }

    /// Steps 1–3 of the type's description for `n` estimates; writes `gains[0..<n]`.
    ///
    /// The hold works on blocks of 8 estimates: the window always covers every block that meets the
    /// last `H` estimates, so it may reach up to 15 estimates further back than `H`. Holding longer
    /// only lowers the gain, so the guarantee stands, and the deque is touched once per 8 estimates
    /// instead of once per estimate with an unpredictable branch.
    private func shapeGains(_ n: Int) {
        Self.requiredGains(peaks, ceiling: ceiling, into: gains, count: n)
        let hold = holdFrames
        let inverseAttack = 1 / Double(attackFrames)
        for i in 0..<n {
            let q = estimateIndex + i
            // Hold: minimum over the current block so far and the complete blocks in the window.
            blockMinimum = min(blockMinimum, gains[i])
            let held = Double(min(blockMinimum, dequeMinimum))
            if q & 7 == 7 {
                pushBlock(q >> 3, oldestNeeded: (q + 2 - hold) >> 3)
                // A reduction below −8.7e-6 dB is no reduction: snap to exactly 0 dB (checked once
                // per block to keep the compare off the per-frame dependency chain).
                // The next line takes the attack's requirement again, so snapping never lets a
                // required reduction through.
                if reduction < 1e-6 { reduction = 0 }
            }
            // Attack: running mean over the look-ahead, as a sum of reductions.
            let leaving = attackRing[attackPosition]
            let entering = 1 - held
            if leaving != 0 { attackNonZero -= 1 }
            if entering != 0 { attackNonZero += 1 }
            attackRing[attackPosition] = entering
            attackPosition += 1
            if attackPosition == attackFrames { attackPosition = 0 }
            attackSum += entering - leaving
            if attackNonZero == 0 { attackSum = 0 }
            // Release: the reduction decays exponentially but never below what the attack requires.
            reduction = max(attackSum * inverseAttack, reduction * releaseCoefficient)
            gains[i] = Float(1 - reduction)
        }
        estimateIndex += n
    }

    /// Appends the completed block `block` to the hold deque and drops blocks before `oldestNeeded`.
    @inline(__always)
    private func pushBlock(_ block: Int, oldestNeeded: Int) {
        let value = blockMinimum
        blockMinimum = 1
        while dequeCount > 0 && dequeValue[(dequeFront + dequeCount - 1) & dequeMask] >= value {
            dequeCount -= 1
        }
        let back = (dequeFront + dequeCount) & dequeMask
        dequeIndex[back] = block
        dequeValue[back] = value
        dequeCount += 1
        while dequeCount > 0 && dequeIndex[dequeFront] < oldestNeeded {
            dequeFront = (dequeFront + 1) & dequeMask
            dequeCount -= 1
        }
        dequeMinimum = dequeCount > 0 ? dequeValue[dequeFront] : 1
    }

    /// `r[i] = ceiling / max(peak[i], ceiling)`: the gain that brings each estimate to the ceiling, and
    /// exactly 1 where it is already under (SIMD8, scalar tail).
    static func requiredGains(
        _ peaks: UnsafePointer<Float>, ceiling: Float, into r: UnsafeMutablePointer<Float>,
        count: Int
    ) {
        let c = SIMD8<Float>(repeating: ceiling)
        let p = UnsafeRawPointer(peaks), d = UnsafeMutableRawPointer(r)
        var i = 0
        while i + 8 <= count {
            let v = p.loadUnaligned(fromByteOffset: i * 4, as: SIMD8<Float>.self)
            d.storeBytes(of: c / PeakDetector.maximum(v, c), toByteOffset: i * 4, as: SIMD8<Float>.self)
            i += 8
        }
        while i < count {
            r[i] = ceiling / max(peaks[i], ceiling)
            i += 1
        }
    }

    /// Emits the `n` oldest frames of the lines, times their gains, dropping the latency at the start
    /// and the padding at the end.
    private func emitDelayed(_ n: Int, applyGain: Bool, emit: (AudioBuffer) throws -> Void) throws {
        let drop = min(framesToDrop, n)
        framesToDrop -= drop
        let available = Int(min(Int64(n - drop), framesIn - framesOut))
        guard available > 0 else { return }
        for c in 0..<channelCount {
            let src = lines[c] + drop
            let dst = output.baseAddress(ofChannel: c)
            if applyGain {
                Self.multiply(src, by: gains + drop, into: dst, count: available)
            } else {
                dst.update(from: src, count: available)
            }
        }
        let counted = statisticsRange.clamped(to: framesOut..<(framesOut + Int64(available)))
        let skipped = Int(counted.lowerBound - framesOut)
        if counted.isEmpty {
            // Outside the counted span: emitted, not counted.
        } else if applyGain {
            let (reducing, smallest) = Self.reductionStatistics(gains + drop + skipped, count: counted.count)
            reducingFrames += Int64(reducing)
            minimumGain = min(minimumGain, Double(smallest))
            if reducing > 0 { noteActivity(counted, smallest: smallest) }
            histogram.add(gains + drop + skipped, count: counted.count)
        } else {
            histogram.addUnreduced(count: counted.count)
        }
        countedFrames += Int64(counted.count)
        framesOut += Int64(available)
        output.frameCount = available
        try emit(output)
    }

    /// Scalar reference for ``requiredGains(_:ceiling:into:count:)``, for tests.
    static func requiredGainsReference(
        _ peaks: UnsafePointer<Float>, ceiling: Float,
        into r: UnsafeMutablePointer<Float>, count: Int
    ) {
        for i in 0..<count { r[i] = peaks[i] > ceiling ? ceiling / peaks[i] : 1 }
    }

    /// How many gains are below 1, and the smallest (SIMD8 with a scalar tail).
    static func reductionStatistics(_ gains: UnsafePointer<Float>, count: Int) -> (reducing: Int, minimum: Float) {
        let raw = UnsafeRawPointer(gains)
        let one = SIMD8<Float>(repeating: 1)
        var counts = SIMD8<Int32>(repeating: 0)
        var smallest = one
        var i = 0
        while i + 8 <= count {
            let g = raw.loadUnaligned(fromByteOffset: i * 4, as: SIMD8<Float>.self)
            let below = g .< one
            counts &+= SIMD8<Int32>(repeating: 0).replacing(with: 1, where: below)
            smallest = smallest.replacing(with: g, where: g .< smallest)
            i += 8
        }
        var reducing = Int(counts.wrappedSum())
        var minimum = smallest.min()
        while i < count {
            if gains[i] < 1 { reducing += 1 }
            minimum = min(minimum, gains[i])
            i += 1
        }
        return (reducing, minimum)
    }

    /// Scalar reference for ``reductionStatistics(_:count:)``, for tests.
    static func reductionStatisticsReference(
        _ gains: UnsafePointer<Float>, count: Int
    )
        -> (reducing: Int, minimum: Float)
    {
        var reducing = 0
        var minimum: Float = 1
        for i in 0..<count {
            if gains[i] < 1 { reducing += 1 }
            minimum = min(minimum, gains[i])
        }
        return (reducing, minimum)
    }

    /// `dst[i] = src[i] * gain[i]` (SIMD8 with a scalar tail).
    static func multiply(
        _ src: UnsafePointer<Float>, by gain: UnsafePointer<Float>,
        into dst: UnsafeMutablePointer<Float>, count: Int
    ) {
        var i = 0
        let s = UnsafeRawPointer(src), g = UnsafeRawPointer(gain), d = UnsafeMutableRawPointer(dst)
        while i + 8 <= count {
            let v =
                s.loadUnaligned(fromByteOffset: i * 4, as: SIMD8<Float>.self)
                * g.loadUnaligned(fromByteOffset: i * 4, as: SIMD8<Float>.self)
            d.storeBytes(of: v, toByteOffset: i * 4, as: SIMD8<Float>.self)
            i += 8
        }
        while i < count {
            dst[i] = src[i] * gain[i]
            i += 1
        }
    }

    /// Scalar reference for ``multiply(_:by:into:count:)``, for tests.
    static func multiplyReference(
        _ src: UnsafePointer<Float>, by gain: UnsafePointer<Float>,
        into dst: UnsafeMutablePointer<Float>, count: Int
    ) {
        for i in 0..<count { dst[i] = src[i] * gain[i] }
    }
}
