import Foundation

/// The 400 ms gating-block energies (BS.1770-4 §2.8: four 100 ms steps, a block every step) of a
/// programme whose steps the leveler's curve weighs, computed as they are read.
///
/// Why a sequence and not a list: gating reads the blocks twice, in order, and nothing else needs them;
/// a ten-hour programme has 360,000 of them. Each pass recomputes the steps' weights from the curve
/// (a binary search per step, far cheaper than the analysis that produced the energies). The sums are
/// formed as a stored list's were — a running sum of the last four weighted steps — so the figures are
/// the same to the last bit.
struct LeveledBlockEnergies<Energies: RandomAccessCollection<Double>>: Sequence where Energies.Index == Int {
    let plan: LevelerPlan
    let energies: Energies

    struct Iterator: IteratorProtocol {
        let plan: LevelerPlan
        let energies: Energies
        var position = 0
        var sum = 0.0
        var trailing = (0.0, 0.0, 0.0)

        mutating func next() -> Double? {
            while position < energies.count {
                let step = position
                let weighted = energies[step] * pow(10, plan.stepGainDB(step) / 10)
                position += 1
                sum += weighted
                guard step >= 3 else {
                    trailing = (trailing.1, trailing.2, weighted)
                    continue
                }
                let block = sum / 4
                sum -= trailing.0
                trailing = (trailing.1, trailing.2, weighted)
                return block
            }
            return nil
        }
    }

    func makeIterator() -> Iterator { Iterator(plan: plan, energies: energies) }
}
