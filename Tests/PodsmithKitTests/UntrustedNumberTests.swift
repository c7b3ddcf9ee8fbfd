import Foundation
import PodsmithTestSupport
import Testing

@testable import PodsmithCodecs
@testable import PodsmithCore
@testable import PodsmithKit
@_spi(ManifestReading) @testable import PodsmithSeason

/// Numbers that arrive from outside (a manifest, an episode report found in OUTDIR, the batch system's
/// environment, a very long encode) become an error or a documented fallback, never a trap.
@Suite struct UntrustedNumberTests {
    private func issues(_ path: String) -> [ManifestIssue] {
        do {
            _ = try SeasonPlan.load(path: path)
            return []
        } catch {
            return error.issues
        }
    }

    @Test(arguments: ["1e19", "-1e19", "1e300"])
    func aHugeJSONBitrateIsAnIssueNotATrap(number: String) throws {
        let f = try SeasonFixture()
        try f.writeRaw("a.wav", seed: 1)
        let path = try f.write(
            "s.json",
            #"{"show": {"title": "T"}, "defaults": {"bitrate": \#(number)}, "episodes": [{"file": "raw/a.wav"}]}"#)
        let found = issues(path)
        #expect(found.map(\.path) == ["defaults.bitrate"], "\(found)")
    }

    @Test(arguments: ["trim_pad", "max_pause", "max_gain", "target"])
    func aHugeJSONSettingIsAnIssue(key: String) throws {
        let f = try SeasonFixture()
        try f.writeRaw("a.wav", seed: 1)
        let path = try f.write(
            "s.json",
            #"{"show": {"title": "T"}, "defaults": {"\#(key)": 1e300}, "episodes": [{"file": "raw/a.wav"}]}"#)
        #expect(issues(path).map(\.path) == ["defaults.\(key)"])
    }

    @Test func absurdSlurmValuesAreAnErrorNotATrap() throws {
        let environment = [
            "SLURM_ARRAY_TASK_ID": "-9223372036854775808", "SLURM_ARRAY_TASK_MIN": "1",
            "SLURM_ARRAY_TASK_COUNT": "4",
        ]
        #expect(throws: ShardSelectionError.self) {
            _ = try ShardSelector.resolve(explicit: nil, environment: environment)
        }
        let overflowUp = [
            "SLURM_ARRAY_TASK_ID": "9223372036854775807", "SLURM_ARRAY_TASK_MIN": "-1",
            "SLURM_ARRAY_TASK_COUNT": "4",
        ]
        #expect(throws: ShardSelectionError.self) {
            _ = try ShardSelector.resolve(explicit: nil, environment: overflowUp)
        }
        // The ordinary case still works: task 5 of an array starting at 4 is shard 1.
        let ordinary = ["SLURM_ARRAY_TASK_ID": "5", "SLURM_ARRAY_TASK_MIN": "4", "SLURM_ARRAY_TASK_COUNT": "4"]
        #expect(try ShardSelector.resolve(explicit: nil, environment: ordinary) == ShardSelector(index: 1, count: 4))
    }

    /// A damaged or foreign `STEM.report.json` in OUTDIR can claim any duration; `--merge` formats it.
    @Test(arguments: [1e300, -1e300, Double.infinity, -Double.infinity, Double.nan])
    func absurdDurationsAreFormattedNotTrapped(seconds: Double) throws {
        #expect(!LoudnessPlot.clock(seconds).isEmpty)
        let episode = PodcastEpisode(
            title: "E", guid: "g", pubDate: Date(timeIntervalSince1970: 0), description: "",
            enclosure: FeedEnclosure(fileName: "e.mp3", byteSize: 1, mimeType: "audio/mpeg"),
            durationSeconds: seconds)
        let show = PodcastShow(
            title: "S", author: "A", ownerName: "O", ownerEmail: "o@example.org", description: "D", language: "en",
            categories: [], explicit: false, artworkURL: nil, link: nil)
        let xml = PodcastFeedBuilder.render(show: show, episodes: [episode])
        // Not finite or negative: 0; absurdly long: capped at ten years.
        let expected = seconds.isFinite && seconds > 0 ? 10 * 366 * 86_400 : 0
        #expect(xml.contains("<itunes:duration>\(expected)</itunes:duration>"), "\(xml)")
    }

    /// An Info tag frame (MPEG-1 Layer III, 128 kbit/s, 44.1 kHz, joint stereo: 417 bytes) with
    /// `"Info"` after the 32 bytes of stereo side information.
    static func infoFrame() -> [UInt8] {
        var frame = [UInt8](repeating: 0, count: 417)
        frame[0...3] = [0xFF, 0xFB, 0x90, 0x64]
        frame[36...39] = ArraySlice("Info".utf8)
        return frame
    }

    @Test func aJoinedStreamOver4GiBRecordsItsLengthAsUnknown() throws {
        var tag = try #require(LAMEInfoTag(template: Self.infoFrame()))
        tag.byteCount = 123_456
        tag.musicLength = 123_456
        #expect(tag.byteCount == 123_456 && tag.musicLength == 123_456)
        // About 30 hours at 320 kbit/s: more than the 32-bit fields hold, so 0 ("unknown") is written.
        let fiveGiB = 5 << 30
        tag.byteCount = fiveGiB
        tag.musicLength = fiveGiB
        #expect(tag.byteCount == 0)
        tag.musicLength = Int(UInt32.max)
        #expect(tag.musicLength == Int(UInt32.max))
        tag.musicLength = Int(UInt32.max) + 1
        #expect(tag.musicLength == 0)
    }
}
