// Whole passes of `normalize`, without file I/O and without the MP3 encoder (LAME is measured by
// Benchmarks/compare against `lame` itself): the analysis pass (loudness, true peak, silence map),
// the two-thread `measure` path, and the render pass (cut and crossfade, gain, true-peak limiter,
// 16-bit TPDF dither). 1,000,000 input frames per iteration (scalingFactor .mega): `.throughput`
// reads in input audio frames per second. Signals, blocks and the edit plan are made in setup.

import Benchmark
import BenchmarkSignals
import PodsmithCodecs
import PodsmithCore

/// Frames per block, as the file reader delivers them.
let blockFrames = 16_384

/// What the render pass needs, made once: the programme's blocks, the edit plan its silence map
/// gives, the gain that brings it to −16 LUFS, and the output buffer.
final class RenderSetup: @unchecked Sendable {
    let blocks: [AudioBuffer]
    let plan: EditPlan
    let gainDB: Double
    let output: UnsafeMutableBufferPointer<Int16>

    init() {
        let signal = ProgrammeSignal()
        blocks = signal.blocks(of: blockFrames)
        let format = AudioFormat(sampleRate: ProgrammeSignal.sampleRate, channelCount: 2)
        let meter = LoudnessMeter(format: format)
        let detector = SilenceDetector(sampleRate: ProgrammeSignal.sampleRate, channelCount: 2)
        for block in blocks {
            meter.process(block)
            detector.process(block)
        }
        let silenceOptions = SilenceOptions(maxPauseSeconds: 0.4)  // shorten the 0.6 s pauses: real cuts
        plan = EditPlan(silence: detector.finish(), options: silenceOptions)
        gainDB = -16 - (meter.result().integratedLUFS ?? -20)
        output = .allocate(capacity: 2 * ProgrammeSignal.framesPerIteration)
    }
}

/// Tolerances: see Kernels.swift. The allocation counts are held as tightly as the kernels': 16 mallocs
/// an iteration, fewer than one per block (an iteration is 62 blocks). The two-thread measure path
/// allocated 78 and 80 in two runs, the other two passes the same count every run.
func tolerances() -> [BenchmarkMetric: BenchmarkThresholds] {
    [
        .throughput: .init(relative: [.p90: 85]),
        .mallocCountTotal: .init(absolute: [.p90: 16]),
    ]
}

let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(
        metrics: [.throughput, .mallocCountTotal],
        warmupIterations: 1,
        scalingFactor: .mega,
        maxDuration: .seconds(3),
        maxIterations: iterationLimit(100),
        thresholds: tolerances())

    // The analysis pass of `normalize` on one thread: BS.1770 loudness (with the 100 ms series LRA
    // needs), true peak and the silence map, block by block.
    Benchmark("AnalysisPass.oneThread") { benchmark, blocks in
        let format = AudioFormat(sampleRate: ProgrammeSignal.sampleRate, channelCount: 2)
        let meter = LoudnessMeter(format: format)
        let detector = SilenceDetector(sampleRate: ProgrammeSignal.sampleRate, channelCount: 2)
        for block in blocks {
            meter.process(block)
            detector.process(block)
        }
        blackHole(meter.result())
        blackHole(detector.finish())
    } setup: {
        ProgrammeSignal().blocks(of: blockFrames)
    }

    // `podsmith measure` without the decoder: LoudnessAnalysis with its loudness and peak workers
    // on two threads, reading from memory.
    Benchmark("Measure.twoThreads.fromMemory") { benchmark, planes in
        let source = ArraySource(planes: planes, sampleRate: ProgrammeSignal.sampleRate)
        blackHole(try? LoudnessAnalysis.measure(source, meter: .podsmith))
    } setup: {
        ProgrammeSignal().planes
    }

    // The render pass: cut and crossfade at the plan's edits, one gain, the look-ahead true-peak
    // limiter, then 16-bit TPDF dither into an interleaved buffer (what the WAV writer takes).
    Benchmark("RenderPass.editGainLimiterInt16") { benchmark, setup in
        let editor = EditRenderer(plan: setup.plan, channelCount: 2)
        let gain = GainStage(gainDB: setup.gainDB, channelCount: 2)
        let limiter = TruePeakLimiter(sampleRate: ProgrammeSignal.sampleRate, channelCount: 2)
        var quantizer = Quantizer(bitDepth: .int16)
        var written = 0
        let output = setup.output.baseAddress!
        func write(_ buffer: AudioBuffer) {
            let n = min(buffer.frameCount, ProgrammeSignal.framesPerIteration - written)
            for channel in 0..<2 {
                quantizer.quantize(
                    UnsafeBufferPointer(start: buffer.baseAddress(ofChannel: channel), count: n),
                    into: output + 2 * written + channel, stride: 2)
            }
            written += n
        }
        func limit(_ buffer: AudioBuffer) throws { try limiter.process(buffer, emit: write) }
        func amplify(_ buffer: AudioBuffer) throws { try gain.process(buffer, emit: limit) }
        do {
            for block in setup.blocks { try editor.process(block, emit: amplify) }
            try editor.finish(emit: amplify)
            try gain.finish(emit: limit)
            try limiter.finish(emit: write)
        } catch {
            fatalError("render failed: \(error)")
        }
        blackHole(written)
    } setup: {
        RenderSetup()
    }
}
