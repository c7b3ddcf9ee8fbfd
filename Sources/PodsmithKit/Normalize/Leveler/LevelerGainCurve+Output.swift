import Foundation
import PodsmithCore

/// A point of the speech leveler's gain on the output's timeline, for the loudness plot: at
/// `seconds` of the output the leveler's gain is `gainDB` (straight lines between points; two points at
/// one instant are a jump, where a cut joined two stretches of the input).
public struct LevelerGainPoint: Sendable, Equatable {
    public var seconds: Double
    public var gainDB: Double

    public init(seconds: Double, gainDB: Double) {
        self.seconds = seconds
        self.gainDB = gainDB
    }

    /// At most two points per bucket of `duration / buckets` seconds, the lowest and the highest
    /// gain of the bucket in time order (with the first and last point of the whole curve kept): the
    /// curve's envelope at that resolution, as the loudness series keep their loudest value per pixel
    /// column. A curve already that small comes back unchanged.
    public static func reduced(_ points: [LevelerGainPoint], buckets: Int, duration: Double) -> [LevelerGainPoint] {
        let buckets = max(1, buckets)
        guard points.count > 2 * buckets, duration > 0 else { return points }
        var kept: [LevelerGainPoint] = [points[0]]
        var start = 1
        while start < points.count - 1 {
            let bucket = Int(points[start].seconds / duration * Double(buckets))
            var end = start
            var low = start, high = start
            while end < points.count - 1 && Int(points[end].seconds / duration * Double(buckets)) == bucket {
                if points[end].gainDB < points[low].gainDB { low = end }
                if points[end].gainDB > points[high].gainDB { high = end }
                end += 1
            }
            for index in Set([low, high]).sorted() { kept.append(points[index]) }
            start = max(end, start + 1)
        }
        kept.append(points[points.count - 1])
        return kept
    }
}

extension LevelerGainCurve {
    /// Most points a report carries (``NormalizeReport/levelerGain``): a few per pixel column of any
    /// plot, whatever the programme's length.
    public static let reportedPointLimit = 4096

    /// The curve on the output's timeline of `edit`, seconds: for every kept region, the gain at its
    /// start, every breakpoint inside it and the gain at its end, shifted to where the region lands in
    /// the output; runs of one gain are shortened to their ends. Points inside a cut are not heard and
    /// are left out.
    public func outputTimeline(_ edit: EditPlan) -> [LevelerGainPoint] {
        var result: [LevelerGainPoint] = []
        func add(_ outputFrame: Int64, _ gain: Double) {
            let point = LevelerGainPoint(seconds: Double(outputFrame) / edit.sampleRate, gainDB: gain)
            if let last = result.last, last == point { return }
            // The middle of three points of one gain adds nothing to the line.
            if result.count >= 2, result[result.count - 1].gainDB == gain, result[result.count - 2].gainDB == gain,
                result[result.count - 1].seconds > result[result.count - 2].seconds
            {
                result[result.count - 1] = point
                return
            }
            result.append(point)
        }
        var index = 0
        for region in edit.keptRegions {
            let offset = edit.outputFrame(forInputFrame: region.lowerBound)
            add(offset, gainDB(atFrame: Double(region.lowerBound)))
            while index < points.count && points[index].frame <= region.lowerBound { index += 1 }
            while index < points.count && points[index].frame < region.upperBound {
                add(offset + points[index].frame - region.lowerBound, Double(points[index].gainDB))
                index += 1
            }
            add(offset + Int64(region.count), gainDB(atFrame: Double(region.upperBound)))
        }
        return result
    }

    /// ``outputTimeline(_:)`` reduced to at most about ``reportedPointLimit`` points.
    public func reportedOutputTimeline(_ edit: EditPlan) -> [LevelerGainPoint] {
        LevelerGainPoint.reduced(
            outputTimeline(edit), buckets: Self.reportedPointLimit / 2,
            duration: Double(edit.outputFrameCount) / edit.sampleRate)
    }
}
