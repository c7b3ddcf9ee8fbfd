import Foundation
import PodsmithCore

/// What the plan predicts for the render, and the report's figures, all from the analysis pass.
extension LevelerPlan {
    /// The programme's integrated loudness after the leveler, LUFS: the gating of BS.1770-4 §2.8 over
    /// 400 ms blocks (four steps, one every step) of the step energies, each weighted by the curve's
    /// gain at its middle. Why predict: the linear gain after the leveler is planned on it, so the
    /// render passes stay as many as without the leveler (the calibration's trial renders then
    /// correct what the limiter and the step-wise estimate leave, as for any programme).
    ///
    /// The blocks are computed as the gating reads them (``LeveledBlockEnergies``), not stored: on a
    /// ten-hour programme the weighted steps and their blocks were 5.8 MB held at the moment the
    /// render's memory starts to grow.
    public func predictedIntegratedLUFS<Energies: RandomAccessCollection<Double>>(
        energies: Energies
    ) -> Double? where Energies.Index == Int {
        guard energies.count >= 4 else { return nil }
        return Gating.integratedLoudness(blockEnergies: LeveledBlockEnergies(plan: self, energies: energies))
    }

    /// The highest gain the curve reaches over `frames`, dB (its points are its extremes).
    public func maximumGainDB(over frames: Range<Int64>) -> Double {
        var best = max(
            curve.gainDB(atFrame: Double(frames.lowerBound)), curve.gainDB(atFrame: Double(frames.upperBound)))
        for point in curve.points where frames.contains(point.frame) { best = max(best, Double(point.gainDB)) }
        return best
    }

    /// The report's figures.
    /// - Parameter linearGainChangeDB: the linear gain with the leveler less the gain without it (what
    ///   moves the pauses besides the leveler's own gain there).
    public func summary(linearGainChangeDB: Double) -> LevelerSummary {
        let weights = phrases.map(\.speechSteps)
        let before = phrases.map(\.loudnessLUFS)
        let after = phrases.indices.map { before[$0] + phraseGainsDB[$0] }
        let adjusted = phraseGainsDB.filter { abs($0) >= Self.adjustedThresholdDB }.count
        var pauseGains: [Double] = []
        for (i, activity) in activity.enumerated() where activity == .pause {
            pauseGains.append(curve.gainDB(atFrame: (Double(i) + 0.5) * Double(stepFrames)))
        }
        pauseGains.sort()
        let pauseMedian = pauseGains.isEmpty ? 0 : pauseGains[pauseGains.count / 2]
        return LevelerSummary(
            gainMinDB: phraseGainsDB.min() ?? 0, gainMaxDB: phraseGainsDB.max() ?? 0,
            phrasesAdjusted: adjusted, turnsAdjusted: turns().filter { abs($0) >= Self.adjustedThresholdDB }.count,
            speechSpreadBeforeLU: LevelerSummary.speechSpread(loudness: before, weights: weights),
            speechSpreadAfterLU: LevelerSummary.speechSpread(loudness: after, weights: weights),
            pauseFloorChangeDB: pauseMedian + linearGainChangeDB)
    }

    /// The mean gain of every turn, dB. A turn is a run of phrases at one level: a new one starts where
    /// the loudness jumps by more than ``turnChangeLU`` or after a pause of 2 s (the leveler knows no
    /// speakers, only levels, so this is what a listener hears as a change of voice).
    func turns() -> [Double] {
        var means: [Double] = []
        var sum = 0.0, count = 0
        for k in phrases.indices {
            if k > 0 {
                let jump = abs(phrases[k].loudnessLUFS - phrases[k - 1].loudnessLUFS)
                let gap = phrases[k].steps.lowerBound - phrases[k - 1].steps.upperBound
                if jump > Self.turnChangeLU || gap >= 20 {
                    means.append(sum / Double(count))
                    sum = 0
                    count = 0
                }
            }
            sum += phraseGainsDB[k]
            count += 1
        }
        if count > 0 { means.append(sum / Double(count)) }
        return means
    }

    static let turnChangeLU = 3.0

    /// The spread of the speech's phrase loudness (``LevelerSummary/speechSpread(loudness:weights:)``)
    /// in a programme not leveled, LU; `nil` when there is no speech. Why: a report without the
    /// leveler suggests it when this exceeds ``LevelerSummary/suggestionSpreadLU``.
    public static func speechSpreadLU<Energies: RandomAccessCollection<Double>>(
        energies: Energies
    ) -> Double? where Energies.Index == Int {
        let (activity, _) = SpeechActivityClassifier().classify(energies)
        let phrases = PhraseSegmenter().segment(activity, energies: energies).phrases
        guard phrases.count >= 2 else { return nil }
        return LevelerSummary.speechSpread(loudness: phrases.map(\.loudnessLUFS), weights: phrases.map(\.speechSteps))
    }
}
