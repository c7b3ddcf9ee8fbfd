import Foundation
import PodsmithCore

/// The leveler's work in figures, for the report (`leveler` in `normalize --json`).
public struct LevelerSummary: Sendable, Equatable {
    /// The lowest and highest phrase gain, dB.
    public var gainMinDB: Double
    public var gainMaxDB: Double
    /// Phrases, and turns (runs of phrases at one level), whose gain is at least 0.5 dB from 0.
    public var phrasesAdjusted: Int
    public var turnsAdjusted: Int
    /// How far the phrases' loudness spreads, before and after the leveler, LU: the 10th to the 90th
    /// percentile, each phrase counted by its length (see ``speechSpread(loudness:weights:)``).
    public var speechSpreadBeforeLU: Double
    public var speechSpreadAfterLU: Double
    /// How much the pauses move against linear normalization to the same target, dB: the median of
    /// the leveler's gain over pause steps, plus the change of the linear gain the leveler causes.
    public var pauseFloorChangeDB: Double

    public init(
        gainMinDB: Double, gainMaxDB: Double, phrasesAdjusted: Int, turnsAdjusted: Int,
        speechSpreadBeforeLU: Double, speechSpreadAfterLU: Double, pauseFloorChangeDB: Double
    ) {
        self.gainMinDB = gainMinDB
        self.gainMaxDB = gainMaxDB
        self.phrasesAdjusted = phrasesAdjusted
        self.turnsAdjusted = turnsAdjusted
        self.speechSpreadBeforeLU = speechSpreadBeforeLU
        self.speechSpreadAfterLU = speechSpreadAfterLU
        self.pauseFloorChangeDB = pauseFloorChangeDB
    }

    /// The 10th-to-90th-percentile range of phrase loudness, each phrase weighted by its speech steps,
    /// LU; 0 for fewer than two phrases. Why not the full range: one cough or one shouted word would
    /// make it, and it should say how far the *speech* wanders.
    public static func speechSpread(loudness: [Double], weights: [Int]) -> Double {
        guard loudness.count >= 2 else { return 0 }
        let order = loudness.indices.sorted { loudness[$0] < loudness[$1] }
        let total = Double(weights.reduce(0, +))
        func percentile(_ p: Double) -> Double {
            var seen = 0.0
            for index in order {
                seen += Double(weights[index])
                if seen >= p * total { return loudness[index] }
            }
            return loudness[order.last!]
        }
        return percentile(0.9) - percentile(0.1)
    }

    /// How far the speech's phrase loudness may spread before the report suggests `--leveler`, LU.
    public static let suggestionSpreadLU = 6.0
}

extension LevelerSummary: Codable {
    public enum CodingKeys: String, FigurePrecisionKey, CaseIterable {
        case gainMinDB = "gain_min_db"
        case gainMaxDB = "gain_max_db"
        case phrasesAdjusted = "phrases_adjusted"
        case turnsAdjusted = "turns_adjusted"
        case speechSpreadBeforeLU = "speech_spread_before_lu"
        case speechSpreadAfterLU = "speech_spread_after_lu"
        case pauseFloorChangeDB = "pause_floor_change_db"

        /// Gains and spreads to 0.01 dB (LU), counts whole.
        public var decimals: Int? {
            switch self {
            case .phrasesAdjusted, .turnsAdjusted: return nil
            default: return 2
            }
        }
    }
}
