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
        let keep = { (e: Double) in e > absolute && e > relative }
        let keptCount = shortTermEnergies.reduce(0) { $0 + (keep($1) ? 1 : 0) }
        // Percentiles by nearest rank on the kept energies in increasing order (loudness is monotonic in
        // energy), found without sorting or copying them (see ``smallest(_:in:where:)``).
        func percentile(_ p: Double) -> Double {
            smallest(Int((Double(keptCount - 1) * p).rounded()), in: shortTermEnergies, where: keep)
        }
        return Gating.loudness(ofEnergy: percentile(highPercentile))
            - Gating.loudness(ofEnergy: percentile(lowPercentile))
    }

    /// The `rank`-th smallest (from 0) of the `values` that satisfy `isIncluded`, all positive and finite.
    ///
    /// Why not sort a copy: a ten-hour programme has 360,000 short-term blocks, and the copy (2.7 MiB) was
    /// the last thing to raise a ten-hour normalize's peak memory. A positive `Double`'s bit pattern orders
    /// like its value, so the answer is found a byte of that pattern at a time, from the top: each of the 8
    /// passes counts the candidates that share the prefix found so far by their next byte and keeps the
    /// byte whose bucket holds the rank. Exact (the bits of one of the values), 8 passes over the values.
    static func smallest(
        _ rank: Int, in values: some Collection<Double>, where isIncluded: (Double) -> Bool
    ) -> Double {
        var prefix: UInt64 = 0
        var mask: UInt64 = 0
        var rank = rank
        var buckets = [Int](repeating: 0, count: 256)
        for shift in stride(from: 56, through: 0, by: -8) {
            for i in buckets.indices { buckets[i] = 0 }
            for value in values where isIncluded(value) {
                let bits = value.bitPattern
                if bits & mask == prefix { buckets[Int((bits >> UInt64(shift)) & 0xFF)] += 1 }
            }
            var byte = 0
            while rank >= buckets[byte] {
                rank -= buckets[byte]
                byte += 1
            }
            prefix |= UInt64(byte) << UInt64(shift)
            mask |= 0xFF << UInt64(shift)
        }
        return Double(bitPattern: prefix)
    }
}
