/// The loudness half of ``LoudnessMeter``: K-weights every channel, sums the weighted energy over
/// 100 ms steps and builds the 400 ms gating blocks (75 % overlap, BS.1770-4 §2.8) and 3 s short-term
/// blocks (EBU Tech 3341 §2.2, Tech 3342) from the last 4 and 30 steps.
///
/// K-weighting is recursive, so one channel's chain is latency-bound. When a buffer holds enough
/// whole steps, it is cut into time chunks aligned on steps, and every (chunk, channel) chain runs in
/// a lane of a `SIMD4<Double>` (``processSpan(_:offset:chunkSteps:)``); each chunk after the first
/// starts 200 ms early from zero state (``warmUpSteps``). The rest (a partial step, a short buffer)
/// runs serially with the carried state. Both paths keep `Double` state, and what separates them is
/// rounding, not approximation: on an hour of stereo speech and on every SampleAudio file, I, LRA
/// and the maximum momentary and short-term loudness of the two paths differ by at most 4e-14 LU;
/// on a generated programme with DC and 20 Hz under a quiet passage, the 400 ms and 3 s energies
/// differ by at most 2.8e-12 relative, with 200 ms of warm-up as with 500 ms (`ChunkedKernelTests`).
/// `Float` lanes would be twice as wide, but the notes measured 1.4e-4 LU of drift with `Float`
/// state, above the 1e-4 LU this meter allows itself. Stereo at 44.1 kHz: the serial `SIMD2` chains
/// cost 0.55 CPU-s per hour, the lanes about 0.35 s.
///
/// Memory grows by two `Double`s per 100 ms (gating-block and short-term energies, 576 kB per hour; one
/// without the loudness range),
/// plus two `Float`s per 100 ms when series are recorded and a `Double` when step energies are, all in
/// ``PagedSeries`` (never copied as they grow); everything else is fixed at creation.
/// A block is complete only at a 100 ms boundary, so a stream gets its first gating block at 400 ms
/// and its first short-term block at 3 s.
final class LoudnessBlocks {
    let sampleRate: Double
    let channelCount: Int
    /// Frames per 100 ms step (rounded for rates that are not a multiple of 10 Hz).
    let stepFrames: Int
    let filter: KWeightingFilter
    let recordsSeries: Bool
    let recordsStepEnergies: Bool
    let recordsShortTermEnergies: Bool

    /// Steps of filter warm-up before each time chunk but the first: 200 ms. The RLB high-pass is the
    /// slower of the two sections: its poles have radius √a2 ≈ e^(−2π·38.1 Hz/fs) per sample, so a
    /// difference in its state shrinks by e^(−23.9) ≈ 4e-11 per 100 ms at any rate, and by 2e-21
    /// (times a factor below 50 for the double pole) over 200 ms: below the 1.1e-16 rounding of the
    /// `Double` state itself. A chunk that starts from zero state 200 ms early therefore reaches
    /// its start with the serial filter's state, to rounding.
    static let warmUpSteps = 2
    /// The most steps per time chunk (1.4 s): the span a buffer is cut into is then at most
    /// `chunkCount × 14 + 2` steps.
    static let maximumChunkSteps = 14
    /// The largest span, in samples over all channels, that ``spanFrames`` asks buffers to hold
    /// (4 MB of `Float`s).
    static let spanSampleBudget = 1 << 20

    /// Channel weights G_i (BS.1770-4 Table 3).
    private let weights: [Double]
    /// Channels with a non-zero weight; the chains below are indexed like this list.
    private let active: [Int]
    /// Each active channel's filter state, carried from one call to the next.
    private var states: [KWeightingChannelState]
    /// Time chunks a span is cut into: 4 / gcd(active channels, 4), so that channels × chunks fill
    /// whole `SIMD4` lanes (stereo 2, mono 4, 5.1 4, quad 1).
    let chunkCount: Int
    /// Steps of warm-up per chunk: ``warmUpSteps``, or 0 when there is one chunk (no time split).
    let chunkWarmUpSteps: Int
    /// The fewest steps per chunk for which lanes pay for their warm-up.
    let minimumChunkSteps: Int
    /// Steps per chunk in a full span: ``maximumChunkSteps``, or fewer for many channels at high
    /// rates (``spanSampleBudget``).
    let spanChunkSteps: Int
    /// Σ y² per step (row) and active channel (column) of the span being processed.
    private var spanSums: [Double]
    /// Steps K-weighted in time-chunked lanes so far (the rest went serially), for tests.
    private(set) var chunkedStepCount = 0

