import Foundation
import PodsmithCore

extension Normalizer {
    /// Completes an analysed plan with the speech leveler's: the curve, the linear gain on the leveled
    /// programme's predicted loudness, the leveled peaks (for the limiter's forecast and the codec
    /// probe's excerpts) and the report's figures. Without the leveler, only the speech's spread is
    /// measured, for the report's suggestion; the plan is otherwise untouched.
    /// - Parameter level: the programme's loudness the linear gain was planned on, LUFS.
    func planLeveler(_ plan: inout Plan, analyser: ProgrammeAnalyser, level: Double) {
        let (energies, stepFrames) = analyser.stepEnergies
        guard options.leveler, !plan.usedUngatedLoudness else {
            plan.speechSpreadLU = LevelerPlan.speechSpreadLU(energies: energies)
            return
        }
        guard
            let leveler = LevelerPlan.make(
                energies: energies, stepFrames: stepFrames, strength: options.levelerStrength),
            let leveled = leveler.predictedIntegratedLUFS(energies: energies), leveled > -70
        else {
            plan.speechSpreadLU = LevelerPlan.speechSpreadLU(energies: energies)
            return
        }
        var gain = plan.measuredTargetLUFS - leveled
        let capped = gain > options.maxGainDB
        if capped { gain = options.maxGainDB }
        let peaks = analyser.peaks.scaled { Float(pow(10, leveler.maximumGainDB(over: $0) / 20)) }
        if let truePeak = plan.programme.truePeakDBTP, let samplePeak = plan.programme.samplePeakDBFS,
            peaks.highestPeak > 0
        {
            plan.leveledTruePeakDBTP = truePeak + 20 * log10(Double(peaks.highestPeak)) - samplePeak
        }
        plan.loudestPeakFrames = peaks.loudestWindows(
            count: CodecProbe.peakExcerptCount, apartFrames: Int64(3 * plan.programme.sampleRate))
        plan.leveler = leveler
        plan.levelerSummary = leveler.summary(linearGainChangeDB: level - leveled)
        plan.speechSpreadLU = plan.levelerSummary?.speechSpreadBeforeLU
        plan.gainDB = gain
        plan.gainCapped = capped
    }
}
