import Foundation
import PodsmithTestSupport
import Testing

@testable import PodsmithCodecs
@testable import PodsmithCore
@testable import PodsmithKit
@testable import PodsmithSeason

/// Kills `podsmith season` at many points (SIGINT, SIGTERM and SIGKILL, at pseudo-random delays) and
/// checks after each that every output in the folder is either complete — it decodes to its full
/// length, carries its tags and is recorded in the episode's state — or absent; that after a SIGKILL
/// only hidden temporaries remain, which the next run removes; and that the next run finishes the
/// season. Bounded: a fixed list of kill points, each run capped in time.
@Suite(.serialized) struct SeasonInterruptionTests {
    /// Kill points: the signal and when to send it, as a fraction of a full run's duration (measured
    /// first, so the points land inside the work whatever the machine's speed). Deterministic (a fixed
    /// pseudo-random sequence), spread from 5 % to 60 % of the run: later points missed the run's end
    /// on a loaded machine, where a run can be a third faster than the one that set the scale.
    static let killPoints: [(signal: Int32, fraction: Double)] = {
        var state: UInt64 = 0x5EA5_0000_0001
        let signals: [Int32] = [SIGKILL, SIGINT, SIGTERM]
        return (0..<9).map { i in
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return (signals[i % 3], 0.05 + 0.55 * Double(state >> 11) / Double(1 << 53))
        }
    }()

    @Test func seasonSurvivesBeingKilledAtManyPoints() throws {
        let fixture = try SeasonCommandTests.SeasonFixture(count: 6, formats: "[mp3, flac]")
        let started = Date()
        let full = try CommandRunner.run(["season", fixture.manifest, "-o", fixture.out, "--jobs", "2", "--quiet"])
        #expect(full.status == 0, "\(full.stderr)")
        let duration = Date().timeIntervalSince(started)
        var survived = 0, interrupted = 0
        for (signal, fraction) in Self.killPoints {
            let delay = Int(fraction * duration * 1000)
            let process = Process()
            process.executableURL = CommandRunner.binary
            // --force: every run redoes the whole season, so every kill lands in the middle of work.
            process.arguments = ["season", fixture.manifest, "-o", fixture.out, "--jobs", "2", "--quiet", "--force"]
            process.standardError = FileHandle.nullDevice
            try process.run()
            usleep(useconds_t(delay * 1000))
            kill(process.processIdentifier, signal)
            let killed = Date()
            process.waitUntilExit()
            // Promptly, on the scale of this machine and build: in less than a third of an uninterrupted
            // run (6 episodes on 2 jobs, so about the time one episode takes), i.e. without finishing the
            // episodes in hand.
            let stopping = Date().timeIntervalSince(killed)
            #expect(
                stopping < duration / 3, "signal \(signal): stopped in \(stopping) s, a full run took \(duration) s")
            if process.terminationStatus != 0 { interrupted += 1 }
            if process.terminationReason == .uncaughtSignal {
                #expect(signal == SIGKILL || process.terminationStatus == signal)
            } else if process.terminationStatus != 0 {
                #expect(process.terminationStatus == 128 + signal, "signal \(signal) gave \(process.terminationStatus)")
            }
            try checkFolder(fixture, afterSIGKILL: signal == SIGKILL, pid: process.processIdentifier)
            survived += 1
        }
        #expect(survived == Self.killPoints.count)
        #expect(interrupted >= Self.killPoints.count - 2, "most kills must land before the run ends: \(interrupted)")

        // The next run removes any leftover and finishes the season.
        let finish = try CommandRunner.run(["season", fixture.manifest, "-o", fixture.out, "--quiet"])
        #expect(finish.status == 0, "\(finish.stderr)")
        let names = try FileManager.default.contentsOfDirectory(atPath: fixture.out)
        #expect(!names.contains { $0.contains(AtomicOutputFile.marker) }, "leftover temporaries: \(names)")
        for n in 1...fixture.count {
            #expect(names.contains(String(format: "ep%02d.mp3", n)) && names.contains(String(format: "ep%02d.flac", n)))
        }
        try checkFolder(fixture, afterSIGKILL: false, pid: nil)
    }

    /// Every visible audio output is complete and accounted for; temporaries only after a SIGKILL.
    ///
    /// A run stopped by SIGINT or SIGTERM leaves none of its own temporaries (`pid`); one left by an
    /// earlier SIGKILLed run stays until a run takes that episode's lock (a shard cannot tell a dead
    /// writer from a live one on another machine otherwise), so with `pid` only this run's count. The
    /// final, uninterrupted run (`pid` nil) must leave none at all.
    func checkFolder(_ fixture: SeasonCommandTests.SeasonFixture, afterSIGKILL: Bool, pid: Int32?) throws {
        let fm = FileManager.default
        guard let names = try? fm.contentsOfDirectory(atPath: fixture.out) else { return }
        let temporaries = names.filter { $0.contains(AtomicOutputFile.marker) }
        let own =
            pid.map { pid in temporaries.filter { AtomicOutputFile.processID(ofTemporaryName: $0) == pid } }
            ?? temporaries
        if !afterSIGKILL { #expect(own.isEmpty, "SIGINT/SIGTERM left its own temporaries: \(own)") }
        #expect(temporaries.allSatisfy { $0.hasPrefix(".") }, "a temporary without a hidden name")
        for name in names where name.hasSuffix(".mp3") || name.hasSuffix(".flac") {
            let path = fixture.out + "/" + name
            let decoded = try LoudnessAnalysis.measure(SoundFileReader(path: path), meter: .podsmith)
            // 4 s episodes with 0.5 s of silence at each end, trimmed to a 0.3 s pad: about 3.4 s.
            #expect(decoded.durationSeconds > 3.2, "\(name) is incomplete: \(decoded.durationSeconds) s")
            let reader = try SoundFileReader(path: path)
            #expect(reader.tags["title"]?.hasPrefix("Episode ") == true, "\(name) has no title tag")
        }
        // A published episode (its report exists) is recorded in the state with the same outputs.
        for name in names where name.hasSuffix(".report.json") {
            let stem = String(name.dropLast(".report.json".count))
            let state = fixture.out + "/.podsmith/episodes/\(stem).json"
            #expect(
                fm.fileExists(atPath: state) || !fm.fileExists(atPath: fixture.out + "/\(stem).mp3"),
                "\(stem) has a report and audio but no state")
        }
    }
}
