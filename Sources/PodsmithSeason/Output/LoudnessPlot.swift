import Foundation
import PodsmithKit

/// A span of time on the plot's timeline, seconds.
public struct TimeSpan: Sendable, Equatable, Codable {
    public var startSeconds: Double
    public var endSeconds: Double

    enum CodingKeys: String, CodingKey {
        case startSeconds = "start"
        case endSeconds = "end"
    }

    public init(startSeconds: Double, endSeconds: Double) {
        self.startSeconds = startSeconds
        self.endSeconds = endSeconds
    }

    /// This span without the parts inside any of `holes`: a limiter span mapped onto the input's timeline
    /// runs across the pauses cut out of it, where there is no audio to limit.
    public func removing(_ holes: [TimeSpan]) -> [TimeSpan] {
        var pieces = [self]
        for hole in holes where hole.endSeconds > hole.startSeconds {
            pieces = pieces.flatMap { piece -> [TimeSpan] in
                guard hole.startSeconds < piece.endSeconds, hole.endSeconds > piece.startSeconds else { return [piece] }
                var kept: [TimeSpan] = []
                if hole.startSeconds > piece.startSeconds {
                    kept.append(TimeSpan(startSeconds: piece.startSeconds, endSeconds: hole.startSeconds))
                }
                if hole.endSeconds < piece.endSeconds {
                    kept.append(TimeSpan(startSeconds: hole.endSeconds, endSeconds: piece.endSeconds))
                }
                return kept
            }
        }
        return pieces
    }
}

/// What one episode's loudness plot shows.
///
/// All times are on one timeline, the caller's choice. The season runner plots the published episode on
/// its own (output) timeline, the one chapters and players use, with each cut pause as a marker
/// (``cutTimes``); a caller plotting on the input's timeline shows what was removed as regions instead
/// (``removedRegions``).
public struct LoudnessPlotInput: Sendable {
    /// Momentary (400 ms) loudness every ``hopSeconds``, LUFS; `-infinity` for digital silence.
    public var momentaryLUFS: [Float]
    /// Short-term (3 s) loudness every ``hopSeconds``, LUFS; `-infinity` for digital silence.
    public var shortTermLUFS: [Float]
    /// Time between series values, seconds (BS.1770-4 gating blocks overlap by 75 %: 100 ms).
    public var hopSeconds: Double
    /// The integrated-loudness target drawn as a line, LUFS.
    public var targetLUFS: Double
    /// Where the limiter reduced the gain.
    public var limiterActivity: [TimeSpan]
    /// How deep the limiter went in each of ``limiterActivity``: its largest gain reduction there, dB
    /// (positive), in the same order. A span without one (the list shorter, or NaN) has no known depth
    /// and is drawn as a band along the bottom of the loudness area; spans with one are drawn in a
    /// "limiter dB" lane under the loudness curves, each bar as deep as its reduction.
    public var limiterMaxReductionsDB: [Double]
    /// The speech leveler's gain over the timeline, dB (``LevelerGainPoint``: lines between points);
    /// `nil` when the leveler did not run, and then there is no leveler lane.
    public var levelerGain: [LevelerGainPoint]?
    /// Trimmed silence and shortened pauses, as regions of the timeline (an input timeline).
    public var removedRegions: [TimeSpan]
    /// Where a pause was shortened, as instants of the timeline (an output timeline).
    public var cutTimes: [Double]
    /// Length of the timeline, seconds.
    public var durationSeconds: Double
    /// Caption above the plot (escaped when rendered).
    public var title: String?

    public init(
        momentaryLUFS: [Float], shortTermLUFS: [Float], hopSeconds: Double = 0.1, targetLUFS: Double,
        limiterActivity: [TimeSpan] = [], limiterMaxReductionsDB: [Double] = [], removedRegions: [TimeSpan] = [],
        cutTimes: [Double] = [], levelerGain: [LevelerGainPoint]? = nil, durationSeconds: Double,
        title: String? = nil
    ) {
        self.limiterMaxReductionsDB = limiterMaxReductionsDB
        self.levelerGain = levelerGain
        self.cutTimes = cutTimes
        self.momentaryLUFS = momentaryLUFS
        self.shortTermLUFS = shortTermLUFS
        self.hopSeconds = hopSeconds
        self.targetLUFS = targetLUFS
        self.limiterActivity = limiterActivity
        self.removedRegions = removedRegions
        self.durationSeconds = durationSeconds
        self.title = title
    }
}

