import Foundation
import PodsmithCore

/// What one 100 ms step of the programme holds, for the speech leveler.
public enum StepActivity: UInt8, Sendable {
    /// Room tone, breaths, silence: below the tracked noise floor's threshold.
    case pause
    /// Active and modulated as speech is.
    case speech
    /// Active, steady for seconds on end: music (or any sustained sound), which the leveler leaves alone.
    case music
}

/// Sorts the programme's 100 ms steps into speech, pause and music from their K-weighted energies alone.
///
/// Why energies and nothing else: they are what the analysis pass already computes (no second filter,
/// no spectrum, no model), and two cheap features of them separate the classes on the material we
/// measured (the Allison Smith recordings, espeak-ng voices, "Vibe Ace" and "tuxi" from `SampleAudio/`):
/// - **activity**: a step is active when it is ``activityMarginDB`` over a noise floor tracked by two
///   minimum followers (forward and backward, each rising ``floorRiseDBPerStep``; the higher of the
///   two, so a stretch of digital silence does not sink the floor of the room tone that follows it),
///   and over ``absoluteThresholdDB`` (a −66 dBFS room is never speech);
/// - **modulation**, over a window of ±``windowSteps``: the mean step-to-step change of loudness between
///   consecutive active steps, plus 20 × the share of steps more than 15 dB under the window's 90th
///   percentile. Syllables and the gaps between words make speech score 7.6 or more (1st percentile);
///   music scores 3–6.5 (90th percentile). A window under ``musicScore`` is music, when such windows
///   run on for ``minimumMusicSteps`` (3 s): a short steady stretch of speech stays speech.
public struct SpeechActivityClassifier: Sendable {
    /// Active steps are this far over the noise floor, dB.
    public var activityMarginDB = 15.0
    /// How fast the floor followers rise through sound, dB per 100 ms step (0.5 dB/s).
    public var floorRiseDBPerStep = 0.05
    /// Half the modulation window, steps (±2 s).
    public var windowSteps = 20
    /// Windows scoring under this are music.
    public var musicScore = 7.0
    /// The shortest run of music, steps.
    public var minimumMusicSteps = 30
    /// Inactive steps in a row that end a run of sound (200 ms, as a phrase ends): a run that holds
    /// music is music from end to end.
    public var regionGapSteps = 2
    /// Nothing quieter than this (energy, dB) is active.
    public var absoluteThresholdDB = -60.0

    public init() {}

    /// The class of every step, and the tracked noise floor (dB of energy, per step).
    /// - Parameter energies: mean-square K-weighted energy per 100 ms step (``LoudnessMeter/stepEnergies``).
    public func classify<Energies: RandomAccessCollection<Double>>(
        _ energies: Energies
    ) -> (activity: [StepActivity], floorDB: [Double]) where Energies.Index == Int {
        let n = energies.count
        guard n > 0 else { return ([], []) }
        let levels = energies.map { $0 > 1e-12 ? 10 * log10($0) : -120.0 }
        let floor = trackedFloor(levels)
        var active = [Bool](repeating: false, count: n)
        for i in 0..<n { active[i] = levels[i] > floor[i] + activityMarginDB && levels[i] > absoluteThresholdDB }

        var musicLike = [Bool](repeating: false, count: n)
        var window = [Double]()
        window.reserveCapacity(2 * windowSteps + 1)
        // Runs of sound: active steps with no pause of `regionGapSteps` between them. A run that holds
        // music is music throughout: the edges of an intro, where the window reaches into the silence
        // around it, read as speech by their dips, and would otherwise be leveled as phrases.
        // Step indices as 32-bit integers (2^31 steps are 6.8 years): half the memory, and these two
        // lists are the classifier's largest on a long programme.
        var regionStart = [Int32](repeating: 0, count: n), regionEnd = [Int32](repeating: Int32(n), count: n)
        var start = 0, quiet = 0
        for i in 0..<n {
            quiet = active[i] ? 0 : quiet + 1
            if quiet >= regionGapSteps { start = i + 1 }
            regionStart[i] = Int32(start)
        }
        var end = n
        quiet = 0
        for i in stride(from: n - 1, through: 0, by: -1) {
            quiet = active[i] ? 0 : quiet + 1
            if quiet >= regionGapSteps { end = i }
            regionEnd[i] = Int32(end)
        }
        for i in 0..<n where active[i] {
            let lo = max(0, i - windowSteps), hi = min(n - 1, i + windowSteps)
            var flux = 0.0, pairs = 0
            window.removeAll(keepingCapacity: true)
            for j in lo...hi {
                window.append(levels[j])
                if j < hi, active[j], active[j + 1] {
                    flux += abs(levels[j + 1] - levels[j])
                    pairs += 1
                }
            }
            guard pairs >= 15 else { continue }
            window.sort()
            let p90 = window[min(window.count - 1, Int(0.9 * Double(window.count)))]
            let dips = window.prefix { $0 < p90 - 15 }.count
            let score = flux / Double(pairs) + 20 * Double(dips) / Double(window.count)
            musicLike[i] = score < musicScore
        }
        var activity = (0..<n).map { active[$0] ? StepActivity.speech : .pause }
        // Music is a long run of music-like steps; pauses shorter than a second inside it belong to it.
        var i = 0
        while i < n {
            guard musicLike[i] else {
                i += 1
                continue
            }
            var end = i + 1, lastMusic = i
            while end < n, musicLike[end] || (!active[end] && end - lastMusic <= 10) {
                if musicLike[end] { lastMusic = end }
                end += 1
            }
            if lastMusic + 1 - i >= minimumMusicSteps {
                let region = Int(regionStart[i])..<Int(regionEnd[lastMusic])
                for j in region where active[j] || (i...lastMusic).contains(j) {
                    activity[j] = .music
                }
            }
            i = lastMusic + 1
        }
        return (activity, floor)
    }

    /// The noise floor per step: the higher of a forward and a backward minimum follower, each rising
    /// ``floorRiseDBPerStep`` per step through sound and dropping to any quieter step at once.
    func trackedFloor(_ levels: [Double]) -> [Double] {
        let n = levels.count
        let start = levels.sorted()[n / 20]
        var forward = [Double](repeating: 0, count: n)
        var f = start
        for i in 0..<n {
            f = min(levels[i], f + floorRiseDBPerStep)
            forward[i] = f
        }
        var b = start
        for i in stride(from: n - 1, through: 0, by: -1) {
            b = min(levels[i], b + floorRiseDBPerStep)
            forward[i] = max(-100, forward[i], b)
        }
        return forward
    }
}
