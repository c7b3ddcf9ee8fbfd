import Foundation
import PodsmithTestSupport
import Testing

@testable import PodsmithCodecs
@testable import PodsmithCore
@testable import PodsmithKit
@testable import PodsmithSeason

@Suite struct QuantizerTests {
    /// A reproducible test signal: a −3 dBFS sine plus small noise, with a few overs.
    static func signal(_ count: Int) -> [Float] {
        var rng = SplitMix64(seed: 0x5155_414E)
        return (0..<count).map { i in
            if i % 997 == 0 { return i % 2 == 0 ? 1.3 : -1.3 }
            return Float(0.7 * sin(Double(i) * 0.01)) + Float.random(in: -0.001...0.001, using: &rng)
        }
    }

    static func run(_ q: inout Quantizer, _ input: [Float], blocks: [Int], simd: Bool) -> [Int32] {
        var out = [Int32](repeating: 0, count: input.count)
        var start = 0, k = 0
        input.withUnsafeBufferPointer { src in
            out.withUnsafeMutableBufferPointer { dst in
                while start < input.count {
                    let n = min(blocks[k % blocks.count], input.count - start)
                    let slice = UnsafeBufferPointer(rebasing: src[start..<(start + n)])
                    if simd {
                        q.quantize(slice, into: dst.baseAddress! + start)
                    } else {
                        q.quantizeScalar(slice, into: dst.baseAddress! + start)
                    }
                    start += n
                    k += 1
                }
            }
        }
        return out
    }