/// Size and scale of a ``LoudnessPlot``.
public struct LoudnessPlotOptions: Sendable, Equatable {
    /// Width of the whole SVG, px. Default 960.
    public var width: Int
    /// Height of the whole SVG, px, without its lanes: each lane under the loudness curves (the
    /// leveler's gain, the limiter's depth) adds ``LoudnessPlot/laneHeight`` plus
    /// ``LoudnessPlot/laneGap``. Default 300.
    public var height: Int
    /// Bottom of the loudness axis, LUFS; quieter values (and silence) sit on it. Default −60.
    public var floorLUFS: Double
    /// Top of the loudness axis, LUFS. Default 0.
    public var ceilingLUFS: Double
    /// Prefix for element ids, so several plots can be inlined in one HTML page. Default `plot`.
    public var idPrefix: String

    public init(
        width: Int = 960, height: Int = 300, floorLUFS: Double = -60, ceilingLUFS: Double = 0,
        idPrefix: String = "plot"
    ) {
        precondition(width >= 200 && height >= 120 && ceilingLUFS > floorLUFS)
        self.width = width
        self.height = height
        self.floorLUFS = floorLUFS
        self.ceilingLUFS = ceilingLUFS
        self.idPrefix = idPrefix
    }
}

/// Draws an episode's loudness over time as a self-contained SVG.
///
/// Short-term and momentary loudness, the target line, limiter activity (red shade) and removed regions
/// (grey hatched) on a LUFS axis with time ticks and a legend. Under the loudness area, lanes on the same
/// time axis: the speech leveler's gain (±12 dB, when it ran) and the limiter's depth (a bar per
/// limited span hanging from 0 dB, on a 0…−6 dB scale, or 0…−12 dB when it went deeper than 6 dB; each
/// bar's `<title>` gives the depth). A limited span of unknown depth is a solid band along the bottom of
/// the loudness area instead. No fonts, scripts
/// or images are referenced, so the file (or the SVG inlined in HTML) shows anywhere. Long series are
/// reduced to one point per horizontal pixel, keeping the loudest value in each column (the envelope a
/// reader looks for), so a 90-minute episode is a few tens of kilobytes, not megabytes.
public enum LoudnessPlot {
    /// The plot as an SVG document.
    public static func svg(_ input: LoudnessPlotInput, options: LoudnessPlotOptions = LoudnessPlotOptions()) -> String {
        let margin = (left: 52.0, right: 16.0, top: input.title == nil ? 30.0 : 48.0, bottom: 36.0)
        let w = Double(options.width)
        let plotW = w - margin.left - margin.right
        let plotH = Double(options.height) - margin.top - margin.bottom
        let duration = max(
            input.durationSeconds,
            input.hopSeconds
                * Double(
                    max(
                        input.momentaryLUFS.count,
                        input.shortTermLUFS.count)), 1e-3)
        let x = { (t: Double) -> Double in margin.left + plotW * min(max(t / duration, 0), 1) }
        let y = { (lufs: Double) -> Double in
            let clamped = min(max(lufs, options.floorLUFS), options.ceilingLUFS)
            return margin.top + plotH * (options.ceilingLUFS - clamped) / (options.ceilingLUFS - options.floorLUFS)
        }

        // Limited spans, never over a removed region (nothing of it is heard), each with its depth if known.
        var limited: [(span: TimeSpan, depthDB: Double?)] = []
        for (index, span) in input.limiterActivity.enumerated() {
            let depth = input.limiterMaxReductionsDB.indices.contains(index) ? input.limiterMaxReductionsDB[index] : nil
            let known = depth.flatMap { $0.isFinite && $0 >= 0 ? $0 : nil }
            for piece in span.removing(input.removedRegions) where piece.endSeconds >= piece.startSeconds {
                limited.append((piece, known))
            }
        }
        // The lanes under the loudness area, top to bottom.
        let levelerLaneTop: Double? = input.levelerGain == nil ? nil : margin.top + plotH + laneGap
        let depthLane = limited.contains { $0.depthDB != nil }
        let depthLaneTop: Double? =
            depthLane ? margin.top + plotH + laneGap + (levelerLaneTop == nil ? 0 : laneHeight + laneGap) : nil
        let laneCount = (levelerLaneTop == nil ? 0 : 1) + (depthLane ? 1 : 0)
        let dataBottom = margin.top + plotH + Double(laneCount) * (laneHeight + laneGap)
        let totalHeight = options.height + laneCount * Int(laneHeight + laneGap)

        let id = MarkupEscaping.escape(options.idPrefix)
        var s = """
            <svg xmlns="http://www.w3.org/2000/svg" width="\(options.width)" height="\(totalHeight)" \
            viewBox="0 0 \(options.width) \(totalHeight)" font-family="sans-serif" font-size="11" role="img">

            """
        s += "<defs><pattern id=\"\(id)-hatch\" width=\"6\" height=\"6\" patternUnits=\"userSpaceOnUse\" "
        s += "patternTransform=\"rotate(45)\"><rect width=\"6\" height=\"6\" fill=\"#eeeeee\"/>"
        s += "<line x1=\"0\" y1=\"0\" x2=\"0\" y2=\"6\" stroke=\"#9a9a9a\" stroke-width=\"2\"/></pattern></defs>\n"
        s += "<rect x=\"0\" y=\"0\" width=\"\(options.width)\" height=\"\(totalHeight)\" fill=\"#ffffff\"/>\n"
        if let title = input.title {
            s +=
                "<text x=\"\(f(margin.left))\" y=\"18\" font-size=\"14\" font-weight=\"bold\">\(MarkupEscaping.escape(title))</text>\n"
        }

        // Removed regions under everything else, lanes included.
        s += "<g class=\"removed\">\n"
        for span in input.removedRegions where span.endSeconds > span.startSeconds {
            s += rect(
                x: x(span.startSeconds), y: margin.top, w: x(span.endSeconds) - x(span.startSeconds),
                h: dataBottom - margin.top,
                fill: "url(#\(id)-hatch)")
        }
        s += "</g>\n"

        // Loudness gridlines and ticks.
        s += "<g class=\"lufs-axis\" stroke=\"#dddddd\">\n"
        var tick = (options.ceilingLUFS / 10).rounded(.down) * 10
        while tick >= options.floorLUFS {
            let ty = y(tick)
            s += "<line x1=\"\(f(margin.left))\" y1=\"\(f(ty))\" x2=\"\(f(margin.left + plotW))\" y2=\"\(f(ty))\"/>"
            s +=
                "<text x=\"\(f(margin.left - 6))\" y=\"\(f(ty + 4))\" text-anchor=\"end\" stroke=\"none\" fill=\"#333333\">\(Int(tick))</text>\n"
            tick -= 10
        }
        s +=
            "<text x=\"12\" y=\"\(f(margin.top + plotH / 2))\" transform=\"rotate(-90 12 \(f(margin.top + plotH / 2)))\" "
        s += "text-anchor=\"middle\" stroke=\"none\" fill=\"#333333\">LUFS</text>\n</g>\n"

        // Time ticks, through the lanes too.
        let step = timeStep(duration: duration)
        s += "<g class=\"time-axis\" stroke=\"#dddddd\">\n"
        var t = 0.0
        while t <= duration + 1e-9 {
            let tx = x(t)
            s += "<line x1=\"\(f(tx))\" y1=\"\(f(margin.top))\" x2=\"\(f(tx))\" y2=\"\(f(dataBottom))\"/>"
            s +=
                "<text x=\"\(f(tx))\" y=\"\(f(dataBottom + 14))\" text-anchor=\"middle\" stroke=\"none\" fill=\"#333333\">\(clock(t))</text>\n"
            t += step
        }
        s += "</g>\n"
        s += rect(x: margin.left, y: margin.top, w: plotW, h: plotH, fill: "none", stroke: "#888888")

        // Series: momentary (light) under short-term (dark).
        let columns = max(1, Int(plotW))
        s += polyline(
            input.momentaryLUFS, hop: input.hopSeconds, columns: columns, duration: duration,
            floor: options.floorLUFS, x: x, y: y, cls: "momentary", stroke: "#9ecae1", width: 1)
        s += polyline(
            input.shortTermLUFS, hop: input.hopSeconds, columns: columns, duration: duration,
            floor: options.floorLUFS, x: x, y: y, cls: "short-term", stroke: "#08519c", width: 1.5)

        // Target line.
        let ty = y(input.targetLUFS)
        s +=
            "<line class=\"target\" x1=\"\(f(margin.left))\" y1=\"\(f(ty))\" x2=\"\(f(margin.left + plotW))\" y2=\"\(f(ty))\" "
        s += "stroke=\"#2ca02c\" stroke-width=\"1.5\" stroke-dasharray=\"6 4\"/>\n"

        // Limiter activity: a faint shade over the loudness area; a bar in the depth lane as deep as the
        // span's largest reduction, or, depth unknown, a solid band along the bottom of the loudness area.
        s += "<g class=\"limiter-shade\">\n"
        for (span, _) in limited {
            let x0 = x(span.startSeconds)
            s += rect(
                x: x0, y: margin.top, w: max(1, x(span.endSeconds) - x0), h: plotH, fill: "#d62728",
                opacity: 0.12)
        }
        s += "</g>\n"
        let depthScale = limited.contains { ($0.depthDB ?? 0) > 6 } ? 12.0 : 6.0
        if let laneTop = levelerLaneTop, let points = input.levelerGain {
            s += levelerLane(
                points, top: laneTop, left: margin.left, width: plotW, duration: duration, columns: columns, x: x)
        }
        if let laneTop = depthLaneTop {
            s += laneAxis(
                cls: "limiter-axis", caption: "limiter dB", top: laneTop, left: margin.left, width: plotW,
                ticks: [
                    (0, "0"), (depthScale / 2, "-" + formatLUFS(depthScale / 2)),
                    (depthScale, "-" + formatLUFS(depthScale)),
                ],
                y: { laneTop + laneHeight * $0 / depthScale })
        }
        s += "<g class=\"limiter\" fill=\"#d62728\">\n"
        for (span, depth) in limited {
            let x0 = x(span.startSeconds)
            let width = max(1, x(span.endSeconds) - x0)
            let when = "\(clock(span.startSeconds))–\(clock(span.endSeconds))"
            if let depth, let laneTop = depthLaneTop {
                let height = max(1, laneHeight * min(depth, depthScale) / depthScale)
                s += rect(
                    x: x0, y: laneTop, w: width, h: height, fill: "#d62728",
                    title: "limiter \(when): gain reduction up to \(String(format: "%.1f", depth)) dB")
            } else {
                s += rect(
                    x: x0, y: margin.top + plotH - 6, w: width, h: 6, fill: "#d62728",
                    title: "limiter \(when): depth not recorded")
            }
        }
        s += "</g>\n"

        // Cuts: a dashed line where a pause was shortened, through the lanes too.
        s += "<g class=\"cuts\" stroke=\"#555555\" stroke-width=\"1\" stroke-dasharray=\"3 3\">\n"
        for cut in input.cutTimes where cut >= 0 && cut <= duration {
            s +=
                "<line x1=\"\(f(x(cut)))\" y1=\"\(f(margin.top))\" x2=\"\(f(x(cut)))\" y2=\"\(f(dataBottom))\"/>\n"
        }
        s += "</g>\n"

        s += legend(
            x: margin.left, y: margin.top - 10, target: input.targetLUFS, id: id,
            removed: !input.removedRegions.isEmpty, cuts: !input.cutTimes.isEmpty,
            leveler: levelerLaneTop != nil, limiterDepth: depthLane)
        s += "</svg>\n"
        return s
    }