    /// Σ y² of the current, unfinished step, per channel.
    private var stepSums: [Double]
    private var stepFill = 0
    /// The last 30 step energies (weighted mean squares), a ring.
    private var recentSteps = [Double](repeating: 0, count: 30)
    private(set) var stepCount = 0
    /// Energy of each complete 400 ms gating block.
    private(set) var blockEnergies = PagedSeries<Double>()
    /// Energy of each complete 3 s short-term block, when `recordsShortTermEnergies` (the loudness range).
    private(set) var shortTermEnergies = PagedSeries<Double>()
    /// The largest gating-block and short-term energies so far (nil before the first complete block).
    private(set) var maxBlockEnergy: Double?
    private(set) var maxShortTermEnergy: Double?
    /// Momentary and short-term loudness every 100 ms, when `recordsSeries`.
    private(set) var momentarySeries = PagedSeries<Float>()
    private(set) var shortTermSeries = PagedSeries<Float>()
    /// The weighted mean-square energy of every complete step, when `recordsStepEnergies`.
    private(set) var stepEnergies = PagedSeries<Double>()
    /// Weighted Σ y² of all complete steps, for the ungated loudness.
    private var completedSum = 0.0
    private(set) var frameCount: Int64 = 0

    init(
        format: AudioFormat, recordsSeries: Bool, recordsStepEnergies: Bool = false,
        recordsShortTermEnergies: Bool = true
    ) {
        sampleRate = format.sampleRate
        channelCount = format.channelCount
        stepFrames = max(1, Int((format.sampleRate / 10).rounded()))
        filter = KWeightingFilter(sampleRate: format.sampleRate)
        self.recordsSeries = recordsSeries
        self.recordsStepEnergies = recordsStepEnergies
        self.recordsShortTermEnergies = recordsShortTermEnergies
        let weights = ChannelWeights.bs1770(channelCount: format.channelCount)
        self.weights = weights
        active = (0..<format.channelCount).filter { weights[$0] > 0 }
        states = [KWeightingChannelState](repeating: KWeightingChannelState(), count: active.count)
        stepSums = [Double](repeating: 0, count: format.channelCount)

        func gcd(_ a: Int, _ b: Int) -> Int { b == 0 ? a : gcd(b, a % b) }
        chunkCount = 4 / gcd(active.count, 4)
        chunkWarmUpSteps = chunkCount > 1 ? Self.warmUpSteps : 0
        minimumChunkSteps = chunkCount > 1 ? 2 : 1
        let budgetSteps = Self.spanSampleBudget / max(1, format.channelCount * stepFrames)
        spanChunkSteps = max(
            minimumChunkSteps,
            min(Self.maximumChunkSteps, (budgetSteps - chunkWarmUpSteps) / chunkCount))
        spanSums = [Double](
            repeating: 0, count: (chunkCount * spanChunkSteps + chunkWarmUpSteps) * active.count)
    }

    /// Frames per buffer that the lanes cover without a serial remainder, when buffers start on a
    /// step boundary (as they do when every buffer has this size): ``LoudnessAnalysis`` sizes its
    /// ring with it. About 3 s for stereo, 5.8 s for mono.
    var spanFrames: Int { (chunkCount * spanChunkSteps + chunkWarmUpSteps) * stepFrames }

