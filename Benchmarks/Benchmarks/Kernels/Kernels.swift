// The hot kernels, one benchmark each, on a deterministic podcast-like programme (ProgrammeSignal).
// Every benchmark processes 1,000,000 stereo frames per iteration (scalingFactor .mega), so
// `.throughput` reads in audio frames per second and the time metrics in time per frame. Signals,
// filters, coefficient tables and buffers are made in each benchmark's setup, outside the measured
// region; what the measured loop allocates is held to its committed count (mallocCountTotal, Thresholds/).
//
// Names have no spaces: benchmark 1.38.1 writes a threshold file with spaces turned into
// underscores but looks it up by the name as it is, so a name with a space never finds its file.

import Benchmark
import BenchmarkSignals
import PodsmithCodecs
@_spi(Kernels) import PodsmithCore

/// Frames handed to a kernel per call: the block size the pipeline reads.
let blockFrames = 16_384

/// The programme as one contiguous stereo region with `history` readable frames before it (the
/// true-peak kernel reads its filter history there).
final class PaddedProgramme: @unchecked Sendable {
    let history: Int
    let left: UnsafeMutablePointer<Float>
    let right: UnsafeMutablePointer<Float>
    let frameCount: Int

    init(_ signal: ProgrammeSignal, history: Int = 64) {
        self.history = history
        frameCount = signal.planes[0].count
        left = .allocate(capacity: history + frameCount)
        right = .allocate(capacity: history + frameCount)
        left.initialize(repeating: 0, count: history)
        right.initialize(repeating: 0, count: history)
        (left + history).initialize(from: signal.planes[0], count: frameCount)
        (right + history).initialize(from: signal.planes[1], count: frameCount)
    }

    var leftStart: UnsafeMutablePointer<Float> { left + history }
    var rightStart: UnsafeMutablePointer<Float> { right + history }

    deinit {
        left.deallocate()
        right.deallocate()
    }
}

/// Calls `body(start, count)` over the programme in blocks, until `frames` frames are done.
@inline(__always)
func forEachBlock(frames: Int, _ body: (Int, Int) -> Void) {
    var start = 0
    while start < frames {
        let count = min(blockFrames, frames - start)
        body(start, count)
        start += count
    }
}

