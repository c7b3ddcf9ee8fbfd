import Foundation

/// A stretch of input that the ``SilenceDetector`` found silent, in input frames.
public struct SilentRun: Sendable, Equatable {
    /// First silent frame.
    public var startFrame: Int64
    /// One past the last silent frame.
    public var endFrame: Int64

    public init(startFrame: Int64, endFrame: Int64) {
        self.startFrame = startFrame
        self.endFrame = endFrame
    }

    /// Length in frames.
    public var frameCount: Int64 { endFrame - startFrame }
}

/// Where the silence is in a stream: what the analysis pass hands to ``EditPlan``.
public struct SilenceMap: Sendable, Equatable {
    /// Silent runs, in order, not overlapping, each at least the minimum silence long.
    public var runs: [SilentRun]
    /// Frames analysed.
    public var frameCount: Int64
    /// Frames per second of the analysed stream.
    public var sampleRate: Double
    /// Frames per analysis window (edges are multiples of this, or the end of the stream).
    public var windowFrames: Int

    public init(runs: [SilentRun], frameCount: Int64, sampleRate: Double, windowFrames: Int) {
        self.runs = runs
        self.frameCount = frameCount
        self.sampleRate = sampleRate
        self.windowFrames = windowFrames
    }
}

/// Maps silence while the analysis pass streams the input: 10 ms windows, RMS of the loudest channel,
/// compared with a fixed threshold.
///
/// A window is silent when every channel's RMS is under ``SilenceOptions/thresholdDBFS``; taking the
/// loudest channel keeps a host who is alone on one channel of a two-mic recording from being
/// trimmed. Consecutive silent windows form a run; runs shorter than
/// ``SilenceOptions/minimumSilenceSeconds`` are dropped on the spot. Memory is one accumulator per
/// channel plus the list of runs, so it grows with the number of pauses, not with the length.
public final class SilenceDetector {
    public let options: SilenceOptions
    public let sampleRate: Double
    public let channelCount: Int
    /// Frames per analysis window.
    public let windowFrames: Int

    private let thresholdMeanSquare: Double
    private let minimumFrames: Int64
    private var sums: [Double]
    private var windowFill = 0
    private var framesSeen: Int64 = 0
    private var openRunStart: Int64?
    private var runs: [SilentRun] = []

    public init(options: SilenceOptions = SilenceOptions(), sampleRate: Double, channelCount: Int) {
        precondition(sampleRate > 0 && channelCount >= 1)
        self.options = options
        self.sampleRate = sampleRate
        self.channelCount = channelCount
        windowFrames = max(1, Int((options.windowSeconds * sampleRate).rounded()))
        let amplitude = pow(10, options.thresholdDBFS / 20)
        thresholdMeanSquare = amplitude * amplitude
        minimumFrames = Int64((options.minimumSilenceSeconds * sampleRate).rounded())
        sums = [Double](repeating: 0, count: channelCount)
    }

    /// Adds the buffer's frames.
    public func process(_ buffer: AudioBuffer) {
        precondition(buffer.channelCount == channelCount)
        var offset = 0
        while offset < buffer.frameCount {
            let n = min(windowFrames - windowFill, buffer.frameCount - offset)
            for c in 0..<channelCount {
                sums[c] += Double(Self.sumOfSquares(buffer.baseAddress(ofChannel: c) + offset, count: n))
            }
            windowFill += n
            offset += n
            if windowFill == windowFrames { closeWindow() }
        }
    }

    /// The silence map of everything added; the detector can not be fed afterwards.
    public func finish() -> SilenceMap {
        if windowFill > 0 { closeWindow() }
        if let start = openRunStart {
            appendRun(SilentRun(startFrame: start, endFrame: framesSeen))
            openRunStart = nil
        }
        return SilenceMap(runs: runs, frameCount: framesSeen, sampleRate: sampleRate, windowFrames: windowFrames)
    }

    private func closeWindow() {
        let windowStart = framesSeen
        framesSeen += Int64(windowFill)
        var loudest = 0.0
        for c in 0..<channelCount {
            loudest = max(loudest, sums[c] / Double(windowFill))
            sums[c] = 0
        }
        windowFill = 0
        if loudest < thresholdMeanSquare {
            if openRunStart == nil { openRunStart = windowStart }
        } else if let start = openRunStart {
            appendRun(SilentRun(startFrame: start, endFrame: windowStart))
            openRunStart = nil
        }
    }

    private func appendRun(_ run: SilentRun) {
        // A run at the very start or end is kept whatever its length: it is head or tail silence.
        if run.frameCount >= minimumFrames || run.startFrame == 0 || run.endFrame == framesSeen {
            runs.append(run)
        }
    }

    /// Σx² over `count` samples (SIMD8 lanes, scalar tail).
    static func sumOfSquares(_ p: UnsafePointer<Float>, count: Int) -> Float {
        var acc = SIMD8<Float>(repeating: 0)
        var i = 0
        let raw = UnsafeRawPointer(p)
        while i + 8 <= count {
            let v = raw.loadUnaligned(fromByteOffset: i * 4, as: SIMD8<Float>.self)
            acc += v * v
            i += 8
        }
        var sum = acc.sum()
        while i < count {
            sum += p[i] * p[i]
            i += 1
        }
        return sum
    }
}