    /// Height of a lane under the loudness area, px.
    public static let laneHeight = 44.0
    /// Space above each lane, px: room for its caption.
    public static let laneGap = 14.0
    /// The leveler lane's scale: ±12 dB, the leveler's largest gain (``LevelerPlan/maximumGainDB``).
    static let levelerScaleDB = 12.0

    /// A lane's frame, gridlines with their labels, and its caption above its top right corner (in the
    /// gap, where no bar or line covers it).
    private static func laneAxis(
        cls: String, caption: String, top: Double, left: Double, width: Double, ticks: [(Double, String)],
        y: (Double) -> Double
    ) -> String {
        var s = "<g class=\"\(cls)\" stroke=\"#dddddd\">\n"
        for (value, label) in ticks {
            let ty = y(value)
            s += "<line x1=\"\(f(left))\" y1=\"\(f(ty))\" x2=\"\(f(left + width))\" y2=\"\(f(ty))\"/>"
            s +=
                "<text x=\"\(f(left - 6))\" y=\"\(f(ty + 4))\" text-anchor=\"end\" stroke=\"none\" fill=\"#333333\" font-size=\"10\">\(label)</text>\n"
        }
        s += rect(x: left, y: top, w: width, h: laneHeight, fill: "none", stroke: "#888888")
        s +=
            "<text x=\"\(f(left + width))\" y=\"\(f(top - 3))\" text-anchor=\"end\" stroke=\"none\" fill=\"#555555\" font-size=\"10\">\(caption)</text>\n"
        return s + "</g>\n"
    }

