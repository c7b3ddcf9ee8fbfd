import Foundation

/// Loudness range (LRA), EBU Tech 3342 §3.
///
/// Input: the energies of the short-term (3 s) blocks, one every 100 ms. Blocks at or below −70 LUFS
/// are dropped, then blocks more than 20 LU below the mean energy of the rest; LRA is the difference
/// between the 95th and the 10th percentile of the remaining blocks' loudness.
///
/// `nil` when fewer than two short-term blocks lie above the absolute gate: with one block (a stream of
/// 3.0–3.1 s) or none (shorter, or silence) the distribution has no spread to speak of.
/// ``ReferenceLoudnessMeter`` applies the same rule, so both meters agree on when LRA is undefined.
public enum LoudnessRange {
    /// Relative gate for LRA, LU below the absolute-gated mean (Tech 3342: −20 LU).
    public static let relativeGateLU = -20.0
    /// Lower percentile (Tech 3342: 10 %).
    public static let lowPercentile = 0.10
    /// Upper percentile (Tech 3342: 95 %).
    public static let highPercentile = 0.95

    /// LRA in LU of short-term block energies (see the type's documentation).
    public static func loudnessRange(shortTermEnergies: some Collection<Double>) -> Double? {
        let absolute = Gating.energy(ofLoudness: Gating.absoluteGateLUFS)
        var sum = 0.0, count = 0
        for e in shortTermEnergies where e > absolute {
            sum += e
            count += 1
        }
        guard count >= 2 else { return nil }
        let relative = sum / Double(count) * pow(10, relativeGateLU / 10)
        var kept = shortTermEnergies.filter { $0 > absolute && $0 > relative }
        kept.sort()
        // Percentiles by nearest rank on the sorted energies (loudness is monotonic in energy).
        func percentile(_ p: Double) -> Double {
            kept[Int((Double(kept.count - 1) * p).rounded())]
        }
        return Gating.loudness(ofEnergy: percentile(highPercentile))
            - Gating.loudness(ofEnergy: percentile(lowPercentile))
    }
}