    @Test(arguments: [PCMBitDepth.int16, .int24], [true, false])
    func simdKernelMatchesScalarTwin(bitDepth: PCMBitDepth, dither: Bool) {
        let input = Self.signal(10_007)
        var a = Quantizer(bitDepth: bitDepth, dither: dither, seed: 42)
        var b = Quantizer(bitDepth: bitDepth, dither: dither, seed: 42)
        // Odd block sizes put the SIMD loop at every lane phase.
        #expect(
            Self.run(&a, input, blocks: [13, 8, 1, 100, 7, 4096], simd: true)
                == Self.run(&b, input, blocks: [10_007], simd: false))
    }

    @Test func outputDoesNotDependOnBlockSizes() {
        let input = Self.signal(5000)
        var a = Quantizer(bitDepth: .int16, seed: 7), b = Quantizer(bitDepth: .int16, seed: 7)
        #expect(
            Self.run(&a, input, blocks: [5000], simd: true) == Self.run(&b, input, blocks: [3, 61, 512], simd: true))
    }

    @Test func differentSeedsGiveDifferentDither() {
        let input = [Float](repeating: 0, count: 1000)
        var a = Quantizer(bitDepth: .int16, seed: 1), b = Quantizer(bitDepth: .int16, seed: 2)
        #expect(Self.run(&a, input, blocks: [1000], simd: true) != Self.run(&b, input, blocks: [1000], simd: true))
    }

    @Test func unditheredRoundingIsToNearestEven() {
        var rng = SplitMix64(seed: 2)
        // Random values plus exact halves, where rounding direction matters.
        var values = (0..<4000).map { _ in Float.random(in: -1...1, using: &rng) }
        values += (-20...20).map { Float($0) / 2 / 32768 }
        values += (-20...20).map { Float($0) / 2 / 8_388_608 }
        for depth in [PCMBitDepth.int16, .int24] {
            var q = Quantizer(bitDepth: depth, dither: false)
            let scale: Float = depth == .int16 ? 32768 : 8_388_608
            let got = Self.run(&q, values, blocks: [values.count], simd: true)
            let expected = values.map { Int32(min(max(($0 * scale).rounded(.toNearestOrEven), -scale), scale - 1)) }
            #expect(got == expected)
        }
    }

    @Test func clipsToTheLargestCodes() {
        for depth in [PCMBitDepth.int16, .int24] {
            var q = Quantizer(bitDepth: depth)
            let got = Self.run(
                &q, [Float](repeating: 1.0, count: 9) + [Float](repeating: -2.0, count: 9) + [5, -5],
                blocks: [20], simd: true)
            let top: Int32 = depth == .int16 ? 32767 : 8_388_607
            #expect(got.prefix(9).allSatisfy { $0 == top || $0 == top - 1 })
            #expect(got[9..<18].allSatisfy { $0 == -top - 1 })
            #expect(got[18] == top && got[19] == -top - 1)
        }
    }

    /// TPDF's defining property: the total error's mean and variance do not depend on the input.
    /// With ±1 LSB triangular dither the variance is 1/12 (rounding) + 2/12 (dither) = 1/4 LSB² for
    /// every input level, where plain rounding gives 0 for a value on the grid and 1/4 half-way.
    @Test(arguments: [0.0, 0.25, 0.5, 0.75])
    func ditheredErrorHasInputIndependentMeanAndVariance(offsetLSB: Double) {
        let n = 200_000
        let value = Float((100 + offsetLSB) / 32768)
        var q = Quantizer(bitDepth: .int16, seed: 99)
        let out = Self.run(&q, [Float](repeating: value, count: n), blocks: [n], simd: true)
        let errors = out.map { Double($0) - (100 + offsetLSB) }
        let mean = errors.reduce(0, +) / Double(n)
        let variance = errors.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(n)
        #expect(abs(mean) < 0.01)
        #expect(abs(variance - 0.25) < 0.01)
        #expect(errors.allSatisfy { abs($0) <= 1.5 })
    }

    /// The dither itself (error of a value already on the grid) is triangular: −1, 0, +1 LSB with
    /// probabilities 1/8, 3/4, 1/8 after rounding.
    @Test func ditherOnGridValueHasTriangularHistogram() {
        let n = 200_000
        var q = Quantizer(bitDepth: .int16, seed: 3)
        let out = Self.run(&q, [Float](repeating: 0, count: n), blocks: [n], simd: true)
        let minus = Double(out.filter { $0 == -1 }.count) / Double(n)
        let zero = Double(out.filter { $0 == 0 }.count) / Double(n)
        let plus = Double(out.filter { $0 == 1 }.count) / Double(n)
        #expect(abs(minus - 0.125) < 0.005)
        #expect(abs(zero - 0.75) < 0.005)
        #expect(abs(plus - 0.125) < 0.005)
        #expect(out.allSatisfy { abs($0) <= 1 })
    }

    /// A −20 dBFS sine at 16 bits with TPDF dither: signal power over noise power 1/4 LSB² gives
    /// 6.02·16 + 1.76 − 20 − 4.77 ≈ 73.3 dB (the 4.77 dB is the cost of TPDF's tripled noise).
    @Test func sixteenBitSineAtMinus20dBFSHasTheExpectedSNR() {
        let n = 96_000
        let input = (0..<n).map { Float(0.1 * sin(2 * Double.pi * 997 * Double($0) / 48_000)) }
        var q = Quantizer(bitDepth: .int16)
        let out = Self.run(&q, input, blocks: [4096], simd: true)
        var signal = 0.0, noise = 0.0
        for i in 0..<n {
            let x = Double(input[i]) * 32768
            signal += x * x
            noise += (Double(out[i]) - x) * (Double(out[i]) - x)
        }
        let snr = 10 * log10(signal / noise)
        let expected = 10 * log10(pow(0.1 * 32768, 2) / 2 / 0.25)
        #expect(abs(snr - expected) < 0.3)
        #expect(abs(expected - 73.3) < 0.1)
    }

    @Test func int16OutputMatchesInt32OutputWithStride() {
        let input = Self.signal(1001)
        var a = Quantizer(bitDepth: .int16, seed: 5), b = Quantizer(bitDepth: .int16, seed: 5)
        let wide = Self.run(&a, input, blocks: [1001], simd: true)
        var narrow = [Int16](repeating: 0, count: 2002)
        input.withUnsafeBufferPointer { src in
            narrow.withUnsafeMutableBufferPointer { b.quantize(src, into: $0.baseAddress! + 1, stride: 2) }
        }
        #expect(stride(from: 1, to: 2002, by: 2).map { Int32(narrow[$0]) } == wide)
        #expect(stride(from: 0, to: 2002, by: 2).allSatisfy { narrow[$0] == 0 })
    }
}
