/// The loudness half of ``LoudnessMeter``: K-weights every channel, sums the weighted energy over
/// 100 ms steps and builds the 400 ms gating blocks (75 % overlap, BS.1770-4 §2.8) and 3 s short-term
/// blocks (EBU Tech 3341 §2.2, Tech 3342) from the last 4 and 30 steps.
///
/// Memory grows by two `Double`s per 100 ms (gating-block and short-term energies, 576 kB per hour),
/// plus two `Float`s per 100 ms when series are recorded; everything else is fixed at creation.
/// A block is complete only at a 100 ms boundary, so a stream gets its first gating block at 400 ms
/// and its first short-term block at 3 s.
final class LoudnessBlocks {
    let sampleRate: Double
    let channelCount: Int
    /// Frames per 100 ms step (rounded for rates that are not a multiple of 10 Hz).
    let stepFrames: Int
    let filter: KWeightingFilter
    let recordsSeries: Bool

    /// Channel weights G_i (BS.1770-4 Table 3).
    private let weights: [Double]
    /// Channels with a non-zero weight, in lanes of two, and the odd one out.
    private let pairs: [(Int, Int)]
    private let single: Int?
    private var pairStates: [KWeightingPairState]
    private var singleState = KWeightingChannelState()
    /// Per-channel state for the scalar twin (debug builds, see ``KernelSelection``).
    private var channelStates: [KWeightingChannelState]

    /// Σ y² of the current, unfinished step, per channel.
    private var stepSums: [Double]
    private var stepFill = 0
    /// The last 30 step energies (weighted mean squares), a ring.
    private var recentSteps = [Double](repeating: 0, count: 30)
    private(set) var stepCount = 0
    /// Energy of each complete 400 ms gating block.
    private(set) var blockEnergies: [Double] = []
    /// Energy of each complete 3 s short-term block.
    private(set) var shortTermEnergies: [Double] = []
    /// Momentary and short-term loudness every 100 ms, when `recordsSeries`.
    private(set) var momentarySeries: [Float] = []
    private(set) var shortTermSeries: [Float] = []
    /// Weighted Σ y² of all complete steps, for the ungated loudness.
    private var completedSum = 0.0
    private(set) var frameCount: Int64 = 0

    init(format: AudioFormat, recordsSeries: Bool) {
        sampleRate = format.sampleRate
        channelCount = format.channelCount
        stepFrames = max(1, Int((format.sampleRate / 10).rounded()))
        filter = KWeightingFilter(sampleRate: format.sampleRate)
        self.recordsSeries = recordsSeries
        let weights = ChannelWeights.bs1770(channelCount: format.channelCount)
        self.weights = weights
        let active = (0..<format.channelCount).filter { weights[$0] > 0 }
        var pairs: [(Int, Int)] = []
        var i = 0
        while i + 1 < active.count { pairs.append((active[i], active[i + 1])); i += 2 }
        self.pairs = pairs
        single = i < active.count ? active[i] : nil
        pairStates = [KWeightingPairState](repeating: KWeightingPairState(), count: pairs.count)
        stepSums = [Double](repeating: 0, count: format.channelCount)
        channelStates = [KWeightingChannelState](repeating: KWeightingChannelState(), count: format.channelCount)
    }

    /// K-weights and accumulates the buffer's `frameCount` frames.
    func process(_ buffer: AudioBuffer) {
        precondition(buffer.channelCount == channelCount, "buffer has the wrong channel count")
        var offset = 0
        let frames = buffer.frameCount
        while offset < frames {
            let n = min(stepFrames - stepFill, frames - offset)
            if !KernelSelection.usesSIMD {
                for c in 0..<channelCount where weights[c] > 0 {
                    stepSums[c] += KWeightingKernel.scalar(
                        buffer.baseAddress(ofChannel: c) + offset, count: n, filter: filter,
                        state: &channelStates[c])
                }
            } else {
                processPairs(buffer, offset: offset, count: n)
            }
            offset += n
            stepFill += n
            frameCount += Int64(n)
            if stepFill == stepFrames { finishStep() }
        }
    }

    /// The SIMD path: channels two by two in `SIMD2<Double>` lanes, the odd one out scalar.
    private func processPairs(_ buffer: AudioBuffer, offset: Int, count n: Int) {
        for (index, pair) in pairs.enumerated() {
            let sums = KWeightingKernel.simdPair(
                buffer.baseAddress(ofChannel: pair.0) + offset,
                buffer.baseAddress(ofChannel: pair.1) + offset,
                count: n, filter: filter, state: &pairStates[index])
            stepSums[pair.0] += sums[0]
            stepSums[pair.1] += sums[1]
        }
        if let single {
            stepSums[single] += KWeightingKernel.scalar(
                buffer.baseAddress(ofChannel: single) + offset, count: n, filter: filter,
                state: &singleState)
        }
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
        stepCount += 1
        stepFill = 0
        for c in 0..<channelCount { stepSums[c] = 0 }
        for index in pairStates.indices { pairStates[index].flushTinyValues() }
        singleState.flushTinyValues()
        for index in channelStates.indices { channelStates[index].flushTinyValues() }

        let momentary = meanOfRecentSteps(4)
        let shortTerm = meanOfRecentSteps(30)
        if stepCount >= 4 { blockEnergies.append(momentary) }
        if stepCount >= 30 { shortTermEnergies.append(shortTerm) }
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
