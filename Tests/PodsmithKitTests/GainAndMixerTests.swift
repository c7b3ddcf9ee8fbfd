import Foundation
import PodsmithTestSupport
import Testing

@testable import PodsmithCodecs
@testable import PodsmithCore
@testable import PodsmithKit
@testable import PodsmithSeason

@Suite struct GainAndMixerTests {
    @Test func gainStageScalesEverySampleLikeTheScalarReference() throws {
        var noise = TestSignals.Noise(seed: 21)
        let x = (0..<20_003).map { _ in noise.next() }
        let stage = GainStage(gainDB: -7.5, channelCount: 1)
        let output = try DSPTest.run(stage, planes: [x], blockSizes: [17_000, 5])
        var reference = [Float](repeating: 0, count: x.count)
        x.withUnsafeBufferPointer { src in
            reference.withUnsafeMutableBufferPointer { dst in
                GainStage.scaleReference(
                    src.baseAddress!, into: dst.baseAddress!, count: src.count,
                    by: stage.linearGain)
            }
        }
        #expect(DSPTest.firstMismatch(output[0], reference) == nil)
        #expect(abs(stage.gainDB + 7.5) < 1e-5)
        #expect(abs(Double(output[0][100] / x[100]) - pow(10, -7.5 / 20)) < 1e-6)
    }

    @Test func unityGainIsBitExact() throws {
        var noise = TestSignals.Noise(seed: 4)
        let x = (0..<1_001).map { _ in noise.next() }
        let output = try DSPTest.run(GainStage(gainDB: 0, channelCount: 2), planes: [x, x.reversed()])
        #expect(DSPTest.firstMismatch(output[0], x) == nil)
        #expect(DSPTest.firstMismatch(output[1], x.reversed()) == nil)
    }

    @Test func monoToStereoDuplicatesTheChannel() throws {
        let x = TestSignals.sine(frequency: 300, amplitude: 0.4, sampleRate: 48_000, frames: 5_000)
        let output = try DSPTest.run(try ChannelMixer(inputChannels: 1, outputChannels: 2), planes: [x])
        #expect(output.count == 2)
        #expect(DSPTest.firstMismatch(output[0], x) == nil)
        #expect(DSPTest.firstMismatch(output[1], x) == nil)
    }

    @Test func stereoToMonoAveragesAndDropsLoudnessBy3dBForCentredAnd6dBForUncorrelated() throws {
        let rate = 48_000.0
        var noise = TestSignals.Noise(seed: 8)
        let a = (0..<96_000).map { _ in 0.2 * noise.next() }
        let b = (0..<96_000).map { _ in 0.2 * noise.next() }
        let mixer = try ChannelMixer(inputChannels: 2, outputChannels: 1)
        let centred = try DSPTest.run(mixer, planes: [a, a])
        #expect(DSPTest.firstMismatch(centred[0], a) == nil, "(a + a) / 2 is a")
        let wide = try DSPTest.run(try ChannelMixer(inputChannels: 2, outputChannels: 1), planes: [a, b])
        #expect(wide[0][10] == (a[10] + b[10]) / 2)

        func loudness(_ planes: [[Float]]) throws -> Double {
            let meter = try ReferenceLoudnessMeter(format: AudioFormat(sampleRate: rate, channelCount: planes.count))
            let buffer = AudioBuffer(channelCount: planes.count, capacity: planes[0].count)
            buffer.fill(from: planes)
            meter.process(buffer)
            return meter.result().integratedLUFS!
        }
        let centredDrop = try loudness([a, a]) - loudness(centred)
        let wideDrop = try loudness([a, b]) - loudness(wide)
        #expect(abs(centredDrop - 3.01) < 0.1, "centred: \(centredDrop) dB")
        #expect(abs(wideDrop - 6.02) < 0.2, "uncorrelated: \(wideDrop) dB")
    }

    @Test func surroundDownmixUsesBS775Coefficients() throws {
        // One distinct unit pulse per channel (L R C LFE Ls Rs) at frames 0...5.
        var planes = [[Float]](repeating: [Float](repeating: 0, count: 6), count: 6)
        for c in 0..<6 { planes[c][c] = 1 }
        let stereo = try DSPTest.run(try ChannelMixer(inputChannels: 6, outputChannels: 2), planes: planes)
        let k = Float(0.70710678)
        let expectedLeft: [Float] = [1, 0, k, 0, k, 0]
        let expectedRight: [Float] = [0, 1, k, 0, 0, k]
        #expect(zip(stereo[0], expectedLeft).allSatisfy { abs($0 - $1) < 1e-6 })
        #expect(zip(stereo[1], expectedRight).allSatisfy { abs($0 - $1) < 1e-6 })
        let five = try DSPTest.run(
            try ChannelMixer(inputChannels: 5, outputChannels: 2),
            planes: Array(planes[0..<3] + planes[4..<6]).map { Array($0[0..<3] + $0[4..<6]) })
        #expect(zip(five[0], [1, 0, k, k, 0] as [Float]).allSatisfy { abs($0 - $1) < 1e-6 })
        let mono = try DSPTest.run(try ChannelMixer(inputChannels: 6, outputChannels: 1), planes: planes)
        #expect(zip(mono[0], [0.5, 0.5, k, 0, k / 2, k / 2] as [Float]).allSatisfy { abs($0 - $1) < 1e-6 })
    }

    @Test func mixerRefusesConversionsWithoutADefinedDownmix() {
        #expect(throws: PodsmithError.self) { try ChannelMixer(inputChannels: 4, outputChannels: 2) }
        #expect(throws: PodsmithError.self) { try ChannelMixer(inputChannels: 2, outputChannels: 6) }
    }

    @Test func mixerAccumulateMatchesScalarReference() {
        var noise = TestSignals.Noise(seed: 2)
        let src = (0..<1_037).map { _ in noise.next() }
        let start = (0..<1_037).map { _ in noise.next() }
        var fast = start, reference = start
        src.withUnsafeBufferPointer { s in
            fast.withUnsafeMutableBufferPointer {
                ChannelMixer.accumulate(s.baseAddress!, times: 0.7071, into: $0.baseAddress!, count: s.count)
            }
            reference.withUnsafeMutableBufferPointer {
                ChannelMixer.accumulateReference(s.baseAddress!, times: 0.7071, into: $0.baseAddress!, count: s.count)
            }
        }
        #expect(zip(fast, reference).allSatisfy { abs($0 - $1) <= 1e-6 })
    }
}