    /// The leveler's gain as a line on a ±12 dB lane (values beyond sit on its edge), one or two points
    /// per pixel column; the gain holds before the first point and after the last.
    private static func levelerLane(
        _ points: [LevelerGainPoint], top: Double, left: Double, width: Double, duration: Double, columns: Int,
        x: (Double) -> Double
    ) -> String {
        let scale = levelerScaleDB
        let y = { (db: Double) -> Double in top + laneHeight / 2 - laneHeight / 2 * min(max(db, -scale), scale) / scale
        }
        var s = laneAxis(
            cls: "leveler-axis", caption: "leveler dB", top: top, left: left, width: width,
            ticks: [(scale, "+" + formatLUFS(scale)), (0, "0"), (-scale, "-" + formatLUFS(scale))], y: y)
        let reduced = LevelerGainPoint.reduced(
            points.filter { $0.seconds.isFinite && $0.gainDB.isFinite }, buckets: columns, duration: duration)
        guard let first = reduced.first, let last = reduced.last else { return s }
        var d = "M\(f(x(0))) \(f(y(first.gainDB))) "
        for point in reduced { d += "L\(f(x(point.seconds))) \(f(y(point.gainDB))) " }
        d += "L\(f(x(duration))) \(f(y(last.gainDB)))"
        let low = reduced.map(\.gainDB).min() ?? 0, high = reduced.map(\.gainDB).max() ?? 0
        s +=
            "<path class=\"leveler\" fill=\"none\" stroke=\"#9467bd\" stroke-width=\"1.5\" stroke-linejoin=\"round\" d=\"\(d)\">"
        s += "<title>\(String(format: "leveler gain %+.1f to %+.1f dB", low, high))</title></path>\n"
        return s
    }

