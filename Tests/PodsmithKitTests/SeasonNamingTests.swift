import Foundation
import PodsmithTestSupport
import Testing

@testable import PodsmithCodecs
@testable import PodsmithCore
@testable import PodsmithKit
@testable import PodsmithSeason

@Suite struct SeasonNamingTests {
    @Test func sanitizedStemsCannotLeaveTheFolder() {
        #expect(OutputNaming.sanitizeStem("../x") == "x")
        #expect(OutputNaming.sanitizeStem("../../etc/passwd") == "etc-passwd")
        #expect(OutputNaming.sanitizeStem("a/b") == "a-b")
        #expect(OutputNaming.sanitizeStem("a\\b") == "a-b")
        #expect(OutputNaming.sanitizeStem("bell\u{07}tab\there\nnl\u{7F}") == "belltabherenl")
        #expect(OutputNaming.sanitizeStem(".podsmith") == "podsmith")
        #expect(OutputNaming.sanitizeStem("ends with dot.") == "ends with dot")
        for empty in ["", "   ", ".", "..", "...", "/", "\u{01}\u{02}", "-", "./."] {
            #expect(OutputNaming.sanitizeStem(empty) == nil, "\(empty.debugDescription)")
        }
        let long = String(repeating: "é", count: 200)
        let cut = OutputNaming.sanitizeStem(long)!
        #expect(cut.utf8.count <= OutputNaming.maximumStemBytes && cut.allSatisfy { $0 == "é" })
    }

    // §7 #11: "L’œil" became `l-il` and "Æsop" `sop`.
    @Test func slugsSpellOutLigaturesAndLettersWithoutADiacritic() {
        #expect(
            OutputNaming.slug("L’œil de l’IA : épisode n°3 — « Ça va » ?") == "l-oeil-de-l-ia-episode-n-3-ca-va")
        #expect(OutputNaming.slug("Æsop") == "aesop")
        #expect(OutputNaming.slug("cœur, Œuvre") == "coeur-oeuvre")
        #expect(OutputNaming.slug("Straße Øresund Łódź") == "strasse-oresund-lodz")
        #expect(OutputNaming.slug("ﬁn") == "fin")
    }

    @Test func slugsAreLowerCaseAsciiWordsJoinedByDashes() {
        #expect(OutputNaming.slug("Episode 1: Hello, World!") == "episode-1-hello-world")
        #expect(OutputNaming.slug("  Café Crème — Ça va?  ") == "cafe-creme-ca-va")
        #expect(OutputNaming.slug("../../x") == "x")
        #expect(OutputNaming.slug("a/b") == "a-b")
        #expect(OutputNaming.slug("tab\there") == "tab-here")
        #expect(OutputNaming.slug("!!!") == nil)
        #expect(OutputNaming.slug("") == nil)
        #expect(OutputNaming.slug("日本語") == nil)
    }

    @Test func everySanitizedNameIsASafeFileName() {
        let nasty = ["../x", "a/b", "..", "x\u{00}y", "\u{1B}[2J", " . ", "a/../../b", "con", "ok"]
        for name in nasty {
            if let stem = OutputNaming.sanitizeStem(name) {
                #expect(OutputNaming.isSafeFileName(stem + ".mp3"), "\(name)")
            }
            if let slug = OutputNaming.slug(name) { #expect(OutputNaming.isSafeFileName(slug + ".mp3"), "\(name)") }
        }
    }

    @Test func pathsOutsideTheFolderAreRefused() throws {
        for bad in ["../x.mp3", "a/b.mp3", "..", ".", "", "x\ny", "/etc/passwd"] {
            #expect(throws: PodsmithError.self, "\(bad.debugDescription)") {
                try OutputNaming.path(in: "/out", fileName: bad)
            }
        }
        #expect(try OutputNaming.path(in: "/out", fileName: "ep.mp3") == "/out/ep.mp3")
    }

    @Test func collisionsAreFoundCaseInsensitively() {
        let found = OutputNaming.collisions([["a.mp3", "a.report.json"], ["b.mp3"], ["A.mp3"], ["c.mp3", "B.MP3"]])
        #expect(found.map(\.index) == [2, 3])
        #expect(found.map(\.earlier) == [0, 1])
    }

    @Test func titleNamingFallsBackToTheFileStem() {
        #expect(OutputNaming.stem(for: EpisodeEntry(file: "raw/ep1.wav", title: "???"), scheme: .title) == "ep1")
        #expect(OutputNaming.stem(for: EpisodeEntry(file: "raw/ep1.wav", title: "Hi"), scheme: .title) == "hi")
        #expect(OutputNaming.stem(for: EpisodeEntry(file: "raw/ep1.wav", title: "Hi"), scheme: .stem) == "ep1")
        #expect(OutputNaming.stem(for: EpisodeEntry(file: "raw/ep1.wav", output: "../up"), scheme: .title) == "up")
    }
}
