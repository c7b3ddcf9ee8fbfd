import Foundation
import PodsmithCore

/// A deterministic, podcast-like stereo test programme for the benchmarks: band-limited noise
/// shaped into 4 Hz "syllables", a quieter second voice, and a 0.6 s pause of near-silence every
/// 4 s (so the silence detector and the gate have something to do), with rare loud peaks (so the
/// true-peak meter cannot skip every block and the limiter has work).
///
/// Generated in code, once, in each benchmark's setup (outside the measured region).
public struct ProgrammeSignal: Sendable {
    /// Frames in one benchmark iteration: the suites use `scalingFactor: .mega`, so one scaled
    /// iteration is one audio frame and `.throughput` reads in frames per second.
    public static let framesPerIteration = 1_000_000
    public static let sampleRate = 44_100.0

    /// Left and right planes, `framesPerIteration` frames each.
    public let planes: [[Float]]

    /// - Parameter gainDB: applied to the whole programme (e.g. +6 dB to drive the limiter).
    public init(frameCount: Int = ProgrammeSignal.framesPerIteration, gainDB: Float = 0, seed: UInt64 = 0x9E37_79B9) {
        var state = seed
        func uniform() -> Float {  // xorshift64*: repeatable on every machine
            state ^= state >> 12
            state ^= state << 25
            state ^= state >> 27
            return Float((state &* 0x2545_F491_4F6C_DD1D) >> 40) / Float(1 << 24) * 2 - 1
        }
        let gain = Float(pow(10, Double(gainDB) / 20))
        var left = [Float](repeating: 0, count: frameCount)
        var right = [Float](repeating: 0, count: frameCount)
        var lowL: Float = 0, lowR: Float = 0
        let rate = Float(Self.sampleRate)
        for n in 0..<frameCount {
            let t = Float(n) / rate
            let inPause = t.truncatingRemainder(dividingBy: 4) > 3.4
            let syllable = 0.5 + 0.5 * Float(sin(2 * Double.pi * 4 * Double(t)))
            let level: Float = inPause ? 0.0005 : 0.25 * syllable
            lowL += 0.3 * (uniform() - lowL)
            lowR += 0.3 * (uniform() - lowR)
            var l = level * lowL, r = level * (0.8 * lowL + 0.2 * lowR)
            if n % 22_050 == 1_000 {
                l = 0.95
                r = -0.9
            }  // a rare click-like peak
            left[n] = l * gain
            right[n] = r * gain
        }
        planes = [left, right]
    }

    /// An audio buffer of `frames` frames holding the programme from frame `start` (wrapping).
    public func buffer(frames: Int, from start: Int = 0) -> AudioBuffer {
        let buffer = AudioBuffer(channelCount: planes.count, capacity: frames)
        buffer.frameCount = frames
        let count = planes[0].count
        for channel in planes.indices {
            let destination = buffer.baseAddress(ofChannel: channel)
            for i in 0..<frames { destination[i] = planes[channel][(start + i) % count] }
        }
        return buffer
    }

    /// The programme cut into consecutive buffers of `blockFrames` frames (the last one shorter), the
    /// way a decoder delivers it.
    public func blocks(of blockFrames: Int) -> [AudioBuffer] {
        let count = planes[0].count
        return stride(from: 0, to: count, by: blockFrames).map { start in
            buffer(frames: min(blockFrames, count - start), from: start)
        }
    }
}
