import Foundation
import PodsmithTestSupport
import Testing

@testable import PodsmithKit
@testable import PodsmithSeason

/// The season-wide files (`report.json`, `index.html`, `feed.xml`, the artwork copy) and the state
/// folder never replace an input of the season: the plan refuses before anything is written, and
/// `--merge` (the publisher alone) refuses too. The inputs here are arbitrary bytes: nothing is decoded.
@Suite struct SeasonInputProtectionTests {
    /// A one-episode JSON manifest written at `relative` (under the fixture root), with extra show
    /// and episode keys.
    static func manifest(
        _ f: SeasonFixture, at relative: String, show: String = "", episode: String = ""
    ) throws -> String {
        let input = try f.writeRaw("ep01.wav", seed: 1)
        return try f.write(
            relative,
            #"{"show": {"title": "T"\#(show)}, "episodes": [{"file": "\#(input)", "title": "One"\#(episode)}]}"#)
    }

    @Test(arguments: ["report.json", "index.html", "feed.xml"])
    func aManifestKeptUnderASeasonFileNameInTheOutputFolderIsRefused(name: String) throws {
        let f = try SeasonFixture()
        let path = try Self.manifest(f, at: "out/" + name)
        let before = try Data(contentsOf: URL(fileURLWithPath: path))
        let plan = try SeasonPlan.load(path: path)
        let problems = plan.problems(outputDirectory: f.out)
        #expect(problems.count == 1, "\(problems)")
        #expect(problems.first?.message.contains("writing \(name) into") == true, "\(problems)")
        #expect(problems.first?.message.contains("the manifest") == true, "\(problems)")
        // --merge writes only the season files: it refuses the same way, before writing any.
        #expect(throws: ManifestValidationError.self) {
            try SeasonPublisher.publish(plan: plan, outputDirectory: f.out, generatedAt: nil)
        }
        #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == before)
        #expect(f.outputFiles().keys.sorted() == [name])
    }

    @Test func anEpisodeCoverKeptAsTheShowArtworkCopyIsRefused() throws {
        let f = try SeasonFixture()
        let cover = try f.writeRaw("cover.jpg", seed: 7)
        let own = try f.write("out/artwork.jpg", "the episode's own cover")
        let path = try Self.manifest(
            f, at: "season.json", show: #", "artwork": "\#(cover)""#, episode: #", "artwork": "\#(own)""#)
        let problems = try SeasonPlan.load(path: path).problems(outputDirectory: f.out)
        #expect(problems.map(\.path) == ["\(f.raw)/ep01.wav"], "\(problems)")
        #expect(problems.first?.message.contains("artwork.jpg") == true)
        #expect(problems.first?.message.contains("'s artwork") == true, "\(problems)")
    }

    @Test func theShowCoverKeptAsItsOwnCopyIsAllowed() throws {
        // Copying the cover onto itself loses nothing: a folder that already publishes artwork.jpg keeps working.
        let f = try SeasonFixture()
        let cover = try f.write("out/artwork.jpg", "the show's cover")
        let path = try Self.manifest(f, at: "season.json", show: #", "artwork": "\#(cover)""#)
        #expect(try SeasonPlan.load(path: path).problems(outputDirectory: f.out).isEmpty)
    }

    @Test func anInputInsideTheStateFolderIsRefused() throws {
        let f = try SeasonFixture()
        let chapters = try f.write("out/.podsmith/chapters.json", #"{"version": "1.2.0", "chapters": []}"#)
        let path = try Self.manifest(f, at: "season.json", episode: #", "chapters": "\#(chapters)""#)
        let problems = try SeasonPlan.load(path: path).problems(outputDirectory: f.out)
        #expect(problems.count == 1, "\(problems)")
        #expect(problems.first?.message.contains("inside the state folder") == true, "\(problems)")
    }

    @Test func anEpisodeFileWrittenOverAHardLinkedInputIsRefused() throws {
        // Same inode under another name: the path spelling must not matter.
        let f = try SeasonFixture()
        let path = try Self.manifest(f, at: "season.json")
        try FileManager.default.createDirectory(atPath: f.out, withIntermediateDirectories: true)
        #expect(link(f.raw + "/ep01.wav", f.out + "/ep01.waveform.json") == 0)
        let problems = try SeasonPlan.load(path: path).problems(outputDirectory: f.out)
        #expect(problems.map(\.path) == ["\(f.raw)/ep01.wav"], "\(problems)")
        #expect(problems.first?.message.contains("ep01.waveform.json") == true)
    }

    @Test func normalizeSidecarsAreCheckedAgainstEveryInputByOneOwner() throws {
        let f = try SeasonFixture()
        let input = try f.writeRaw("ep.wav", seed: 1)
        let transcript = try f.write("raw/ep.transcript.srt", "1\n00:00:01,000 --> 00:00:02,000\nhi\n")
        #expect(throws: PodsmithError.sidecarIsInput(sidecar: transcript, input: transcript, role: "--transcript file"))
        {
            try OutputInputOverlap.checkNormalize(
                input: input, output: f.raw + "/ep.mp3", chapters: nil, artwork: nil, transcript: transcript)
        }
        // An artwork file named like the transcript sidecar is an input too.
        let art = try f.write("raw/ep.transcript.vtt", "not really a picture")
        let other = try f.write("notes.srt", "1\n00:00:01,000 --> 00:00:02,000\nhi\n")
        #expect(throws: PodsmithError.sidecarIsInput(sidecar: art, input: art, role: "--artwork file")) {
            try OutputInputOverlap.checkNormalize(
                input: input, output: f.raw + "/ep.mp3", chapters: nil, artwork: art, transcript: other)
        }
        try OutputInputOverlap.checkNormalize(
            input: input, output: f.out + "/ep.mp3", chapters: nil, artwork: art, transcript: transcript)
    }
}
