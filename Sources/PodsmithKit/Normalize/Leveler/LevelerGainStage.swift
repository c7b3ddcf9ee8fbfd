import Foundation
import PodsmithCore

/// Applies a ``LevelerGainCurve`` to the input, frame by frame: the speech leveler's stage, first in
/// the render (before the edit, the downmix and the linear gain), so it works on the input's timeline,
/// where the curve was planned.
///
/// Between two points of equal gain it is one multiply per sample (``GainStage/scale(_:into:count:by:)``);
/// on a ramp the linear gain is stepped by a constant ratio per frame, which is a straight line in dB,
/// recomputed from the curve at every segment so rounding never accumulates past one ramp.
final class LevelerGainStage: AudioProcessor {
    let curve: LevelerGainCurve
    let channelCount: Int
    /// The input frame the next block starts at.
    private(set) var position: Int64
    private let output: AudioBuffer

    /// - Parameters:
    ///   - curve: the plan's gain curve.
    ///   - channelCount: channels of the input.
    ///   - startFrame: the input frame the first block starts at (an excerpt's, for the codec probe).
    init(curve: LevelerGainCurve, channelCount: Int, startFrame: Int64 = 0, capacity: Int = 16_384) {
        self.curve = curve
        self.channelCount = channelCount
        position = startFrame
        output = AudioBuffer(channelCount: channelCount, capacity: capacity)
    }

    func process(_ input: AudioBuffer, emit: (AudioBuffer) throws -> Void) throws {
        precondition(input.channelCount == channelCount)
        var offset = 0
        while offset < input.frameCount {
            let n = min(output.capacity, input.frameCount - offset)
            var done = 0
            while done < n {
                let frame = position + Int64(done)
                let (count, startDB, endDB) = piece(at: frame, limit: n - done)
                for c in 0..<channelCount {
                    let src = UnsafePointer(input.baseAddress(ofChannel: c)) + offset + done
                    let dst = output.baseAddress(ofChannel: c) + done
                    if startDB == endDB {
                        GainStage.scale(src, into: dst, count: count, by: Float(pow(10, startDB / 20)))
                    } else {
                        var g = pow(10, startDB / 20)
                        let ratio = pow(10, (endDB - startDB) / Double(count) / 20)
                        for i in 0..<count {
                            dst[i] = src[i] * Float(g)
                            g *= ratio
                        }
                    }
                }
                done += count
            }
            output.frameCount = n
            position += Int64(n)
            offset += n
            try emit(output)
        }
    }

    func finish(emit: (AudioBuffer) throws -> Void) throws {}

    /// The run of frames from `frame` (at most `limit`) over which the gain is one straight line, and
    /// its gain at the run's first frame and just past its last, dB.
    private func piece(at frame: Int64, limit: Int) -> (count: Int, startDB: Double, endDB: Double) {
        let points = curve.points
        guard let first = points.first, let last = points.last else { return (limit, 0, 0) }
        if frame < first.frame {
            return (Int(min(Int64(limit), first.frame - frame)), Double(first.gainDB), Double(first.gainDB))
        }
        if frame >= last.frame { return (limit, Double(last.gainDB), Double(last.gainDB)) }
        let k = curve.segmentIndex(containing: frame)
        let end = points[k + 1].frame
        let count = Int(min(Int64(limit), end - frame))
        if points[k].gainDB == points[k + 1].gainDB {
            return (count, Double(points[k].gainDB), Double(points[k].gainDB))
        }
        return (
            count, curve.gainDB(atFrame: Double(frame)), curve.gainDB(atFrame: Double(frame + Int64(count)))
        )
    }
}
