import Foundation

/// The most measured iterations a benchmark runs: `usual`, or fewer when the environment variable
/// `PODSMITH_BENCHMARK_MAX_ITERATIONS` asks for fewer. scripts/check-benchmark-allocations.sh sets it: the
/// allocation count of an iteration is the same in every iteration, so a few check it, while the time
/// metrics need many.
public func iterationLimit(_ usual: Int) -> Int {
    guard let text = ProcessInfo.processInfo.environment["PODSMITH_BENCHMARK_MAX_ITERATIONS"],
        let limit = Int(text), limit > 0
    else { return usual }
    return min(usual, limit)
}
