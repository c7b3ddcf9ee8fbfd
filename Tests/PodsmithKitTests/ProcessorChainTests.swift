import PodsmithTestSupport
import Testing

@testable import PodsmithCodecs
@testable import PodsmithCore
@testable import PodsmithKit

/// `ProcessorChain`: stages run in the order given, `nil` stages are left out, and a stage's tail
/// at `finish` goes through every later stage.
@Suite struct ProcessorChainTests {
    /// Adds a constant to every sample (so that, with a gain, the order of stages shows in the output).
    final class Offset: AudioProcessor {
        let amount: Float
        let output: AudioBuffer
        init(_ amount: Float, channelCount: Int, capacity: Int) {
            self.amount = amount
            output = AudioBuffer(channelCount: channelCount, capacity: capacity)
        }
        func process(_ input: AudioBuffer, emit: (AudioBuffer) throws -> Void) throws {
            for c in 0..<input.channelCount {
                for i in 0..<input.frameCount {
                    output.baseAddress(ofChannel: c)[i] = input.baseAddress(ofChannel: c)[i] + amount
                }
            }
            output.frameCount = input.frameCount
            try emit(output)
        }
        func finish(emit: (AudioBuffer) throws -> Void) throws {}
    }

    /// Delays the stream by `frames` frames: holds the last `frames` of what it got, emits them at
    /// `finish` (a stand-in for a look-ahead limiter or a filter tail).
    final class Delay: AudioProcessor {
        let frames: Int
        private var held: [[Float]]
        private let output: AudioBuffer
        init(frames: Int, channelCount: Int, capacity: Int) {
            self.frames = frames
            held = [[Float]](repeating: [], count: channelCount)
            output = AudioBuffer(channelCount: channelCount, capacity: capacity + frames)
        }
        func process(_ input: AudioBuffer, emit: (AudioBuffer) throws -> Void) throws {
            for c in held.indices {
                held[c] += UnsafeBufferPointer(start: input.baseAddress(ofChannel: c), count: input.frameCount)
            }
            let ready = max(0, held[0].count - frames)
            guard ready > 0 else { return }
            try send(ready, emit: emit)
        }
        func finish(emit: (AudioBuffer) throws -> Void) throws {
            if !held[0].isEmpty { try send(held[0].count, emit: emit) }
        }
        private func send(_ count: Int, emit: (AudioBuffer) throws -> Void) throws {
            for c in held.indices {
                for i in 0..<count { output.baseAddress(ofChannel: c)[i] = held[c][i] }
                held[c].removeFirst(count)
            }
            output.frameCount = count
            try emit(output)
        }
    }

    /// Feeds `planes` to `processor` in blocks of `blockFrames` and collects what it emits, in as
    /// many channels as it emits.
    static func run(_ processor: some AudioProcessor, _ planes: [[Float]], blockFrames: Int) throws -> [[Float]] {
        let source = ArraySource(planes: planes, sampleRate: 48_000)
        let buffer = AudioBuffer(channelCount: planes.count, capacity: blockFrames)
        var out: [[Float]] = []
        func collect(_ block: AudioBuffer) {
            if out.isEmpty { out = [[Float]](repeating: [], count: block.channelCount) }
            for c in out.indices {
                out[c] += UnsafeBufferPointer(start: block.baseAddress(ofChannel: c), count: block.frameCount)
            }
        }
        while try source.read(into: buffer) > 0 { try processor.process(buffer, emit: collect) }
        try processor.finish(emit: collect)
        return out
    }

    static let ramp: [[Float]] = [(0..<1_000).map { Float($0) / 1_000 }, (0..<1_000).map { -Float($0) / 1_000 }]

    @Test func stagesRunInTheOrderGivenAndNilStagesAreLeftOut() throws {
        let chain = ProcessorChain([
            Offset(1, channelCount: 2, capacity: 256), nil,
            GainStage(linearGain: 2, channelCount: 2), nil,
        ])
        #expect(chain.stages.count == 2)
        let out = try Self.run(chain, Self.ramp, blockFrames: 256)
        for c in 0..<2 {
            #expect(out[c] == Self.ramp[c].map { ($0 + 1) * 2 }, "offset first, then gain")
        }
    }

    @Test func aTailEmittedAtFinishGoesThroughTheLaterStages() throws {
        // 1,000 frames through a 300-frame delay in 256-frame blocks: 700 frames come out while
        // processing, the held 300 only at finish, and those too must be offset.
        let chain = ProcessorChain([
            Delay(frames: 300, channelCount: 2, capacity: 256),
            Offset(0.5, channelCount: 2, capacity: 556),
        ])
        let out = try Self.run(chain, Self.ramp, blockFrames: 256)
        for c in 0..<2 {
            #expect(out[c] == Self.ramp[c].map { $0 + 0.5 })
        }
    }

    @Test func anEmptyChainPassesBlocksThrough() throws {
        let out = try Self.run(ProcessorChain([nil]), Self.ramp, blockFrames: 100)
        #expect(out == Self.ramp)
    }

    /// The render's real stages, chained, give bit for bit what the same stages nested by hand give.
    @Test func chainedRenderStagesMatchTheStagesNestedByHand() throws {
        let planes = TestSignals.steppedNoise(
            levels: [(2, -20), (0.5, -3), (2, -24)], channels: 2,
            sampleRate: 44_100)
        func stages() throws -> (ChannelMixer, Resampler, GainStage, TruePeakLimiter) {
            (
                try ChannelMixer(inputChannels: 2, outputChannels: 1),
                try Resampler(inputRate: 44_100, outputRate: 48_000, channelCount: 1),
                GainStage(gainDB: 6, channelCount: 1),
                TruePeakLimiter(sampleRate: 48_000, channelCount: 1)
            )
        }
        let (mixer, resampler, gain, limiter) = try stages()
        let chained = try Self.run(ProcessorChain([mixer, resampler, gain, limiter]), planes, blockFrames: 4_096)
        #expect(limiter.statistics.maxReductionDB > 0, "the signal must make the limiter act")

        let (m, r, g, l) = try stages()
        var byHand: [Float] = []
        func collect(_ block: AudioBuffer) {
            byHand += UnsafeBufferPointer(start: block.baseAddress(ofChannel: 0), count: block.frameCount)
        }
        func limit(_ block: AudioBuffer) throws { try g.process(block) { try l.process($0, emit: collect) } }
        func resample(_ block: AudioBuffer) throws { try r.process(block, emit: limit) }
        let source = ArraySource(planes: planes, sampleRate: 44_100)
        let buffer = AudioBuffer(channelCount: 2, capacity: 4_096)
        while try source.read(into: buffer) > 0 { try m.process(buffer, emit: resample) }
        try m.finish(emit: resample)
        try r.finish(emit: limit)
        try l.finish(emit: collect)

        #expect(!byHand.isEmpty)
        #expect(chained == [byHand])
    }
}
