import Foundation

/// The leveler's gain over the input's timeline: straight lines in dB between breakpoints.
///
/// Why lines in dB between sparse points: a gain that changes in the log domain sounds even (a 6 dB
/// ramp is heard as a steady fade, not as a jump at one end), and the points fall only at the edges of
/// phrases, music and pauses, so a ten-hour file has a few thousand of them, not a value per sample.
/// Before the first point and after the last the gain holds.
public struct LevelerGainCurve: Sendable, Equatable {
    /// A point of the curve: at input frame `frame` the gain is `gainDB`.
    public struct Point: Sendable, Equatable {
        public var frame: Int64
        public var gainDB: Float
    }

    /// In frame order (equal frames allowed: a jump).
    public private(set) var points: [Point]

    /// - Parameter points: any order; they are sorted by frame, points on the same frame kept in the
    ///   order given.
    public init(points: [Point]) {
        self.points = points.enumerated()
            .sorted { ($0.element.frame, $0.offset) < ($1.element.frame, $1.offset) }
            .map(\.element)
    }

    /// The gain at `frame`, dB.
    public func gainDB(atFrame frame: Double) -> Double {
        guard let first = points.first, let last = points.last else { return 0 }
        if frame <= Double(first.frame) { return Double(first.gainDB) }
        if frame >= Double(last.frame) { return Double(last.gainDB) }
        let k = segmentIndex(containing: Int64(frame.rounded(.down)))
        let a = points[k], b = points[k + 1]
        let t = (frame - Double(a.frame)) / Double(max(1, b.frame - a.frame))
        return Double(a.gainDB) + t * Double(b.gainDB - a.gainDB)
    }

    /// The index `k` of the segment `points[k]..<points[k + 1]` holding `frame`, for a frame inside the
    /// curve's span (binary search).
    func segmentIndex(containing frame: Int64) -> Int {
        var lo = 0, hi = points.count - 1
        while hi - lo > 1 {
            let mid = (lo + hi) / 2
            if points[mid].frame <= frame { lo = mid } else { hi = mid }
        }
        return lo
    }
}
