import Foundation
import PodsmithTestSupport
import Testing

@testable import PodsmithCodecs
@testable import PodsmithCore
@testable import PodsmithKit

/// The embedding entry point: a host analyses any seekable source and renders into any sink,
/// wholly in memory, and the audio it gets lands on the target under the ceiling.
@Suite struct NormalizerEmbeddingTests {
    /// A host's sink: keeps every sample it is given.
    final class MemorySink: AudioSink {
        private(set) var planes: [[Float]]
        private(set) var finishCount = 0
        init(channelCount: Int) { planes = [[Float]](repeating: [], count: channelCount) }
        func write(_ buffer: AudioBuffer) throws {
            for c in planes.indices {
                planes[c] += UnsafeBufferPointer(start: buffer.baseAddress(ofChannel: c), count: buffer.frameCount)
            }
        }
        func finish() throws { finishCount += 1 }
    }

    /// Speech-like stereo at about −33 LUFS with a 5 ms, −12 dBFS tone burst every second: brought
    /// to the target, the bursts cross the ceiling, so the limiter acts and the gain needs its
    /// calibration for what the limiter takes away.
    static func programme(seconds: Int = 12, sampleRate: Double) -> [[Float]] {
        var planes = NormalizerTests.speechLike(
            seconds: Double(seconds), sampleRate: sampleRate, channels: 2,
            levelDB: -30)
        let burst = TestSignals.sine(
            frequency: 2_000, amplitude: TestSignals.amplitude(dBFS: -12), seconds: 0.005,
            sampleRate: sampleRate)
        for second in 1..<seconds - 2 {
            let start = Int((Double(second) + 0.37) * sampleRate)
            for c in planes.indices {
                for (i, x) in burst.enumerated() { planes[c][start + i] += x }
            }
        }
        return planes
    }

    @Test(arguments: [RenderThreading.pipelined, .singleThread])
    func aHostNormalizesWhollyInMemory(threading: RenderThreading) throws {
        // Stereo 44.1 kHz in, mono 48 kHz out: the render trims, downmixes, resamples, gains and limits.
        let options = NormalizeOptions(
            channels: .mono, encoder: EncoderSettings(format: .wav, sampleRate: 48_000),
            threading: threading)
        let normalizer = Normalizer(options: options)
        let source = ArraySource(planes: Self.programme(sampleRate: 44_100), sampleRate: 44_100, name: "generated")
        let plan = try normalizer.analyse(source)
        #expect(plan.outputChannels == 1 && plan.outputSampleRate == 48_000)
        #expect(plan.edit.headTrimFrames > 0, "the leading second of silence is trimmed")

        let sink = MemorySink(channelCount: plan.outputChannels)
        let result = try normalizer.render(plan: plan, from: source, into: sink)
        #expect(sink.finishCount == 1)
        #expect(result.limiter.maxReductionDB > 1, "the bursts must make the limiter act")
        let expectedFrames = Double(plan.edit.outputFrameCount) * 48_000 / 44_100
        #expect(abs(Double(sink.planes[0].count) - expectedFrames) < 2)

        let measured = Measure.podsmith(sink.planes, sampleRate: plan.outputSampleRate)
        let level = try #require(measured.integratedLUFS)
        #expect(abs(level - plan.measuredTargetLUFS) <= 0.2)
        #expect(try #require(measured.truePeakDBTP) <= options.target.truePeakDBTP)
    }

    @Test func renderingAgainFromTheSameSourceGivesTheSameSamples() throws {
        let options = NormalizeOptions(encoder: EncoderSettings(format: .flac), threading: .singleThread)
        let normalizer = Normalizer(options: options)
        let source = ArraySource(planes: Self.programme(seconds: 6, sampleRate: 48_000), sampleRate: 48_000)
        let plan = try normalizer.analyse(source)
        let first = MemorySink(channelCount: 2), second = MemorySink(channelCount: 2)
        let a = try normalizer.render(plan: plan, from: source, into: first)
        let b = try normalizer.render(plan: plan, from: source, into: second)
        #expect(!first.planes[0].isEmpty)
        #expect(first.planes == second.planes, "each render reads the source from its start")
        #expect(a.gainDB == b.gainDB)
    }
}