/// Tolerances against the committed static thresholds (Thresholds/). The machine the thresholds
/// come from is shared by several builds at once (load 8–15 on 2 cores), so throughput swings by a
/// factor of 4 from run to run: it is held only to catching a collapse (a SIMD path falling back to
/// scalar is 10–30× slower). Allocations are deterministic and held tightly: 16 mallocs an iteration
/// either way, fewer than one per block (an iteration is 62 blocks of 16,384 frames), so a change that
/// allocates once per block fails, and so does one that allocates much less than the committed count
/// (stale thresholds). (Gating's iteration is 36,000 block energies, and it makes 2 mallocs per energy
/// today, 72,000: the generic `some Collection<Double>` call, not specialized across the module.) CI checks the allocation counts only (scripts/check-benchmark-allocations.sh,
/// which also rewrites them: `--update`). (Retired instructions would be the load-independent measure,
/// but benchmark 1.38.1 records none here.) On a quiet machine, regenerate the throughput thresholds
/// and tighten them.
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
        maxDuration: .seconds(2),
        maxIterations: iterationLimit(200),
        thresholds: tolerances())

    // MARK: K-weighting (BS.1770-4 §2.1: pre-filter + RLB high-pass)
    // The serial kernel: both channels in SIMD2 lanes (what a short buffer or partial step gets).
    Benchmark("KWeighting.simdPair.stereo") { benchmark, programme in
        let filter = KWeightingFilter(sampleRate: ProgrammeSignal.sampleRate)
        var state = KWeightingPairState()
        var sum = SIMD2<Double>()
        forEachBlock(frames: benchmark.scaledIterations.count) { start, count in
            sum += KWeightingKernel.simdPair(
                programme.leftStart + start, programme.rightStart + start, count: count,
                filter: filter, state: &state)
        }
        blackHole(sum)
    } setup: {
        PaddedProgramme(ProgrammeSignal())
    }

    // K-weighting as the meter runs it on a long buffer (LoudnessBlocks): two time chunks × L/R,
    // four independent chains in SIMD4<Double> lanes. The programme's two halves are the chunks.
    Benchmark("KWeighting.simdQuad.stereoTwoChunks") { benchmark, programme in
        let filter = KWeightingFilter(sampleRate: ProgrammeSignal.sampleRate)
        var state = KWeightingQuadState()
        var sum = SIMD4<Double>()
        let half = benchmark.scaledIterations.count / 2
        forEachBlock(frames: half) { start, count in
            sum += KWeightingKernel.simdQuad(
                programme.leftStart + start, programme.rightStart + start,
                programme.leftStart + half + start, programme.rightStart + half + start, count: count,
                filter: filter, state: &state)
        }
        blackHole(sum)
    } setup: {
        PaddedProgramme(ProgrammeSignal())
    }

    // The whole loudness half (K-weighting, 100 ms steps, gating and short-term blocks) fed the
    // buffers `measure` feeds it: whole spans of 100 ms steps (3 s of stereo), so every step goes
    // through the time-chunked lanes, 200 ms warm-up per chunk included.
    Benchmark("LoudnessBlocks.chunkedSpans.stereo") { benchmark, blocks in
        let format = AudioFormat(sampleRate: ProgrammeSignal.sampleRate, channelCount: 2)
        let meter = LoudnessMeter(format: format, options: LoudnessMeterOptions(measuresTruePeak: false))
        for block in blocks { meter.processLoudness(block) }
        blackHole(meter.result())
    } setup: { () -> [AudioBuffer] in
        let format = AudioFormat(sampleRate: ProgrammeSignal.sampleRate, channelCount: 2)
        return ProgrammeSignal().blocks(of: LoudnessMeter(format: format).preferredBlockFrames)
    }

    Benchmark("KWeighting.scalarTwin.stereo") { benchmark, programme in
        let filter = KWeightingFilter(sampleRate: ProgrammeSignal.sampleRate)
        var left = KWeightingChannelState(), right = KWeightingChannelState()
        var sum = 0.0
        forEachBlock(frames: benchmark.scaledIterations.count) { start, count in
            sum += KWeightingKernel.scalar(programme.leftStart + start, count: count, filter: filter, state: &left)
            sum += KWeightingKernel.scalar(programme.rightStart + start, count: count, filter: filter, state: &right)
        }
        blackHole(sum)
    } setup: {
        PaddedProgramme(ProgrammeSignal())
    }

    // MARK: True peak (BS.1770-4 Annex 2: 4× oversampling at 44.1 kHz), every block, no skipping
    Benchmark("TruePeakFIR.simd.stereo") { benchmark, setup in
        let (programme, oversampler) = setup
        var peak: Float = 0
        oversampler.coefficients.withUnsafeBufferPointer { c in
            forEachBlock(frames: benchmark.scaledIterations.count) { start, count in
                for channel in 0..<2 {
                    let x = (channel == 0 ? programme.leftStart : programme.rightStart) + start
                    peak = max(
                        peak,
                        TruePeakKernel.simd(
                            x, count: count, coefficients: c.baseAddress!,
                            phaseCount: oversampler.factor, tapsPerPhase: oversampler.tapsPerPhase))
                }
            }
        }
        blackHole(peak)
    } setup: {
        (PaddedProgramme(ProgrammeSignal()), Oversampler(sampleRate: ProgrammeSignal.sampleRate))
    }

    Benchmark("TruePeakFIR.scalarTwin.stereo") { benchmark, setup in
        let (programme, oversampler) = setup
        var peak: Float = 0
        oversampler.coefficients.withUnsafeBufferPointer { c in
            forEachBlock(frames: benchmark.scaledIterations.count) { start, count in
                for channel in 0..<2 {
                    let x = (channel == 0 ? programme.leftStart : programme.rightStart) + start
                    peak = max(
                        peak,
                        TruePeakKernel.scalar(
                            x, count: count, coefficients: c.baseAddress!,
                            phaseCount: oversampler.factor, tapsPerPhase: oversampler.tapsPerPhase))
                }
            }
        }
        blackHole(peak)
    } setup: {
        (PaddedProgramme(ProgrammeSignal()), Oversampler(sampleRate: ProgrammeSignal.sampleRate))
    }

    // The meter as the analysis uses it: sample peak per run, FIR only where the bound says a
    // block could raise the running true peak. A fresh meter per iteration, so the skip does not
    // get easier as the running peak grows.
    Benchmark("TruePeakMeter.blockSkip.stereo") { benchmark, blocks in
        let meter = TruePeakMeter(format: AudioFormat(sampleRate: ProgrammeSignal.sampleRate, channelCount: 2))
        for block in blocks { meter.process(block) }
        blackHole(meter.truePeak)
    } setup: {
        ProgrammeSignal().blocks(of: blockFrames)
    }

    // MARK: Gating (BS.1770-4 §2.8: absolute −70 LUFS gate, then relative −10 LU gate)
    // One iteration gates one hour's 400 ms blocks (36,000 at a 100 ms hop): throughput here is in
    // hours of programme per second, not frames.
    Benchmark(
        "Gating.oneHourOfBlocks",
        configuration: .init(
            metrics: [.throughput, .mallocCountTotal], warmupIterations: 1,
            scalingFactor: .one, maxDuration: .seconds(2), maxIterations: iterationLimit(1000),
            thresholds: tolerances())
    ) { benchmark, energies in
        for _ in benchmark.scaledIterations {
            blackHole(Gating.integratedLoudness(blockEnergies: energies))
        }
    } setup: {
        // a podcast-like spread of block loudness: speech around −20 LUFS, pauses near −60
        (0..<36_000).map { i -> Double in
            let lufs = i % 40 >= 34 ? -62.0 : -20.0 + 6 * Double((i * 7919) % 97) / 97 - 3
            return Gating.energy(ofLoudness: lufs)
        }
    }

    // MARK: Look-ahead true-peak limiter, linked stereo; the programme driven 12 dB into it
    Benchmark("Limiter.12dBOver.stereo") { benchmark, blocks in
        let limiter = TruePeakLimiter(sampleRate: ProgrammeSignal.sampleRate, channelCount: 2)
        var frames = 0
        for block in blocks { try? limiter.process(block) { frames += $0.frameCount } }
        blackHole(frames)
    } setup: {
        ProgrammeSignal(gainDB: 12).blocks(of: blockFrames)
    }

    // MARK: Silence detector (10 ms RMS windows against −50 dBFS)
    Benchmark("SilenceDetector.stereo") { benchmark, blocks in
        let detector = SilenceDetector(sampleRate: ProgrammeSignal.sampleRate, channelCount: 2)
        for block in blocks { detector.process(block) }
        blackHole(detector.finish().runs.count)
    } setup: {
        ProgrammeSignal().blocks(of: blockFrames)
    }

    // MARK: Float → 16-bit with TPDF dither, written interleaved (stride 2) as WAV wants it
    Benchmark("Quantizer.int16TPDF.stereo") { benchmark, setup in
        let (programme, output) = setup
        var quantizer = Quantizer(bitDepth: .int16)
        forEachBlock(frames: benchmark.scaledIterations.count) { start, count in
            let out = output.baseAddress! + 2 * start
            quantizer.quantize(
                UnsafeBufferPointer(start: programme.leftStart + start, count: count),
                into: out, stride: 2)
            quantizer.quantize(
                UnsafeBufferPointer(start: programme.rightStart + start, count: count),
                into: out + 1, stride: 2)
        }
        blackHole(output[12_345])
    } setup: {
        (
            PaddedProgramme(ProgrammeSignal()),
            UnsafeMutableBufferPointer<Int16>.allocate(capacity: 2 * ProgrammeSignal.framesPerIteration)
        )
    }

    // MARK: Resampling 48 → 44.1 kHz (MP3 of a 48 kHz input, when 44.1 kHz is asked for)
    // Frames counted at the input rate.
    Benchmark("Resampler.48kTo44k1.stereo") { benchmark, blocks in
        guard let resampler = try? Resampler(inputRate: 48_000, outputRate: 44_100, channelCount: 2) else {
            fatalError("soxr refused 48 → 44.1 kHz")
        }
        var frames = 0
        for block in blocks { try? resampler.process(block) { frames += $0.frameCount } }
        try? resampler.finish { frames += $0.frameCount }
        blackHole(frames)
    } setup: {
        ProgrammeSignal().blocks(of: blockFrames)
    }
}
