import Foundation
import PodsmithKit

/// Waveform data for web players, in the JSON format of BBC audiowaveform (version 2).
///
/// Fields (audiowaveform `doc/DataFormat.md`): `version` 2; `channels` (1 here: the channels are mixed);
/// `sample_rate` of the audio, Hz; `samples_per_pixel`, audio frames summarised by each point;
/// `bits`, 8 or 16, the resolution of the values; `length`, the number of points (min/max pairs per
/// channel); `data`, for each point and each channel a minimum then a maximum, interleaved
/// (`data[(i * channels + c) * 2]` is point i's minimum of channel c, `+ 1` its maximum), as signed
/// integers of `bits` bits. Players such as waveform-data.js / Peaks.js read it directly.
public struct WaveformData: Codable, Sendable, Equatable {
    public var version: Int
    public var channels: Int
    public var sampleRate: Int
    public var samplesPerPixel: Int
    public var bits: Int
    public var length: Int
    public var data: [Int]

    enum CodingKeys: String, CodingKey {
        case version, channels, bits, length, data
        case sampleRate = "sample_rate"
        case samplesPerPixel = "samples_per_pixel"
    }

    public init(
        version: Int = 2, channels: Int = 1, sampleRate: Int, samplesPerPixel: Int, bits: Int,
        length: Int, data: [Int]
    ) {
        self.version = version
        self.channels = channels
        self.sampleRate = sampleRate
        self.samplesPerPixel = samplesPerPixel
        self.bits = bits
        self.length = length
        self.data = data
    }

    /// Compact JSON (the file is read by machines; a 90-minute episode at the default resolution is
    /// 54,000 points, about 400 kB).
    public func jsonData() throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return try encoder.encode(self)
    }
}

/// Options for ``WaveformBuilder``.
public struct WaveformOptions: Sendable, Equatable {
    /// Points per second of audio when ``samplesPerPixel`` is not set. Default 10: enough to draw a
    /// 90-minute episode on any screen width (54,000 points; players resample down), where
    /// audiowaveform's own default of 256 frames per point would give 930,000 points at 44.1 kHz.
    public var pointsPerSecond: Double
    /// Frames per point; overrides ``pointsPerSecond`` when set.
    public var samplesPerPixel: Int?
    /// Value resolution: 8 (default; −128…127, what browsers draw anyway) or 16 (−32768…32767).
    public var bits: Int

    public init(pointsPerSecond: Double = 10, samplesPerPixel: Int? = nil, bits: Int = 8) {
        precondition(bits == 8 || bits == 16, "waveform bits must be 8 or 16")
        precondition(pointsPerSecond > 0 && (samplesPerPixel ?? 1) >= 1)
        self.pointsPerSecond = pointsPerSecond
        self.samplesPerPixel = samplesPerPixel
        self.bits = bits
    }

    /// Frames per point at `sampleRate`.
    public func framesPerPoint(sampleRate: Double) -> Int {
        samplesPerPixel ?? max(1, Int((sampleRate / pointsPerSecond).rounded()))
    }
}

/// Streaming waveform accumulator: feed it blocks, get audiowaveform JSON at the end.
///
/// Each frame is mixed to mono as the mean of its channels (a single `channels: 1` waveform, as
/// audiowaveform writes without `--split-channels`), and each run of ``samplesPerPixel`` frames is
/// reduced to its minimum and maximum. Memory grows with the number of points only (two `Int16` per
/// point); the mixing scratch is allocated once, at the size of the largest block seen.
public final class WaveformBuilder {
    /// Frames per point.
    public let samplesPerPixel: Int
    public let sampleRate: Double
    public let bits: Int

    private var points: [Int16] = []
    private var runMin = Float.infinity
    private var runMax = -Float.infinity
    private var runFrames = 0
    private var scratch: UnsafeMutablePointer<Float>?
    private var scratchCapacity = 0

    public init(sampleRate: Double, options: WaveformOptions = WaveformOptions()) {
        self.sampleRate = sampleRate
        self.samplesPerPixel = options.framesPerPoint(sampleRate: sampleRate)
        self.bits = options.bits
    }

    deinit { scratch?.deallocate() }

