import Foundation
import PodsmithTestSupport

@testable import PodsmithCodecs
@testable import PodsmithCore
@testable import PodsmithKit
@testable import PodsmithSeason

/// Helpers shared by the DSP stage tests: run a processor over arrays, measure, analyse.
enum DSPTest {
    /// Runs `processor` over `planes` in blocks whose sizes cycle through `blockSizes`, then finishes it.
    static func run(_ processor: some AudioProcessor, planes: [[Float]], blockSizes: [Int] = [1024]) throws -> [[Float]]
    {
        let channels = planes.count
        let total = planes[0].count
        let capacity = blockSizes.max()!
        let block = AudioBuffer(channelCount: channels, capacity: capacity)
        var out = [[Float]](repeating: [], count: 0)
        var outChannels = 0
        let collect: (AudioBuffer) throws -> Void = { buffer in
            if outChannels == 0 {
                outChannels = buffer.channelCount
                out = [[Float]](repeating: [], count: outChannels)
            }
            for c in 0..<buffer.channelCount { out[c] += buffer.channel(c) }
        }
        var position = 0
        var k = 0
        while position < total {
            let n = min(blockSizes[k % blockSizes.count], total - position)
            k += 1
            block.fill(from: planes.map { Array($0[position..<(position + n)]) })
            try processor.process(block, emit: collect)
            position += n
        }
        try processor.finish(emit: collect)
        return out
    }

    /// True peak (dBTP) of `planes` as libebur128 measures it.
    static func referenceTruePeak(_ planes: [[Float]], sampleRate: Double) throws -> Double {
        let meter = try ReferenceLoudnessMeter(
            format: AudioFormat(sampleRate: sampleRate, channelCount: planes.count))
        let source = ArraySource(planes: planes, sampleRate: sampleRate)
        let buffer = AudioBuffer(channelCount: planes.count, capacity: 4096)
        while try source.read(into: buffer) > 0 { meter.process(buffer) }
        return meter.result().truePeakDBTP ?? -.infinity
    }

    /// Amplitude of the component at `frequency` (Goertzel over the whole slice).
    static func goertzelAmplitude(_ x: ArraySlice<Float>, frequency: Double, sampleRate: Double) -> Double {
        let w = 2 * Double.pi * frequency / sampleRate
        let coefficient = 2 * cos(w)
        var s1 = 0.0, s2 = 0.0
        for v in x {
            let s0 = Double(v) + coefficient * s1 - s2
            s2 = s1
            s1 = s0
        }
        let power = s1 * s1 + s2 * s2 - coefficient * s1 * s2
        return 2 * sqrt(max(0, power)) / Double(x.count)
    }

    /// THD+N: everything but the fundamental, relative to the fundamental (RMS ratio). `x` should hold a
    /// whole number of periods.
    static func thdPlusNoise(_ x: ArraySlice<Float>, frequency: Double, sampleRate: Double) -> Double {
        let amplitude = goertzelAmplitude(x, frequency: frequency, sampleRate: sampleRate)
        let fundamentalEnergy = amplitude * amplitude / 2 * Double(x.count)
        let total = x.reduce(0.0) { $0 + Double($1) * Double($1) }
        return sqrt(max(0, total - fundamentalEnergy) / fundamentalEnergy)
    }

    /// Index of the first sample where `a` and `b` differ (or where one ends), `nil` if identical.
    /// Tests compare through this so that a failure prints one index, not two long arrays.
    static func firstMismatch<A: Collection<Float>, B: Collection<Float>>(_ a: A, _ b: B) -> Int? {
        var index = 0
        var ia = a.makeIterator(), ib = b.makeIterator()
        while true {
            switch (ia.next(), ib.next()) {
            case (nil, nil): return nil
            case (let x?, let y?) where x.bitPattern == y.bitPattern: index += 1
            default: return index
            }
        }
    }

    static func decibels(_ x: Double) -> Double { 20 * log10(x) }
}
