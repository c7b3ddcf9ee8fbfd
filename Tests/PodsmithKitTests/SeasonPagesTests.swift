import Foundation
import PodsmithTestSupport
import Testing

@testable import PodsmithCodecs
@testable import PodsmithCore
@testable import PodsmithKit
@testable import PodsmithSeason

/// The loudness plot SVG and the season's index.html.
///
/// With `PODSMITH_ARTIFACT_DIR` set, the sample page and plot are also written there, for
/// `scripts/render-check.sh` to screenshot in a browser.
@Suite struct SeasonPagesTests {
    /// A 5-minute synthetic episode: speech-like loudness around −16 LUFS with a quiet passage,
    /// silence at both ends and a loud burst the limiter caught.
    static func sampleInput(title: String = "Episode 1 — R&D <pilot>") -> LoudnessPlotInput {
        let hop = 0.1
        let count = 3000
        var momentary = [Float](repeating: -.infinity, count: count)
        var shortTerm = [Float](repeating: -.infinity, count: count)
        for i in 40..<(count - 60) {
            let t = Double(i) * hop
            let quiet = t > 120 && t < 150 ? -8.0 : 0
            let burst = t > 200 && t < 203 ? 7.0 : 0
            momentary[i] = Float(-16 + 3 * sin(t * 2.1) + 2 * sin(t * 7.3) + quiet + burst)
            shortTerm[i] = Float(-16 + 1.2 * sin(t * 0.4) + quiet + burst * 0.6)
        }
        return LoudnessPlotInput(
            momentaryLUFS: momentary, shortTermLUFS: shortTerm, targetLUFS: -16,
            limiterActivity: [
                TimeSpan(startSeconds: 200.2, endSeconds: 202.8), TimeSpan(startSeconds: 250, endSeconds: 250.1),
            ],
            removedRegions: [
                TimeSpan(startSeconds: 0, endSeconds: 4), TimeSpan(startSeconds: 97, endSeconds: 99.5),
                TimeSpan(startSeconds: 294, endSeconds: 300),
            ],
            durationSeconds: 300, title: title)
    }

