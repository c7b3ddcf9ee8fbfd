import Foundation
import PodsmithCore

/// What the speech leveler will do to one programme: a gain per phrase toward a common speech level,
/// as a curve over the input (``LevelerGainCurve``), planned from the analysis pass alone.
///
/// How the gains are chosen:
/// - the **common speech level** is the loudness of the mean energy of all phrase steps (near what the
///   gated integrated loudness of the speech alone would read), so leveled speech keeps the programme's
///   integrated loudness near where it was, the linear gain after the leveler barely moves, and music,
///   which the leveler leaves at 0 dB, keeps its place against linear normalization;
/// - each phrase gets `strength × (level − its loudness)`, bounded to ±``maximumGainDB``; a "phrase"
///   more than ``noiseBelowLU`` under the level is taken for noise (a chair, a distant voice) and is
///   never raised;
/// - the gain holds over each phrase from ``leadSteps`` before it to ``tailSteps`` after it (word
///   onsets and decays), and changes only in the gaps: across a short gap in a ramp of at most
///   ``rampSteps`` centred in it; in a pause of ``longPauseSteps`` or more it ramps down to the lower
///   of 0 dB and the two phrases' gains and back up before the next phrase, so room tone and breaths
///   are never raised more than the speech around them is, and never raised at all in a long pause;
/// - music runs hold 0 dB.
public struct LevelerPlan: Sendable {
    /// The gain over the input's frames.
    public var curve: LevelerGainCurve
    /// The phrases found, and the gain each got, dB.
    public var phrases: [Phrase]
    public var phraseGainsDB: [Double]
    /// The class of every step.
    public var activity: [StepActivity]
    /// Frames per step.
    public var stepFrames: Int
    /// The common speech level the phrases are brought toward, LUFS (before the linear gain).
    public var speechLevelLUFS: Double
    /// The strength the plan was made with (0…1).
    public var strength: Double

    public static let maximumGainDB = 12.0
    public static let noiseBelowLU = 20.0
    public static let leadSteps = 1
    public static let tailSteps = 2
    public static let rampSteps = 3
    public static let longPauseSteps = 10
    /// A phrase or turn counts as adjusted when its gain is at least this far from 0, dB.
    public static let adjustedThresholdDB = 0.5

    /// Plans the leveler from the analysis pass's step energies.
    /// - Parameters:
    ///   - energies: K-weighted mean-square energy of every 100 ms step (``LoudnessMeter/stepEnergies``).
    ///   - stepFrames: frames per step.
    ///   - strength: 0 (no leveling) to 1 (every phrase to the common level).
    /// - Returns: `nil` when there is no speech to level.
    public static func make<Energies: RandomAccessCollection<Double>>(
        energies: Energies, stepFrames: Int, strength: Double
    ) -> LevelerPlan? where Energies.Index == Int {
        let (activity, _) = SpeechActivityClassifier().classify(energies)
        let (phrases, music) = PhraseSegmenter().segment(activity, energies: energies)
        guard !phrases.isEmpty else { return nil }
        var sum = 0.0, count = 0
        for phrase in phrases {
            for i in phrase.steps {
                sum += energies[i]
                count += 1
            }
        }
        let level = Gating.loudness(ofEnergy: sum / Double(max(1, count)))
        let gains = phrases.map { phrase -> Double in
            let needed = level - phrase.loudnessLUFS
            if needed > noiseBelowLU { return 0 }
            return min(maximumGainDB, max(-maximumGainDB, strength * needed))
        }
        let curve = makeCurve(phrases: phrases, gains: gains, music: music, stepFrames: stepFrames)
        return LevelerPlan(
            curve: curve, phrases: phrases, phraseGainsDB: gains, activity: activity, stepFrames: stepFrames,
            speechLevelLUFS: level, strength: strength)
    }

    /// One hold per phrase and per music run, with the ramps between them (see the type's comment).
    static func makeCurve(
        phrases: [Phrase], gains: [Double], music: [Range<Int>], stepFrames: Int
    )
        -> LevelerGainCurve
    {
        var holds: [(steps: Range<Int>, gain: Double, music: Bool)] = phrases.indices.map {
            (phrases[$0].steps, gains[$0], false)
        }
        holds += music.map { ($0, 0.0, true) }
        holds.sort { $0.steps.lowerBound < $1.steps.lowerBound }
        let f = Int64(stepFrames)
        var points: [LevelerGainCurve.Point] = []
        func add(_ frame: Int64, _ gain: Double) { points.append(.init(frame: frame, gainDB: Float(gain))) }
        // Each hold padded into the gaps around it (word onsets, decays), in frames.
        let padded: [Range<Int64>] = holds.indices.map { k in
            let steps = holds[k].steps
            var lower = steps.lowerBound - leadSteps
            var upper = steps.upperBound + tailSteps
            if k > 0 {
                let gap = steps.lowerBound - holds[k - 1].steps.upperBound
                lower = max(lower, steps.lowerBound - max(0, (gap - rampSteps) / 2))
            }
            if k + 1 < holds.count {
                let gap = holds[k + 1].steps.lowerBound - steps.upperBound
                upper = min(upper, steps.upperBound + max(0, (gap - rampSteps) / 2))
            }
            return Int64(max(0, min(lower, steps.lowerBound))) * f..<Int64(max(upper, steps.upperBound)) * f
        }
        let ramp = Int64(rampSteps) * f
        let minimumRamp = max(1, f / 5)  // 20 ms at 100 ms steps: never a step in the gain
        // Where each hold starts and ends once the ramps between holds have their room.
        var starts = padded.map(\.lowerBound), ends = padded.map(\.upperBound)
        for k in holds.indices.dropLast() {
            let gain = holds[k].gain, next = holds[k + 1].gain
            let gapSteps = holds[k + 1].steps.lowerBound - holds[k].steps.upperBound
            let from = padded[k].upperBound, to = padded[k + 1].lowerBound
            if gapSteps >= longPauseSteps {
                let rest = min(0, gain, next)
                add(from + ramp, rest)
                add(to - ramp, rest)
            } else if gain != next {
                // A ramp of at most `rampSteps`, centred in the gap (20 ms when music touches speech).
                let length = max(minimumRamp, min(ramp, to - from))
                var rampStart = (from + to) / 2 - length / 2
                if to - from < minimumRamp {
                    // No gap: the ramp goes on the music's side of the seam, never into the phrase.
                    rampStart = holds[k].music ? to - length : from
                }
                ends[k] = min(ends[k], rampStart)
                starts[k + 1] = max(starts[k + 1], rampStart + length)
            }
        }
        for k in holds.indices {
            add(starts[k], holds[k].gain)
            add(ends[k], holds[k].gain)
        }
        if let first = holds.first, let last = holds.last {
            if starts[0] >= ramp { add(starts[0] - ramp, min(0, first.gain)) }
            add(ends[ends.count - 1] + ramp, min(0, last.gain))
        }
        var ordered: [LevelerGainCurve.Point] = []
        for point in LevelerGainCurve(points: points).points where ordered.last != point {
            ordered.append(point)
        }
        return LevelerGainCurve(points: ordered)
    }

    /// The curve's gain at the middle of step `step`, dB: what the predictions weigh each step by.
    public func stepGainDB(_ step: Int) -> Double {
        curve.gainDB(atFrame: (Double(step) + 0.5) * Double(stepFrames))
    }
}