    /// Adds the buffer's `frameCount` frames.
    public func process(_ buffer: AudioBuffer) {
        let n = buffer.frameCount
        guard n > 0 else { return }
        let mono: UnsafePointer<Float>
        if buffer.channelCount == 1 {
            mono = UnsafePointer(buffer.baseAddress(ofChannel: 0))
        } else {
            mono = UnsafePointer(mixToMono(buffer))
        }
        var offset = 0
        while offset < n {
            let take = min(samplesPerPixel - runFrames, n - offset)
            let (lo, hi) = WaveformKernels.minMax(mono + offset, count: take)
            runMin = min(runMin, lo)
            runMax = max(runMax, hi)
            runFrames += take
            offset += take
            if runFrames == samplesPerPixel { emitPoint() }
        }
    }

    /// The waveform so far, including a last, partial point. Call once, after the last block.
    public func finish() -> WaveformData {
        if runFrames > 0 { emitPoint() }
        return WaveformData(
            sampleRate: Int(sampleRate.rounded()), samplesPerPixel: samplesPerPixel,
            bits: bits, length: points.count / 2, data: points.map(Int.init))
    }

    private func emitPoint() {
        // A run of NaNs only leaves min/max at ±∞: draw it as silence.
        let lo = runMin.isFinite ? runMin : 0
        let hi = runMax.isFinite ? runMax : 0
        points.append(quantize(lo))
        points.append(quantize(hi))
        runMin = .infinity
        runMax = -.infinity
        runFrames = 0
    }

    /// Full scale ±1.0 maps to the signed range of `bits` bits; values beyond full scale clip.
    private func quantize(_ x: Float) -> Int16 {
        let scale: Float = bits == 8 ? 128 : 32768
        let top: Float = scale - 1
        return Int16(max(-scale, min(top, (x * scale).rounded())))
    }

    private func mixToMono(_ buffer: AudioBuffer) -> UnsafeMutablePointer<Float> {
        let n = buffer.frameCount
        if scratchCapacity < n {
            scratch?.deallocate()
            scratch = .allocate(capacity: n)
            scratchCapacity = n
        }
        let out = scratch!
        let first = buffer.baseAddress(ofChannel: 0)
        out.update(from: first, count: n)
        for c in 1..<buffer.channelCount {
            let plane = buffer.baseAddress(ofChannel: c)
            for i in 0..<n { out[i] += plane[i] }
        }
        let scale = 1 / Float(buffer.channelCount)
        for i in 0..<n { out[i] *= scale }
        return out
    }
}

/// Min/max reductions for ``WaveformBuilder``.
enum WaveformKernels {
    /// Smallest and largest value of `count` floats (NaNs ignored; `(+∞, −∞)` when none is a number).
    ///
    /// Eight lanes with compare-and-blend (`replacing(with:where:)`): `pointwiseMin`/`Max` compile lane
    /// by lane with NaN branches here (ENGINEERING-NOTES, "Swift SIMD traps").
    @inline(__always)
    static func minMax(_ p: UnsafePointer<Float>, count: Int) -> (Float, Float) {
        var lo = SIMD8<Float>(repeating: .infinity)
        var hi = SIMD8<Float>(repeating: -.infinity)
        var i = 0
        let raw = UnsafeRawPointer(p)
        while i + 8 <= count {
            let v = raw.loadUnaligned(fromByteOffset: i * 4, as: SIMD8<Float>.self)
            lo.replace(with: v, where: v .< lo)
            hi.replace(with: v, where: v .> hi)
            i += 8
        }
        var l = lo.min()
        var h = hi.max()
        while i < count {
            let v = p[i]
            if v < l { l = v }
            if v > h { h = v }
            i += 1
        }
        return (l, h)
    }

    /// Scalar twin of ``minMax(_:count:)``, the reference in tests.
    static func minMaxScalar(_ p: UnsafePointer<Float>, count: Int) -> (Float, Float) {
        var l = Float.infinity
        var h = -Float.infinity
        for i in 0..<count {
            if p[i] < l { l = p[i] }
            if p[i] > h { h = p[i] }
        }
        return (l, h)
    }
}
