import Foundation

/// How long a limiter held each depth of gain reduction, in 0.1 dB steps: what says how hard it
/// worked, which "max 3.65 dB over 87 s" (any reduction, however small, counts as limited) does not.
///
/// The gain is sampled every ``stride`` frames (0.7 ms at 44.1 kHz), each sample standing for the
/// frames up to the next: the limiter's gain ramps over its 5 ms look-ahead and recovers over its
/// 100 ms release, so nothing between two samples is missed, and a logarithm every 32 frames costs
/// nothing next to the limiter's own work.
public struct ReductionHistogram: Sendable, Equatable {
    /// Frames per gain sample.
    public static let stride = 32
    /// Bin width, dB.
    public static let binDB = 0.1
    /// Reductions at or beyond the last bin (40 dB) are counted in it.
    public static let binCount = 400

    /// Frames at each depth: `bins[i]` holds reductions in [i, i + 1) × ``binDB``; 0 dB (no reduction)
    /// is in `bins[0]` together with reductions under 0.1 dB.
    public private(set) var bins = [Int64](repeating: 0, count: binCount)
    /// Frames counted.
    public private(set) var frameCount: Int64 = 0
    private var phase = 0

    public init() {}

    /// Adds `count` gains (linear, ≤ 1) of consecutive frames.
    public mutating func add(_ gains: UnsafePointer<Float>, count: Int) {
        var i = phase
        while i < count {
            let gain = Double(gains[i])
            let reduction = gain < 1 && gain > 0 ? -20 * log10(gain) : (gain <= 0 ? 400 : 0)
            let bin = min(Self.binCount - 1, Int(reduction / Self.binDB))
            bins[bin] += Int64(Self.stride)
            i += Self.stride
        }
        phase = i - count
        frameCount += Int64(count)
    }

    /// Adds `count` frames that passed without reduction.
    public mutating func addUnreduced(count: Int) {
        var i = phase
        while i < count {
            bins[0] += Int64(Self.stride)
            i += Self.stride
        }
        phase = i - count
        frameCount += Int64(count)
    }

    /// Adds the frames `other` counted, as if they followed these: what the parts of a split render
    /// held together (each part's sampling phase stays its own, a difference of at most one
    /// ``stride`` per part).
    public mutating func merge(_ other: ReductionHistogram) {
        for i in bins.indices { bins[i] += other.bins[i] }
        frameCount += other.frameCount
    }

    /// Frames whose reduction was at least `dB`.
    public func frames(atLeast dB: Double) -> Int64 {
        let first = max(0, min(Self.binCount, Int((dB / Self.binDB).rounded())))
        return min(frameCount, bins[first...].reduce(0, +))
    }

    /// The reduction exceeded during `1 − fraction` of the time, dB (the upper edge of its bin;
    /// 0 when the limiter was idle for at least `fraction` of it).
    public func percentile(_ fraction: Double) -> Double {
        let counted = bins.reduce(0, +)
        guard counted > 0 else { return 0 }
        let rank = Int64((fraction * Double(counted)).rounded(.up))
        var seen: Int64 = 0
        for (index, frames) in bins.enumerated() {
            seen += frames
            if seen >= rank { return index == 0 ? 0 : Double(index + 1) * Self.binDB }
        }
        return Double(Self.binCount) * Self.binDB
    }
}