    /// K-weights and accumulates the buffer's `frameCount` frames.
    ///
    /// From a step boundary, as many whole steps as fit (at most a span) go through the lanes
    /// (``processSpan(_:offset:chunkSteps:)``); what is left, up to the next step boundary at a time,
    /// goes through the chains one channel (pair) at a time.
    func process(_ buffer: AudioBuffer) {
        precondition(buffer.channelCount == channelCount, "buffer has the wrong channel count")
        var offset = 0
        let frames = buffer.frameCount
        while offset < frames {
            if stepFill == 0 {
                let wholeSteps = (frames - offset) / stepFrames
                let m = min(spanChunkSteps, (wholeSteps - chunkWarmUpSteps) / chunkCount)
                if wholeSteps > chunkWarmUpSteps, m >= minimumChunkSteps {
                    processSpan(buffer, offset: offset, chunkSteps: m)
                    offset += (chunkCount * m + chunkWarmUpSteps) * stepFrames
                    continue
                }
            }
            let n = min(stepFrames - stepFill, frames - offset)
            processSerially(buffer, offset: offset, count: n)
            offset += n
            stepFill += n
            frameCount += Int64(n)
            if stepFill == stepFrames { finishStep() }
        }
    }

    /// The serial path, for a piece of one step: channels two by two in `SIMD2<Double>` lanes, the
    /// odd one out scalar (debug builds: all scalar, see ``KernelSelection``).
    private func processSerially(_ buffer: AudioBuffer, offset: Int, count n: Int) {
        var a = 0
        if KernelSelection.usesSIMD {
            while a + 1 < active.count {
                var pair = KWeightingPairState(states[a], states[a + 1])
                let sums = KWeightingKernel.simdPair(
                    buffer.baseAddress(ofChannel: active[a]) + offset,
                    buffer.baseAddress(ofChannel: active[a + 1]) + offset,
                    count: n, filter: filter, state: &pair)
                stepSums[active[a]] += sums[0]
                stepSums[active[a + 1]] += sums[1]
                states[a] = pair.lane(0)
                states[a + 1] = pair.lane(1)
                a += 2
            }
        }
        while a < active.count {
            stepSums[active[a]] += KWeightingKernel.scalar(
                buffer.baseAddress(ofChannel: active[a]) + offset, count: n, filter: filter,
                state: &states[a])
            a += 1
        }
    }

    /// The chunked path: `chunkCount × chunkSteps + chunkWarmUpSteps` whole steps from `offset`
    /// (a step boundary), cut into `chunkCount` time chunks, every chunk of every active channel an
    /// independent chain in a lane of ``KWeightingKernel/simdQuad(_:_:_:_:count:filter:state:)``.
    ///
    /// Chunk `k` starts reading at step `k × chunkSteps` and reads `chunkSteps + chunkWarmUpSteps`
    /// steps. Chunk 0 starts from the carried state and all its steps count. Every later chunk
    /// starts from zero state ``warmUpSteps`` early, inside the previous chunk, and its first
    /// `chunkWarmUpSteps` steps are only warm-up: so the chunks count steps `[0, m + W)`,
    /// `[m + W, 2m + W)`, … each exactly once, and the last chunk's final state is carried on.
    /// Lane `ℓ` holds chunk `ℓ / active.count` of active channel `ℓ % active.count`.
    private func processSpan(_ buffer: AudioBuffer, offset: Int, chunkSteps m: Int) {
        let channels = active.count
        let laneSteps = m + chunkWarmUpSteps
        let laneCount = channels * chunkCount
        for group in stride(from: 0, to: laneCount, by: 4) {
            let lanes = (group, group + 1, group + 2, group + 3)
            func start(_ lane: Int) -> UnsafePointer<Float> {
                UnsafePointer(buffer.baseAddress(ofChannel: active[lane % channels]))
                    + offset + (lane / channels) * m * stepFrames
            }
            func initialState(_ lane: Int) -> KWeightingChannelState {
                lane / channels == 0 ? states[lane % channels] : KWeightingChannelState()
            }
            if KernelSelection.usesSIMD {
                let p0 = start(lanes.0), p1 = start(lanes.1), p2 = start(lanes.2), p3 = start(lanes.3)
                var quad = KWeightingQuadState(
                    (
                        initialState(lanes.0), initialState(lanes.1),
                        initialState(lanes.2), initialState(lanes.3)
                    ))
                for step in 0..<laneSteps {
                    let at = step * stepFrames
                    let sums = KWeightingKernel.simdQuad(
                        p0 + at, p1 + at, p2 + at, p3 + at, count: stepFrames, filter: filter, state: &quad)
                    quad.flushTinyValues()
                    for j in 0..<4 { record(sums[j], lane: group + j, laneStep: step, chunkSteps: m) }
                }
                for j in 0..<4 { keepFinalState(quad.lane(j), lane: group + j) }
            } else {
                for lane in group..<(group + 4) {
                    let p = start(lane)
                    var state = initialState(lane)
                    for step in 0..<laneSteps {
                        let sum = KWeightingKernel.scalar(
                            p + step * stepFrames, count: stepFrames,
                            filter: filter, state: &state)
                        state.flushTinyValues()
                        record(sum, lane: lane, laneStep: step, chunkSteps: m)
                    }
                    keepFinalState(state, lane: lane)
                }
            }
        }
        chunkedStepCount += chunkCount * m + chunkWarmUpSteps
        for step in 0..<(chunkCount * m + chunkWarmUpSteps) {
            for a in 0..<channels { stepSums[active[a]] = spanSums[step * channels + a] }
            frameCount += Int64(stepFrames)
            stepFill = stepFrames
            finishStep()
        }
    }