    // MARK: - Pieces

    private static func legend(
        x: Double, y: Double, target: Double, id: String, removed: Bool, cuts: Bool, leveler: Bool,
        limiterDepth: Bool
    ) -> String {
        var items: [(String, String)] = [
            ("<line x1=\"0\" y1=\"-4\" x2=\"16\" y2=\"-4\" stroke=\"#08519c\" stroke-width=\"2\"/>", "short-term"),
            ("<line x1=\"0\" y1=\"-4\" x2=\"16\" y2=\"-4\" stroke=\"#9ecae1\" stroke-width=\"2\"/>", "momentary"),
            (
                "<line x1=\"0\" y1=\"-4\" x2=\"16\" y2=\"-4\" stroke=\"#2ca02c\" stroke-width=\"2\" stroke-dasharray=\"4 2\"/>",
                "target \(formatLUFS(target)) LUFS"
            ),
            ("<rect x=\"0\" y=\"-8\" width=\"16\" height=\"8\" fill=\"#d62728\"/>", "limiter"),
        ]
        if limiterDepth {
            items.append(
                (
                    "<line x1=\"0\" y1=\"-9\" x2=\"16\" y2=\"-9\" stroke=\"#888888\"/><rect x=\"5\" y=\"-9\" width=\"6\" height=\"10\" fill=\"#d62728\"/>",
                    "limiter depth"
                ))
        }
        if leveler {
            items.append(
                ("<line x1=\"0\" y1=\"-4\" x2=\"16\" y2=\"-4\" stroke=\"#9467bd\" stroke-width=\"2\"/>", "leveler gain")
            )
        }
        if removed {
            items.append(("<rect x=\"0\" y=\"-9\" width=\"16\" height=\"10\" fill=\"url(#\(id)-hatch)\"/>", "removed"))
        }
        if cuts {
            items.append(
                (
                    "<line x1=\"8\" y1=\"-10\" x2=\"8\" y2=\"2\" stroke=\"#555555\" stroke-dasharray=\"3 3\"/>",
                    "cut pause"
                ))
        }
        var s = "<g class=\"legend\" fill=\"#333333\">\n"
        var dx = x
        for (swatch, label) in items {
            s += "<g transform=\"translate(\(f(dx)) \(f(y)))\">\(swatch)<text x=\"20\" y=\"0\">\(label)</text></g>\n"
            dx += 28 + Double(label.count) * 6.2
        }
        return s + "</g>\n"
    }

