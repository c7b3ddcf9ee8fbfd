@_spi(Kernels) import PodsmithCore

/// The programme's highest sample peak in every half second, kept by the analysis pass so that the
/// codec probe can listen where the limiter works hardest.
///
/// Why: a lossy codec's true-peak overshoot shows on the peaks the limiter flattened, and the
/// deepest gain reduction falls where the programme's own peaks are highest (the gain is one number
/// for the whole episode, so the ranking does not depend on it). Excerpts spread evenly over the
/// episode can miss them all (a hot jingle lasts a few seconds in three minutes): then the probe sees
/// no overshoot, and an unverified Opus file came out 2 dB over the ceiling.
///
/// Memory: one `Float` per half second (28 kB for an hour).
struct PeakMap: Sendable {
    let windowFrames: Int64
    private(set) var maxima: [Float] = []
    private var current: Float = 0
    private var filled: Int64 = 0

    init(sampleRate: Double, windowSeconds: Double = 0.5) {
        windowFrames = max(1, Int64(sampleRate * windowSeconds))
    }

    mutating func process(_ block: AudioBuffer) {
        var offset = 0
        while offset < block.frameCount {
            let n = min(block.frameCount - offset, Int(windowFrames - filled))
            // The SIMD kernel: a per-sample `max(current, abs(x))` chain does not vectorise, and cost
            // the analysis pass 0.8 CPU-s per stereo hour.
            for c in 0..<block.channelCount {
                current = max(current, SamplePeakKernel.simd(block.baseAddress(ofChannel: c) + offset, count: n))
            }
            offset += n
            filled += Int64(n)
            if filled == windowFrames {
                maxima.append(current)
                current = 0
                filled = 0
            }
        }
    }

    /// Closes the last, partial window.
    mutating func finish() {
        if filled > 0 { maxima.append(current) }
        current = 0
        filled = 0
    }

    /// This map with every window's peak multiplied by `gain(window's frames)`: the programme's peaks
    /// after a gain that varies (the speech leveler's), for the codec probe and the limiter's forecast.
    func scaled(by gain: (Range<Int64>) -> Float) -> PeakMap {
        var copy = self
        for index in copy.maxima.indices {
            let start = Int64(index) * windowFrames
            copy.maxima[index] *= gain(start..<(start + windowFrames))
        }
        return copy
    }

    /// The highest peak of all windows (linear).
    var highestPeak: Float { maxima.max() ?? 0 }

    /// The start frames of the `count` windows with the highest peaks, at least `apartSeconds` apart,
    /// in time order.
    func loudestWindows(count: Int, apartFrames: Int64) -> [Int64] {
        let ranked = maxima.indices.sorted { maxima[$0] > maxima[$1] }
        var chosen: [Int64] = []
        for index in ranked where maxima[index] > 0 {
            let start = Int64(index) * windowFrames
            if chosen.allSatisfy({ abs($0 - start) >= apartFrames }) { chosen.append(start) }
            if chosen.count == count { break }
        }
        return chosen.sorted()
    }
}
