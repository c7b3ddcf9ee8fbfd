import Foundation
import PodsmithTestSupport
import Testing

@testable import PodsmithCore
@testable import PodsmithKit

/// The leveler plans from the analysis meter's own pages and computes its loudness prediction as the
/// gating reads it, instead of holding copies (issue 14: a ten-hour programme's copies were most of
/// what put `--leveler` over its memory budget). These check that nothing but the memory changed.
@Suite struct LevelerPlanningMemoryTests {
    /// Step energies of a conversation at 100 ms steps: phrases of 1–3 s alternating between a loud
    /// and a quiet voice 9 dB apart (±1.5 dB per phrase), syllable dips inside them, gaps of 0.3–1.2 s
    /// and now and then a 4 s pause over a −66 dB room.
    static func conversation(steps: Int, seed: UInt64) -> [Double] {
        var random = SplitMix64(seed: seed)
        func energy(dB: Double) -> Double { pow(10, dB / 10) }
        var energies: [Double] = []
        var loud = true
        while energies.count < steps {
            let level = (loud ? -18.0 : -27.0) + 3 * random.nextUnit() - 1.5
            for k in 0..<(10 + Int(random.nextUnit() * 20)) {
                let dip = k % 4 == 3 ? -18.0 : -5 * random.nextUnit()
                energies.append(energy(dB: level + dip))
            }
            let gap = random.nextUnit() < 0.1 ? 40 : 3 + Int(random.nextUnit() * 9)
            for _ in 0..<gap { energies.append(energy(dB: -66 + 2 * random.nextUnit())) }
            loud.toggle()
        }
        return Array(energies.prefix(steps))
    }

    static func paged(_ values: [Double]) -> PagedSeries<Double> {
        var series = PagedSeries<Double>()
        for value in values { series.append(value) }
        return series
    }

    /// The prediction by definition: every step weighted by the curve's gain at its middle, stored;
    /// 400 ms blocks of four steps, one per step, stored; BS.1770-4 §2.8 gating over the list.
    static func referencePrediction(_ plan: LevelerPlan, energies: [Double]) -> Double? {
        let weighted = energies.indices.map {
            energies[$0] * pow(10, plan.curve.gainDB(atFrame: (Double($0) + 0.5) * Double(plan.stepFrames)) / 10)
        }
        guard weighted.count >= 4 else { return nil }
        var blocks: [Double] = []
        var sum = weighted[0] + weighted[1] + weighted[2]
        for i in 3..<weighted.count {
            sum += weighted[i]
            blocks.append(sum / 4)
            sum -= weighted[i - 3]
        }
        return Gating.integratedLoudness(blockEnergies: blocks)
    }

    @Test func thePredictionComputedAsReadEqualsTheOneFromStoredBlocks() throws {
        // Three pages and a part of a fourth: the blocks straddle page boundaries.
        let energies = Self.conversation(steps: 3 * PagedSeries<Double>.pageSize + 1_234, seed: 14)
        let plan = try #require(LevelerPlan.make(energies: energies, stepFrames: 4_410, strength: 1))
        #expect(plan.phrases.count > 100)
        #expect(plan.phraseGainsDB.contains { $0 > 3 } && plan.phraseGainsDB.contains { $0 < -3 })
        let predicted = try #require(plan.predictedIntegratedLUFS(energies: energies))
        let reference = try #require(Self.referencePrediction(plan, energies: energies))
        #expect(predicted == reference)
        #expect(plan.predictedIntegratedLUFS(energies: Self.paged(energies)) == reference)
        // Under four steps there is no block, and no prediction.
        #expect(plan.predictedIntegratedLUFS(energies: Array(energies.prefix(3))) == nil)
    }

    @Test func aPlanFromTheMetersPagesIsThePlanFromACopy() throws {
        let energies = Self.conversation(steps: 2 * PagedSeries<Double>.pageSize + 777, seed: 41)
        let fromCopy = try #require(LevelerPlan.make(energies: energies, stepFrames: 4_800, strength: 0.7))
        let fromPages = try #require(
            LevelerPlan.make(energies: Self.paged(energies), stepFrames: 4_800, strength: 0.7))
        #expect(fromPages.phrases == fromCopy.phrases)
        #expect(fromPages.phraseGainsDB == fromCopy.phraseGainsDB)
        #expect(fromPages.activity == fromCopy.activity)
        #expect(fromPages.curve.points == fromCopy.curve.points)
        #expect(
            LevelerPlan.speechSpreadLU(energies: Self.paged(energies)) == LevelerPlan.speechSpreadLU(energies: energies)
        )
    }
}