    @Test func plotIsWellFormedSVGWithTargetLineAxesAndLegend() throws {
        let options = LoudnessPlotOptions(floorLUFS: -60, ceilingLUFS: 0)
        let svg = LoudnessPlot.svg(Self.sampleInput(), options: options)
        let root = try XMLTree.parse(svg)
        #expect(root.name == "svg")
        #expect(root.attributes["xmlns"] == "http://www.w3.org/2000/svg")
        // The target line is horizontal at the height of −16 LUFS on the 0…−60 axis.
        let target = try #require(root.all("line").first { $0.attributes["class"] == "target" })
        let y1 = try #require(Double(target.attributes["y1"] ?? ""))
        #expect(target.attributes["y1"] == target.attributes["y2"])
        let ticks = root.all("g").first { $0.attributes["class"] == "lufs-axis" }
        let tickLabels = ticks?.children("text").map(\.text) ?? []
        #expect(tickLabels.contains("-10") && tickLabels.contains("-20") && tickLabels.contains("-60"))
        // −16 lies between the −10 and −20 gridlines, 60 % of the way down from −10.
        let grid = try #require(ticks?.children("line"))
        let yOf = { (label: String) -> Double in
            let index = tickLabels.firstIndex(of: label)!
            return Double(grid[index].attributes["y1"]!)!
        }
        #expect(abs(y1 - (yOf("-10") + 0.6 * (yOf("-20") - yOf("-10")))) < 0.2)
        let timeLabels =
            root.all("g").first { $0.attributes["class"] == "time-axis" }?.children("text").map(\.text) ?? []
        #expect(timeLabels.first == "0:00" && timeLabels.contains("5:00"))
        let legend = root.all("g").first { $0.attributes["class"] == "legend" }?.all("text").map(\.text) ?? []
        #expect(
            legend.contains("short-term") && legend.contains("momentary") && legend.contains("limiter")
                && legend.contains("removed") && legend.contains("target -16 LUFS"))
        #expect(root.all("text").contains { $0.text == "Episode 1 — R&D <pilot>" })
    }

    @Test func plotDrawsLimiterAndRemovedRegionsAndBreaksLinesAtSilence() throws {
        let root = try XMLTree.parse(LoudnessPlot.svg(Self.sampleInput()))
        let limiter = root.all("g").first { $0.attributes["class"] == "limiter" }
        #expect(limiter?.children("rect").count == 2)
        let removed = root.all("g").first { $0.attributes["class"] == "removed" }
        #expect(removed?.children("rect").count == 3)
        let shortTerm = try #require(root.all("path").first { $0.attributes["class"] == "short-term" })
        let d = shortTerm.attributes["d"] ?? ""
        // One run of sound: one move-to; silence at both ends is not drawn.
        #expect(d.filter { $0 == "M" }.count == 1)
        #expect(d.filter { $0 == "L" }.count > 100)
    }

    // §7 #14: a limiter span mapped onto the input's timeline ran across a cut pause.
    @Test func limiterBandsStopAtARemovedRegion() throws {
        var input = Self.sampleInput()
        input.limiterActivity = [TimeSpan(startSeconds: 90, endSeconds: 110)]
        let root = try XMLTree.parse(LoudnessPlot.svg(input))
        let removed = try #require(root.all("g").first { $0.attributes["class"] == "removed" }?.children("rect"))
        // The sample's removed regions in order: the head, the 97–99.5 s pause, the tail.
        try #require(removed.count == 3)
        let cut = removed[1]
        let cutStart = try #require(Double(cut.attributes["x"] ?? ""))
        let cutEnd = cutStart + (try #require(Double(cut.attributes["width"] ?? "")))
        for group in ["limiter", "limiter-shade"] {
            let bands = try #require(root.all("g").first { $0.attributes["class"] == group }?.children("rect"))
            #expect(bands.count == 2, "\(group): one band on each side of the cut")
            for band in bands {
                let x = try #require(Double(band.attributes["x"] ?? ""))
                let end = x + (try #require(Double(band.attributes["width"] ?? "")))
                #expect(end <= cutStart + 0.01 || x >= cutEnd - 0.01, "\(group) band \(x)…\(end) over the cut")
            }
        }
    }

    /// The `limiter` group's bars with their depth lane: the deeper span's bar is the taller, in
    /// proportion on the 0…−6 dB scale, each `<title>` naming its depth; a span of unknown depth (an
    /// older report's) stays a band along the bottom of the loudness area.
    @Test func plotDrawsADeeperLimiterBarForADeeperSpan() throws {
        var input = Self.sampleInput()
        input.limiterActivity = [
            TimeSpan(startSeconds: 60, endSeconds: 62), TimeSpan(startSeconds: 200.2, endSeconds: 202.8),
            TimeSpan(startSeconds: 250, endSeconds: 250.1),
        ]
        input.limiterMaxReductionsDB = [1.5, 4.5]  // the third: unknown
        let svg = LoudnessPlot.svg(input)
        let root = try XMLTree.parse(svg)
        let bars = try #require(root.all("g").first { $0.attributes["class"] == "limiter" }?.children("rect"))
        try #require(bars.count == 3)
        let heights = try bars.map { try #require(Double($0.attributes["height"] ?? "")) }
        let tops = try bars.map { try #require(Double($0.attributes["y"] ?? "")) }
        #expect(heights[1] > heights[0])
        #expect(abs(heights[1] / heights[0] - 3) < 0.05, "\(heights)")
        #expect(abs(heights[1] - LoudnessPlot.laneHeight * 4.5 / 6) < 0.1)
        #expect(bars[0].children("title").first?.text.contains("up to 1.5 dB") == true)
        #expect(bars[1].children("title").first?.text.contains("up to 4.5 dB") == true)
        // Both known bars hang from the lane's 0 dB line; the unknown one is the old 6 px band, above the lane.
        let axis = try #require(root.all("g").first { $0.attributes["class"] == "limiter-axis" })
        #expect(axis.children("text").map(\.text) == ["0", "-3", "-6", "limiter dB"])
        let zero = try #require(Double(axis.children("line")[0].attributes["y1"] ?? ""))
        #expect(tops[0] == zero && tops[1] == zero)
        #expect(heights[2] == 6 && tops[2] < zero - 6)
        #expect(bars[2].children("title").first?.text.contains("not recorded") == true)
        let legend = root.all("g").first { $0.attributes["class"] == "legend" }?.all("text").map(\.text) ?? []
        #expect(legend.contains("limiter") && legend.contains("limiter depth") && !legend.contains("leveler gain"))
        // One lane: the SVG grows by it.
        #expect(root.attributes["height"] == String(300 + Int(LoudnessPlot.laneHeight + LoudnessPlot.laneGap)))
        // Deeper than 6 dB: the scale goes to −12, and an 8 dB bar is 8/12 of the lane.
        input.limiterMaxReductionsDB = [8, 1]
        let deep = try XMLTree.parse(LoudnessPlot.svg(input))
        let deepAxis = try #require(deep.all("g").first { $0.attributes["class"] == "limiter-axis" })
        #expect(deepAxis.children("text").map(\.text) == ["0", "-6", "-12", "limiter dB"])
        let deepBar = try #require(deep.all("g").first { $0.attributes["class"] == "limiter" }?.children("rect").first)
        #expect(abs((Double(deepBar.attributes["height"] ?? "") ?? 0) - LoudnessPlot.laneHeight * 8 / 12) < 0.1)
        // No depth at all (a report from before depths were recorded): no lane, bands as before.
        let old = try XMLTree.parse(LoudnessPlot.svg(Self.sampleInput()))
        #expect(!old.all("g").contains { $0.attributes["class"] == "limiter-axis" })
        #expect(old.attributes["height"] == "300")
        let oldBands = old.all("g").first { $0.attributes["class"] == "limiter" }?.children("rect") ?? []
        #expect(oldBands.count == 2 && oldBands.allSatisfy { $0.attributes["height"] == "6.0" })
    }

    /// The leveler's gain, planned on the input, is drawn on the output's timeline: with 3 s of pause cut
    /// out before a phrase, the gain change at input 10 s is drawn at output 7 s, on the lane's ±12 dB
    /// scale; without the leveler there is no lane.
    @Test func plotDrawsTheLevelersGainInItsLaneAtOutputTimes() throws {
        let rate = 1000.0
        let curve = LevelerGainCurve(points: [
            .init(frame: 2_000, gainDB: 0), .init(frame: 10_000, gainDB: 0), .init(frame: 10_300, gainDB: 6),
            .init(frame: 20_000, gainDB: 6), .init(frame: 20_300, gainDB: -3),
        ])
        // A pause from 5 s to 8 s of the input is cut.
        let edit = EditPlan(keptRegions: [0..<5_000, 8_000..<30_000], inputFrameCount: 30_000, sampleRate: rate)
        let points = curve.outputTimeline(edit)
        #expect(points.contains(LevelerGainPoint(seconds: 7, gainDB: 0)), "\(points)")
        #expect(points.contains(LevelerGainPoint(seconds: 7.3, gainDB: 6)), "\(points)")
        #expect(points.contains(LevelerGainPoint(seconds: 17.3, gainDB: -3)), "\(points)")
        #expect(points.last == LevelerGainPoint(seconds: 27, gainDB: -3))
        #expect(!points.contains { $0.seconds > 27 })
        #expect(curve.reportedOutputTimeline(edit) == points, "small curves are reported whole")

        var input = LoudnessPlotInput(
            momentaryLUFS: [Float](repeating: -16, count: 270), shortTermLUFS: [Float](repeating: -16, count: 270),
            targetLUFS: -16, cutTimes: [5], levelerGain: points, durationSeconds: 27)
        let root = try XMLTree.parse(LoudnessPlot.svg(input))
        let axis = try #require(root.all("g").first { $0.attributes["class"] == "leveler-axis" })
        #expect(axis.children("text").map(\.text) == ["+12", "0", "-12", "leveler dB"])
        let gridY = try axis.children("line").map { try #require(Double($0.attributes["y1"] ?? "")) }
        let frame = try #require(root.all("rect").first { $0.attributes["stroke"] == "#888888" })
        let left = try #require(Double(frame.attributes["x"] ?? "")),
            width = try #require(Double(frame.attributes["width"] ?? ""))
        // The path's points back in seconds and dB.
        let path = try #require(root.all("path").first { $0.attributes["class"] == "leveler" })
        #expect(path.children("title").first?.text == "leveler gain -3.0 to +6.0 dB")
        let numbers = (path.attributes["d"] ?? "").split { $0 == " " || $0 == "M" || $0 == "L" }.compactMap {
            Double($0)
        }
        let drawn = stride(from: 0, to: numbers.count - 1, by: 2).map {
            (seconds: (numbers[$0] - left) / width * 27, dB: (gridY[1] - numbers[$0 + 1]) / (gridY[1] - gridY[0]) * 12)
        }
        func gain(at seconds: Double) -> Double? {
            drawn.last { abs($0.seconds - seconds) < 0.05 }?.dB
        }
        #expect(abs((gain(at: 7.3) ?? 99) - 6) < 0.2, "\(drawn)")
        #expect(abs((gain(at: 17.3) ?? 99) + 3) < 0.2, "\(drawn)")
        #expect(abs((gain(at: 3) ?? drawn.first { $0.seconds < 7 }?.dB ?? 99)) < 0.2, "0 dB before the phrase")
        #expect(abs((drawn.last?.dB ?? 99) + 3) < 0.2 && abs((drawn.last?.seconds ?? 0) - 27) < 0.05)
        // The cut marker runs through the lane.
        let cut = try #require(root.all("g").first { $0.attributes["class"] == "cuts" }?.children("line").first)
        #expect((Double(cut.attributes["y2"] ?? "") ?? 0) >= gridY[2])
        let legend = root.all("g").first { $0.attributes["class"] == "legend" }?.all("text").map(\.text) ?? []
        #expect(legend.contains("leveler gain") && !legend.contains("limiter depth"))
        // Without the leveler (nil, as in a report from before the lane), nothing of it.
        input.levelerGain = nil
        let plain = try XMLTree.parse(LoudnessPlot.svg(input))
        #expect(!plain.all("path").contains { $0.attributes["class"] == "leveler" })
        #expect(!plain.all("g").contains { $0.attributes["class"] == "leveler-axis" })
    }

    /// Both lanes, inlined into index.html: the sanitiser keeps the bars' and the path's `<title>`s, the
    /// page keeps one id per plot, and each inlined plot parses.
    @Test func plotLanesSurviveTheSanitiser() throws {
        let (report, samplePlots) = Self.sampleReportAndPlots()
        var plots = samplePlots
        for key in plots.keys {
            var input = Self.sampleInput(title: key)
            input.limiterMaxReductionsDB = [2.5, 0.4]
            input.levelerGain = [
                LevelerGainPoint(seconds: 10, gainDB: 4), LevelerGainPoint(seconds: 120, gainDB: -2),
            ]
            plots[key] = LoudnessPlot.svg(input)
        }
        let html = SeasonIndexPage.html(report: report, plots: plots)
        #expect(html.components(separatedBy: "class=\"leveler\"").count - 1 == plots.count)
        #expect(html.contains("<title>leveler gain -2.0 to +4.0 dB</title>"))
        #expect(html.contains("gain reduction up to 2.5 dB</title>"))
        let ids = html.components(separatedBy: " id=\"").dropFirst().map { String($0.prefix { $0 != "\"" }) }
        #expect(ids.count == Set(ids).count, "duplicate ids: \(ids.sorted())")
        for svg in html.components(separatedBy: "<svg ").dropFirst() {
            let end = try #require(svg.range(of: "</svg>"))
            let root = try XMLTree.parse("<svg " + svg[..<end.upperBound])
            #expect(root.all("g").contains { $0.attributes["class"] == "limiter-axis" })
        }
    }

    // §7 #16: after an incremental run the header said "5 written … 0 unchanged", on a page whose
    // `<html lang="en">` was fixed whatever the show's language.
    @Test func headerCountsEpisodesUpToDateAsTheConsoleDoesOnAPageInTheShowsLanguage() throws {
        let (report, _) = Self.sampleReportAndPlots()
        let rerun = SeasonReport(
            title: report.title, target: LoudnessTarget(integratedLUFS: -16, truePeakDBTP: -1),
            episodes: report.episodes, upToDate: ["ep1", "ep3"])
        #expect(rerun.totals.skipped == 1, "a failed episode is not up to date")
        #expect(rerun.totals.succeeded == 2)
        let html = SeasonIndexPage.html(report: rerun, plots: [:])
        #expect(html.contains("3 episodes: 1 processed, 1 up to date, 1 failed"), "\(html.prefix(2000))")
        #expect(html.contains("<html lang=\"en\">"), "no show language: en")
        #expect(SeasonIndexPage.html(report: rerun, plots: [:], language: "fr-FR").contains("<html lang=\"fr-FR\">"))
    }

    // A mono episode showed "Output I −19.0" under a "Target −16.0 LUFS" header, with nothing to say why.
    @Test func aDualMonoEpisodesCellSaysHowItIsHeard() {
        var mono = SeasonIndexPage.Row(
            episode: "ep03", title: "Puce", durationSeconds: 16, inputIntegratedLUFS: -29.7,
            outputIntegratedLUFS: -19.01, outputTruePeakDBTP: -1.2, gainDB: 10.7, status: .ok)
        let stereo = SeasonIndexPage.html(title: "t", targetLUFS: -16, ceilingDBTP: -1, rows: [mono])
        #expect(!stereo.contains("dual-mono"), "only a dual-mono row is explained")
        mono.dualMono = true
        let html = SeasonIndexPage.html(title: "t", targetLUFS: -16, ceilingDBTP: -1, rows: [mono])
        #expect(html.contains("<td>-19.0<br><small>mono, heard as -16.0 on two speakers (dual-mono)</small></td>"))
    }

    // The walk-through's ep04: a lint error shown in the warnings' orange, its status just "warning".
    @Test func anEpisodeWithALintErrorIsMarkedAsSuchNotAsAWarning() {
        let notes = [
            "opus: after 3 passes the true peak is -0.73 dBTP, over the -1.0 dBTP ceiling",
            "ep04.opus: lint error: true peak -0.73 dBTP, above the -1.0 dBTP ceiling [loudness.true-peak]",
        ]
        let row = SeasonIndexPage.Row(
            episode: "ep04", title: "Noyau", durationSeconds: 19, inputIntegratedLUFS: -24.5,
            outputIntegratedLUFS: -16.1, outputTruePeakDBTP: -0.73, gainDB: 8.4, status: .warning, notes: notes)
        let html = SeasonIndexPage.html(title: "t", targetLUFS: -16, ceilingDBTP: -1, rows: [row])
        #expect(html.contains("<td class=\"status-lint-error\">lint error</td>"))
        #expect(html.contains("<li class=\"lint-error\">ep04.opus: lint error:"))
        #expect(html.contains("<li>opus: after 3 passes"), "a warning stays a warning")
        var warned = row
        warned.notes = [notes[0]]
        #expect(
            SeasonIndexPage.html(title: "t", targetLUFS: -16, ceilingDBTP: -1, rows: [warned])
                .contains("<td class=\"status-warning\">warning</td>"))
    }

    @Test func longSeriesAreReducedToOnePointPerPixelColumn() throws {
        let count = 54_000  // 90 minutes at 100 ms
        let series = (0..<count).map { Float(-16 + sin(Double($0) * 0.01)) }
        let input = LoudnessPlotInput(
            momentaryLUFS: series, shortTermLUFS: series, targetLUFS: -16,
            durationSeconds: 5400)
        let svg = LoudnessPlot.svg(input, options: LoudnessPlotOptions(width: 960))
        let root = try XMLTree.parse(svg)
        let path = try #require(root.all("path").first { $0.attributes["class"] == "momentary" })
        let points = (path.attributes["d"] ?? "").filter { $0 == "L" || $0 == "M" }.count
        #expect(points <= 960 && points > 400)
        #expect(svg.utf8.count < 120_000)
    }

    static func sampleReportAndPlots() -> (SeasonReport, [String: String]) {
        let titles = ["Pilot: R&D <live>", "Second \"episode\"", "Broken one"]
        var entries: [EpisodeReportEntry] = []
        var plots: [String: String] = [:]
        for (i, title) in titles.enumerated() {
            let id = "ep\(i + 1)"
            let failed = i == 2
            entries.append(
                failed
                    ? EpisodeReportEntry(
                        failed: id, title: title, inputFile: "raw/\(id).wav",
                        error: "raw/ep3.wav: not a readable audio file")
                    : processedEntry(
                        id, title: title, inputFile: "raw/\(id).wav", inputLUFS: -21.3 + Double(i),
                        inputTruePeakDBTP: -2, inputSeconds: 300, outputLUFS: -16.1 + 0.1 * Double(i),
                        outputTruePeakDBTP: -1.2, outputSeconds: 287.5, gainDB: 5.2,
                        outputs: [ReportOutputFile(file: "\(id).mp3", format: "mp3", sizeBytes: 4_600_000)],
                        warnings: i == 1 ? ["limiter reduced gain by 3.1 dB"] : []))
            if !failed {
                plots[id] = LoudnessPlot.svg(sampleInput(title: title), options: LoudnessPlotOptions(idPrefix: id))
            }
        }
        let report = SeasonReport(
            title: "Season 2 <test> & more", target: LoudnessTarget(integratedLUFS: -16, truePeakDBTP: -1),
            episodes: entries)
        return (report, plots)
    }

    @Test func indexListsEveryEpisodeWithItsPlotAndNoExternalAssets() throws {
        let (report, plots) = Self.sampleReportAndPlots()
        let html = SeasonIndexPage.html(report: report, plots: plots)
        try writeArtifacts(html: html, svg: plots["ep1"]!)
        for entry in report.episodes {
            #expect(html.contains(MarkupEscaping.escape(entry.title!)), "title of \(entry.episode)")
            #expect(html.contains("<section id=\"\(SeasonIndexPage.anchor(entry.episode))\""))
        }
        #expect(html.components(separatedBy: "<svg ").count - 1 == plots.count)
        #expect(html.components(separatedBy: "<tr>").count - 1 == report.episodes.count + 1)
        #expect(html.contains("not a readable audio file"))
        // Nothing is loaded from elsewhere: no src at all, and every href is an anchor or a file beside the page.
        #expect(!html.contains("src="))
        #expect(!html.contains("<link") && !html.contains("<script") && !html.contains("@import"))
        let hrefs = html.components(separatedBy: "href=\"").dropFirst().map { $0.prefix { $0 != "\"" } }
        #expect(!hrefs.isEmpty)
        for href in hrefs {
            #expect(!href.contains(":") && !href.hasPrefix("//"), "external link \(href)")
        }
        // The raw title characters never appear unescaped.
        #expect(!html.contains("R&D <live>"))
    }

    @Test func inlinedPlotsAsProductionWritesThemHaveUniqueIDsAndParse() throws {
        var (report, plots) = Self.sampleReportAndPlots()
        // Production writes every plot with the default id prefix (NormalizingEpisodeProcessor).
        for key in plots.keys { plots[key] = LoudnessPlot.svg(Self.sampleInput(title: key)) }
        let html = SeasonIndexPage.html(report: report, plots: plots)
        let ids = html.components(separatedBy: " id=\"").dropFirst().map { String($0.prefix { $0 != "\"" }) }
        #expect(ids.count == Set(ids).count, "duplicate ids: \(ids.sorted())")
        #expect(ids.filter { $0.hasSuffix("-hatch") }.count == plots.count)
        // Every url(#…) reference still points at an id of the page.
        let references = html.components(separatedBy: "url(#").dropFirst().map { String($0.prefix { $0 != ")" }) }
        #expect(references.count >= plots.count)
        for reference in references { #expect(ids.contains(reference), "dangling url(#\(reference))") }
        // Each inlined plot parses on its own.
        for svg in html.components(separatedBy: "<svg ").dropFirst() {
            let end = try #require(svg.range(of: "</svg>"))
            _ = try XMLTree.parse("<svg " + svg[..<end.upperBound])
        }
        report.episodes = []
        #expect(!SeasonIndexPage.html(report: report, plots: plots).contains("<svg"))
    }

    @Test func aTamperedPlotIsInlinedWithoutScriptsHandlersOrOutsideResources() throws {
        let (report, _) = Self.sampleReportAndPlots()
        let hostile = """
            <?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)">\
            <script>alert(2)</script><rect width="5" height="5" fill="url(https://evil.example/x)"/>\
            <a href="javascript:alert(3)"><text>link</text></a><text x="1">hello &lt;b&gt;</text>\
            <foreignObject><div xmlns="http://www.w3.org/1999/xhtml">x</div></foreignObject>\
            <text style="background:url(https://evil.example/y)">kept</text></svg>
            """
        let html = SeasonIndexPage.html(report: report, plots: ["ep1": hostile, "ep2": "<svg><unclosed></svg>"])
        for bad in ["<script", "onload", "alert", "javascript:", "evil.example", "foreignObject", "style="] {
            #expect(!html.contains(bad), "\(bad) survived")
        }
        #expect(html.contains("kept") && html.contains("hello &lt;b&gt;"))
        // One plot inlined (the one that parses).
        #expect(html.components(separatedBy: "<svg ").count - 1 == 1)
    }

    @Test func episodesWhoseAnchorsWouldCollideGetDistinctSections() {
        let rows = ["a b", "a-b", "a?b"].map {
            SeasonIndexPage.Row(
                episode: $0, title: $0, durationSeconds: 1, inputIntegratedLUFS: nil,
                outputIntegratedLUFS: nil, outputTruePeakDBTP: nil, gainDB: nil, status: .ok)
        }
        let html = SeasonIndexPage.html(title: "t", targetLUFS: -16, ceilingDBTP: -1, rows: rows)
        let ids = html.components(separatedBy: "<section id=\"").dropFirst().map { String($0.prefix { $0 != "\"" }) }
        #expect(ids.count == 3 && Set(ids).count == 3)
        for id in ids { #expect(html.contains("href=\"#\(id)\"")) }
    }

    /// Writes the page and one plot to `PODSMITH_ARTIFACT_DIR` when it is set.
    private func writeArtifacts(html: String, svg: String) throws {
        guard let dir = ProcessInfo.processInfo.environment["PODSMITH_ARTIFACT_DIR"] else { return }
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        try html.write(toFile: dir + "/index.html", atomically: true, encoding: .utf8)
        try svg.write(toFile: dir + "/ep1.loudness.svg", atomically: true, encoding: .utf8)
    }
}
