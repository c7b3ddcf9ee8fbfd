import Foundation
import PodsmithTestSupport
import Testing

@testable import PodsmithKit
@testable import PodsmithSeason

/// `season --merge` builds the season files from what it finds in the output folder, which other
/// machines (or anyone who can write there) filled: a report naming a file outside the folder, a
/// plot carrying a script or numbers no recording has must not leak, inject or trap.
@Suite struct SeasonMergeTrustTests {
    /// A finished two-episode season (fake processor), then `edit` applied to the folder, then a merge.
    static func mergeAfter(
        _ edit: (SeasonFixture) throws -> Void
    ) throws -> (SeasonFixture, SeasonPublisher.Outcome) {
        let f = try SeasonFixture()
        let manifest = try f.manifest(episodes: 2, defaults: "  formats: [mp3@128k]\n")
        _ = try runSeason(manifest, out: f.out, processor: FakeProcessor())
        try edit(f)
        let outcome = try SeasonPublisher.publish(
            plan: try SeasonPlan.load(path: manifest), outputDirectory: f.out, generatedAt: nil)
        return (f, outcome)
    }

    /// Rewrites `out/NAME` through `change` on its text.
    static func rewrite(_ f: SeasonFixture, _ name: String, _ change: (String) -> String) throws {
        let path = f.out + "/" + name
        try change(try String(contentsOfFile: path, encoding: .utf8)).write(
            toFile: path, atomically: true, encoding: .utf8)
    }

    @Test func aReportNamingAFileOutsideTheFolderListsTheEpisodeAsMissing() throws {
        let outside = String(repeating: "../", count: 12) + "etc/passwd"
        let (f, outcome) = try Self.mergeAfter { f in
            try Self.rewrite(f, "ep01.report.json") {
                $0.replacingOccurrences(of: "\"ep01.mp3\"", with: "\"\(outside)\"")
            }
            #expect(try String(contentsOfFile: f.out + "/ep01.report.json", encoding: .utf8).contains(outside))
        }
        #expect(outcome.missing == ["ep01"])
        #expect(outcome.published == 1)
        let feed = try String(contentsOfFile: f.out + "/feed.xml", encoding: .utf8)
        #expect(!feed.contains("passwd") && feed.contains("ep02.mp3"))
    }

    @Test func aPlotWithAScriptIsInlinedWithoutIt() throws {
        let (f, _) = try Self.mergeAfter { f in
            let svg = #"<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script><rect id="hatch"/></svg>"#
            for stem in ["ep01", "ep02"] {
                try svg.write(toFile: f.out + "/\(stem).loudness.svg", atomically: true, encoding: .utf8)
            }
        }
        let page = try String(contentsOfFile: f.out + "/index.html", encoding: .utf8)
        #expect(!page.contains("<script") && !page.contains("alert"))
        #expect(page.components(separatedBy: "<svg ").count - 1 == 2)
        let ids = page.components(separatedBy: " id=\"").dropFirst().map { String($0.prefix { $0 != "\"" }) }
        #expect(ids.count == Set(ids).count, "\(ids)")
    }

    @Test func aPlotThatIsADeviceIsLeftOutNotReadForever() throws {
        let (f, outcome) = try Self.mergeAfter { f in
            #expect(symlink("/dev/zero", f.out + "/ep01.loudness.svg") == 0)
        }
        #expect(outcome.published == 2)
        #expect(FileManager.default.fileExists(atPath: f.out + "/index.html"))
    }

    @Test func absurdNumbersInADamagedReportOrChaptersFileDoNotTrap() throws {
        let (f, outcome) = try Self.mergeAfter { f in
            // An average bitrate of size·8/1e-300 and a chapter at 1e300 s overflowed Int.
            try Self.rewrite(f, "ep01.report.json") {
                $0.replacingOccurrences(
                    of: #""durationSeconds"\s*:\s*[0-9.e+-]+"#, with: #""durationSeconds": 1e-300"#,
                    options: .regularExpression)
            }
            #expect(try String(contentsOfFile: f.out + "/ep01.report.json", encoding: .utf8).contains("1e-300"))
            try
                #"{"version": "1.2.0", "chapters": [{"startTime": 0, "title": "A"}, {"startTime": 1e300, "title": "B"}]}"#
                .write(toFile: f.out + "/ep02.chapters.json", atomically: true, encoding: .utf8)
        }
        #expect(outcome.published == 2)
        let feed = try String(contentsOfFile: f.out + "/feed.xml", encoding: .utf8)
        #expect(feed.contains("00:00:00 A"), "chapter notes of ep02")
    }
}
