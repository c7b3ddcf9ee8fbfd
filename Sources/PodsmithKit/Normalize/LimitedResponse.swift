/// What the calibration's trial renders have learnt of the limited chain, kept across its solves.
///
/// The chain a trial renders (leveler, edits, one gain, the true-peak limiter) is scale-invariant in
/// the limiter: it requires the gain `min(1, ceiling / peak)` of every 4×-oversampled peak estimate and
/// shapes those requirements by ratios (hold, attack mean, release towards 1), so rendering at gain
/// `g + δ` against a ceiling `c + δ` (dB) gives the same signal `δ` dB louder. The measured loudness is
/// therefore `c + Φ(g − c)` for one rising function `Φ` of the *drive* `g − c`, whatever the ceiling.
/// When the codec probe's second listen lowers the ceiling, or a verification corrects it, the points
/// already measured still describe `Φ`, and the next solve starts from a gain predicted on them instead
/// of from the last gain (one trial render of the whole programme saved on the benchmark's hour, where
/// the second listen lowered the ceiling by 0.4 dB; see `Benchmarks/RESULTS.md`).
struct LimitedResponse: Sendable {
    /// One trial: its drive (gain − ceiling, dB) and its loudness over the ceiling (LU).
    struct Point: Sendable {
        var driveDB: Double
        var levelOverCeilingDB: Double
    }

    /// Every trial so far, in the order they ran.
    private(set) var points: [Point] = []

    /// Records a trial at `gainDB` and `ceilingDBTP` that measured `levelLUFS`.
    mutating func record(gainDB: Double, ceilingDBTP: Double, levelLUFS: Double) {
        points.append(Point(driveDB: gainDB - ceilingDBTP, levelOverCeilingDB: levelLUFS - ceilingDBTP))
    }

    /// The loudness the last trial at exactly this gain and ceiling's drive measured, moved to
    /// `ceilingDBTP`: what a render at them measures before its encoder (the split trial's level is the
    /// one-chain render's to under 0.001 LU: `SplitTrialTests`). `nil` when no trial ran at that drive.
    func measuredLevel(gainDB: Double, ceilingDBTP: Double) -> Double? {
        let drive = gainDB - ceilingDBTP
        return points.last { $0.driveDB == drive }.map { $0.levelOverCeilingDB + ceilingDBTP }
    }

    /// Where a solve for `aimLUFS` against `ceilingDBTP` should start.
    struct Prediction {
        /// The gain predicted to reach the aim, dB.
        var gainDB: Double
        /// The measured point nearest the aim, moved to this ceiling (a gain and the level it gave): the
        /// solve's first secant step pairs the next trial with it.
        var anchor: (gain: Double, level: Double)
        /// The response's slope near the aim, LU per dB (clamped to 0.05…1 as the solve clamps it).
        var slope: Double
    }

    /// A slope of the response, LU per dB, clamped to 0.05…1: the response rises and flattens, so a
    /// slope two trials measure outside that range is their noise, not the chain.
    static func clampedSlope(_ slope: Double) -> Double {
        min(1, max(0.05, slope))
    }

    /// The gain at which `Φ` is predicted to reach `aimLUFS` against `ceilingDBTP`: the secant through
    /// the two measured points nearest the aim's level (they may bracket it: then it interpolates),
    /// or, with one point or two at the same drive, the step `fallbackSlope` gives from the nearest.
    /// `nil` before any trial.
    func prediction(aimLUFS: Double, ceilingDBTP: Double, fallbackSlope: Double) -> Prediction? {
        let wanted = aimLUFS - ceilingDBTP
        let nearest = points.enumerated().sorted {
            (abs($0.element.levelOverCeilingDB - wanted), $0.offset)
                < (abs($1.element.levelOverCeilingDB - wanted), $1.offset)
        }.map(\.element)
        guard let a = nearest.first else { return nil }
        let secant = nearest.dropFirst().first { abs($0.driveDB - a.driveDB) > 0.01 }.map {
            ($0.levelOverCeilingDB - a.levelOverCeilingDB) / ($0.driveDB - a.driveDB)
        }
        let slope = Self.clampedSlope(secant ?? fallbackSlope)
        let drive = a.driveDB + (wanted - a.levelOverCeilingDB) / slope
        return Prediction(
            gainDB: drive + ceilingDBTP,
            anchor: (a.driveDB + ceilingDBTP, a.levelOverCeilingDB + ceilingDBTP), slope: slope)
    }
}