    /// One path per run of audible values; each pixel column keeps its loudest value.
    private static func polyline(
        _ series: [Float], hop: Double, columns: Int, duration: Double, floor: Double,
        x: (Double) -> Double, y: (Double) -> Double, cls: String, stroke: String,
        width: Double
    ) -> String {
        guard !series.isEmpty else { return "" }
        // Reduce to at most one value per column (max), NaN/−∞ meaning "below the floor".
        var reduced: [(t: Double, v: Double)] = []
        let perColumn = max(1, Int((Double(series.count) / Double(columns)).rounded(.up)))
        var i = 0
        while i < series.count {
            let end = min(series.count, i + perColumn)
            var best = -Double.infinity
            for k in i..<end where series[k].isFinite && Double(series[k]) > best { best = Double(series[k]) }
            // Each value describes the block ending at its time: plot it at the centre of its hop.
            let t = (Double(i) + Double(end - i) / 2) * hop
            reduced.append((min(t, duration), best))
            i = end
        }
        var s =
            "<path class=\"\(cls)\" fill=\"none\" stroke=\"\(stroke)\" stroke-width=\"\(f(width))\" stroke-linejoin=\"round\" d=\""
        var penDown = false
        for point in reduced {
            guard point.v > floor else {
                penDown = false
                continue
            }
            s += (penDown ? "L" : "M") + f(x(point.t)) + " " + f(y(point.v)) + " "
            penDown = true
        }
        return s + "\"/>\n"
    }

    private static func rect(
        x: Double, y: Double, w: Double, h: Double, fill: String, stroke: String? = nil,
        opacity: Double? = nil, title: String? = nil
    ) -> String {
        var s =
            "<rect x=\"\(f(x))\" y=\"\(f(y))\" width=\"\(f(max(0, w)))\" height=\"\(f(max(0, h)))\" fill=\"\(fill)\""
        if let stroke { s += " stroke=\"\(stroke)\"" }
        if let opacity { s += " fill-opacity=\"\(opacity)\"" }
        guard let title else { return s + "/>\n" }
        return s + "><title>\(MarkupEscaping.escape(title))</title></rect>\n"
    }

    /// A tick step giving 5–12 ticks over `duration` seconds.
    static func timeStep(duration: Double) -> Double {
        let steps: [Double] = [1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200]
        return steps.first { duration / $0 <= 12 } ?? 7200
    }

    /// `m:ss` or `h:mm:ss`.
    static func clock(_ seconds: Double) -> String {
        let s = WholeSeconds.clamped(seconds)
        let (h, m, sec) = (s / 3600, (s % 3600) / 60, s % 60)
        return h > 0 ? String(format: "%d:%02d:%02d", h, m, sec) : String(format: "%d:%02d", m, sec)
    }

    private static func formatLUFS(_ v: Double) -> String {
        v == v.rounded() ? String(Int(v)) : String(format: "%.1f", v)
    }

    /// Coordinates with one decimal: enough for a screen, short in the file.
    private static func f(_ v: Double) -> String {
        String(format: "%.1f", v)
    }
}