    /// Keeps lane `lane`'s Σ y² of its step `laneStep` unless that step is warm-up.
    @inline(__always)
    private func record(_ sum: Double, lane: Int, laneStep: Int, chunkSteps m: Int) {
        let chunk = lane / active.count
        guard chunk == 0 || laneStep >= chunkWarmUpSteps else { return }
        spanSums[(chunk * m + laneStep) * active.count + lane % active.count] = sum
    }

    /// Carries the last chunk's final state on to the next call.
    @inline(__always)
    private func keepFinalState(_ state: KWeightingChannelState, lane: Int) {
        if lane / active.count == chunkCount - 1 { states[lane % active.count] = state }
    }

    /// Weighted Σ G_i·Σy² of the current step's sums.
    private var weightedStepSum: Double {
        var sum = 0.0
        for c in 0..<channelCount where weights[c] > 0 { sum += weights[c] * stepSums[c] }
        return sum
    }

    private func finishStep() {
        let weighted = weightedStepSum
        completedSum += weighted
        recentSteps[stepCount % 30] = weighted / Double(stepFrames)
        if recordsStepEnergies { stepEnergies.append(weighted / Double(stepFrames)) }
        stepCount += 1
        stepFill = 0
        for c in 0..<channelCount { stepSums[c] = 0 }
        for index in states.indices { states[index].flushTinyValues() }

        let momentary = meanOfRecentSteps(4)
        let shortTerm = meanOfRecentSteps(30)
        if stepCount >= 4 {
            blockEnergies.append(momentary)
            maxBlockEnergy = max(maxBlockEnergy ?? momentary, momentary)
        }
        if stepCount >= 30 {
            if recordsShortTermEnergies { shortTermEnergies.append(shortTerm) }
            maxShortTermEnergy = max(maxShortTermEnergy ?? shortTerm, shortTerm)
        }
        if recordsSeries {
            momentarySeries.append(Float(Gating.loudness(ofEnergy: momentary)))
            shortTermSeries.append(Float(Gating.loudness(ofEnergy: shortTerm)))
        }
    }

    /// Mean energy of the last `count` steps, counting steps before the start as silence.
    private func meanOfRecentSteps(_ count: Int) -> Double {
        var sum = 0.0
        for back in 0..<min(count, stepCount) {
            sum += recentSteps[(stepCount - 1 - back) % 30]
        }
        return sum / Double(count)
    }

    /// Mean-square weighted energy of the whole stream so far, including an unfinished step; nil for
    /// an empty stream.
    var ungatedEnergy: Double? {
        guard frameCount > 0 else { return nil }
        return (completedSum + weightedStepSum) / Double(frameCount)
    }
}
