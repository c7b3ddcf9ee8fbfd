import Foundation
import PodsmithTestSupport
import Testing

@testable import PodsmithCore

/// The LRA percentiles (EBU Tech 3342: 10th and 95th, nearest rank) pinned on a distribution where the
/// choice shows. The conformance signals are plateaus, on which any low percentile from about 5 to 33 %
/// and any high one from about 67 to 100 % give the same answer; a ramp does not.
@Suite struct LoudnessRangePercentileTests {
    @Test func aLoudnessRampGivesTheTenthToNinetyFifthPercentileSpread() throws {
        // 1001 short-term blocks from −40 to −20 LUFS in 0.02 LU steps, all above both gates (the
        // relative gate sits near −47 LUFS). Nearest rank round(p·(n−1)) takes block 100 (−38.0) and
        // block 950 (−21.0): 17.0 LU. A 10/90 rule gives 16.0; another rank convention moves it ~0.02 LU.
        let energies = (0...1000).map { Gating.energy(ofLoudness: -40 + 0.02 * Double($0)) }
        let lra = try #require(LoudnessRange.loudnessRange(shortTermEnergies: energies))
        #expect(abs(lra - 17.0) < 1e-9, "LRA \(lra)")
        // The same blocks in another order: percentiles are of the sorted distribution.
        var shuffled = energies
        var rng = SplitMix64(seed: 17)
        shuffled.shuffle(using: &rng)
        #expect(abs(try #require(LoudnessRange.loudnessRange(shortTermEnergies: shuffled)) - 17.0) < 1e-9)
    }

    /// The percentiles are found by ``LoudnessRange/smallest(_:in:where:)`` without sorting a copy; it must
    /// give exactly what sorting the included values gives, at every rank, with duplicates, values that
    /// differ in their last bit only, and values the filter leaves out.
    @Test func rankSelectionGivesWhatSortingGives() {
        var rng = SplitMix64(seed: 3342)
        var values = (0..<150).map { _ in Gating.energy(ofLoudness: Double.random(in: -80...0, using: &rng)) }
        values += values.prefix(30)  // duplicates
        values += values.prefix(10).map { $0.nextUp }  // neighbours in the last bit
        let threshold = Gating.energy(ofLoudness: -60)
        let included = { (e: Double) in e > threshold }
        let sorted = values.filter(included).sorted()
        var mismatches: [Int] = []
        for rank in sorted.indices where LoudnessRange.smallest(rank, in: values, where: included) != sorted[rank] {
            mismatches.append(rank)
        }
        #expect(!sorted.isEmpty && mismatches.isEmpty, "ranks that differ: \(mismatches.prefix(10))")
    }
}
