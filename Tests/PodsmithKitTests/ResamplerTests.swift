import Foundation
import PodsmithTestSupport
import Testing

@testable import PodsmithCodecs
@testable import PodsmithCore
@testable import PodsmithKit
@testable import PodsmithSeason

@Suite struct ResamplerTests {
    @Test func resamplerKeepsFrequencyAndLevelFrom8kTo44k1() throws {
        let x = TestSignals.sine(frequency: 1_000, amplitude: 0.5, sampleRate: 8_000, frames: 8_000)
        let resampler = try Resampler(inputRate: 8_000, outputRate: 44_100, channelCount: 1)
        let output = try DSPTest.run(resampler, planes: [x], blockSizes: [512, 1_000])
        #expect(abs(output[0].count - 44_100) <= 1)
        // Away from the start and end transients: 400 periods of 44.1 samples.
        let steady = output[0][8_820..<(8_820 + 17_640)]
        let amplitude = DSPTest.goertzelAmplitude(steady, frequency: 1_000, sampleRate: 44_100)
        #expect(abs(DSPTest.decibels(amplitude / 0.5)) < 0.05, "level \(amplitude)")
        // Nearly all energy is at 1 kHz: the frequency is kept and nothing else is added.
        let thdN = DSPTest.thdPlusNoise(steady, frequency: 1_000, sampleRate: 44_100)
        #expect(thdN < 0.001, "THD+N \(thdN)")
        // The phase is kept too: no delay is left in the output.
        let reference = TestSignals.sine(frequency: 1_000, amplitude: 0.5, sampleRate: 44_100, frames: 44_100)
        let error = zip(steady, reference[8_820..<(8_820 + 17_640)]).map { abs($0 - $1) }.max()!
        #expect(error < 0.01, "largest difference from the ideal sine \(error)")
    }

    @Test func resamplerOutputLengthFrom48kTo44k1() throws {
        let frames = 3 * 48_000 + 17
        var noise = TestSignals.Noise(seed: 9)
        let left = (0..<frames).map { _ in 0.25 * noise.next() }
        let right = left.map { -$0 }
        let resampler = try Resampler(inputRate: 48_000, outputRate: 44_100, channelCount: 2)
        let output = try DSPTest.run(resampler, planes: [left, right], blockSizes: [4_096, 1, 999])
        let expected = (Double(frames) * 44_100 / 48_000).rounded()
        #expect(abs(Double(output[0].count) - expected) <= 1)
        #expect(output[1].count == output[0].count)
        #expect(resampler.expectedOutputFrames == Int64(expected))
        // Channels stay separate: the right channel is still the left one inverted.
        #expect(zip(output[0], output[1]).allSatisfy { abs($0 + $1) < 1e-6 })
    }

    @Test func resamplerHandlesBlocksThatProduceMoreThanOneOutputBuffer() throws {
        // 16 384 frames at 8 kHz become ~90 000 at 44.1 kHz: many output buffers per input block.
        let x = TestSignals.sine(frequency: 440, amplitude: 0.5, sampleRate: 8_000, frames: 40_000)
        let resampler = try Resampler(inputRate: 8_000, outputRate: 44_100, channelCount: 1)
        let output = try DSPTest.run(resampler, planes: [x], blockSizes: [16_384])
        #expect(abs(output[0].count - 220_500) <= 1)
        let reference = TestSignals.sine(frequency: 440, amplitude: 0.5, sampleRate: 44_100, frames: 220_500)
        let error = zip(output[0][1_000..<219_000], reference[1_000..<219_000]).map { abs($0 - $1) }.max()!
        #expect(error < 0.001, "largest difference from the ideal sine \(error)")
    }

    @Test func upsamplingAddsNoImagesAboveTheSourceNyquist() throws {
        // A 3.5 kHz tone at 8 kHz: a poor interpolator would add images at 4.5, 11.5, 12.5 kHz...
        let x = TestSignals.sine(frequency: 3_500, amplitude: 0.5, sampleRate: 8_000, frames: 8_000)
        let output = try DSPTest.run(
            try Resampler(inputRate: 8_000, outputRate: 44_100, channelCount: 1),
            planes: [x])
        let steady = output[0][8_820..<(8_820 + 17_640)]  // 1 400 periods of 12.6 samples
        for image in [4_500.0, 11_500, 12_500, 19_500] {
            let level = DSPTest.goertzelAmplitude(steady, frequency: image, sampleRate: 44_100) / 0.5
            #expect(DSPTest.decibels(level) < -90, "image at \(image) Hz: \(DSPTest.decibels(level)) dB")
        }
        let residual = DSPTest.thdPlusNoise(steady, frequency: 3_500, sampleRate: 44_100)
        #expect(DSPTest.decibels(residual) < -80, "everything but the tone: \(DSPTest.decibels(residual)) dB")
    }

    @Test func downsamplingRemovesContentAboveTheTargetNyquist() throws {
        // 23 kHz at 48 kHz cannot exist at 44.1 kHz; it must vanish, not fold back to 21.1 kHz.
        let x = TestSignals.sine(frequency: 23_000, amplitude: 0.5, sampleRate: 48_000, frames: 48_000)
        let output = try DSPTest.run(
            try Resampler(inputRate: 48_000, outputRate: 44_100, channelCount: 1),
            planes: [x])
        let steady = output[0][4_410..<39_690]
        let rms = sqrt(steady.reduce(0.0) { $0 + Double($1) * Double($1) } / Double(steady.count))
        #expect(DSPTest.decibels(rms / (0.5 / 2.0.squareRoot())) < -90)
    }

    @Test func veryHighQualityAlsoConverts() throws {
        let x = TestSignals.sine(frequency: 440, amplitude: 0.5, sampleRate: 44_100, frames: 44_100)
        let resampler = try Resampler(inputRate: 44_100, outputRate: 48_000, channelCount: 1, quality: .veryHigh)
        let output = try DSPTest.run(resampler, planes: [x])
        #expect(abs(output[0].count - 48_000) <= 1)
        let steady = output[0][12_000..<36_000]  // 220 periods of 109.09 samples: 24 000 = 220 × 109.09
        let amplitude = DSPTest.goertzelAmplitude(steady, frequency: 440, sampleRate: 48_000)
        #expect(abs(DSPTest.decibels(amplitude / 0.5)) < 0.05)
    }
}
