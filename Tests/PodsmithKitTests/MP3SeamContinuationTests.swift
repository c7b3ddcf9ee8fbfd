import Foundation
import PodsmithTestSupport
import Testing

@testable import PodsmithCodecs
@testable import PodsmithCore
@testable import PodsmithKit

/// A seam window with no clean seam is repaired locally: the previous segment's encoder goes on through
/// the next segment, so there is no seam there. And the file depends on the input only, not on the
/// number of threads.
@Suite struct MP3SeamContinuationTests {
    typealias P = ParallelMP3EncoderTests

    /// Windows with no clean seam are rare on real input (about one in 40–90 on speech), so two are
    /// made here by searching no frame of them; what follows is the encoder's real continuation path.
    @Test func aWindowWithoutACleanSeamIsEncodedThroughByThePreviousSegmentsEncoder() throws {
        let rate = 44_100.0
        let input = P.signal("speech", seconds: 20, sampleRate: rate, channels: 2)
        // Segments of 140 frames: windows at frames 140, 280, 420, 560 and 700; 280 and 420 have none.
        let (report, parallel) = try P.checkSeams(
            input, sampleRate: rate, label: "two windows without a seam",
            fault: .findsNoSeam(inSegments: [2, 3]), continued: 2
        ) { parallel in
            // Gapless: the decoded length is the input's (checkSeams), and the tag describes the stream.
            _ = try P.checkTag(parallel.path, inputFrames: input[0].count)
            if (try? ExternalTools.run("ffmpeg", ["-version"]))?.status == 0 {
                let check = try ExternalTools.run("ffmpeg", ["-v", "error", "-i", parallel.path, "-f", "null", "-"])
                #expect(check.status == 0 && check.stderr.isEmpty, "ffmpeg: \(check.stderr)")
                #expect(try ExternalTools.ffmpegDecodedFrames(parallel.path, channels: 2) == input[0].count)
            }
        }
        #expect(parallel.statistics.continued == 2)
        #expect(parallel.seams.count == 3)
        #expect(!parallel.seams.contains { (280..<304).contains($0) || (420..<444).contains($0) })
        #expect(report.worstEnergyExcessDB <= 1.0)
        #expect(report.worstStepRatio <= 1.0)
    }

    /// With no clean seam anywhere, the first segment's encoder goes on to the end: the audio frames
    /// are then LAME's own single stream, byte for byte (the continuation leaves nothing of a seam).
    @Test func noCleanSeamAnywhereGivesLAMEsOwnStream() throws {
        let rate = 48_000.0
        let input = P.signal("music", seconds: 12, sampleRate: rate, channels: 1)
        let singlePath = try P.encodeSingle(input, sampleRate: rate)
        let parallel = try P.encodeParallel(
            input, sampleRate: rate, threads: 3, fault: .findsNoSeam(inSegments: Set(1..<100)))
        defer {
            try? FileManager.default.removeItem(atPath: singlePath)
            try? FileManager.default.removeItem(atPath: parallel.path)
        }
        #expect(parallel.seams.isEmpty)
        #expect(parallel.statistics == ParallelMP3Encoder.SeamStatistics(continued: 3))
        let single = try P.audioBytes(singlePath), joined = try P.audioBytes(parallel.path)
        let tagLength = try MP3FrameLayout(single).frames[0].length
        #expect(single.count == joined.count)
        #expect(single[tagLength...].elementsEqual(joined[tagLength...]))
        _ = try P.checkTag(parallel.path, inputFrames: input[0].count)
    }

    /// Segments and seams come from the audio alone: 1, 2, 3 and 16 threads write the same file, with
    /// a seam every 140 frames, and with a continuation among them.
    @Test(
        "the file is the same for any number of threads",
        arguments: [Set<Int>(), [2]])
    func theFileIsTheSameForAnyThreadCount(noSeamIn: Set<Int>) throws {
        let rate = 44_100.0
        let input = P.signal("speech", seconds: 12, sampleRate: rate, channels: 2)
        var files: [Data] = []
        var statistics: [ParallelMP3Encoder.SeamStatistics] = []
        for threads in [1, 2, 3, 16] {
            let encode = try P.encodeParallel(
                input, sampleRate: rate, threads: threads, fault: .findsNoSeam(inSegments: noSeamIn))
            defer { try? FileManager.default.removeItem(atPath: encode.path) }
            files.append(try Data(contentsOf: URL(fileURLWithPath: encode.path)))
            statistics.append(encode.statistics)
        }
        #expect(statistics.allSatisfy { $0 == statistics[0] }, "\(statistics)")
        #expect(statistics[0].seams + statistics[0].continued == 3)
        #expect(statistics[0].continued == noSeamIn.count)
        #expect(files.allSatisfy { $0 == files[0] }, "\(files.map(\.count))")
    }

    /// A season's idle workers lend their cores to an encode that runs on one thread: it starts more
    /// threads while segments wait, gives every core back, and writes the same bytes.
    @Test func coresLentToAnEncodeAreUsedAndGivenBackWithoutChangingTheFile() throws {
        let rate = 44_100.0
        let input = P.signal("speech", seconds: 12, sampleRate: rate, channels: 2)
        let alone = try P.encodeParallel(input, sampleRate: rate, threads: 1)
        defer { try? FileManager.default.removeItem(atPath: alone.path) }
        let spare = SpareCores()
        spare.lend(2)
        let path = TemporaryFolder.uniquePath(".mp3")
        defer { try? FileManager.default.removeItem(atPath: path) }
        let encoder = try ParallelMP3Encoder(
            path: path, sampleRate: rate, channelCount: 2, threads: 1, layout: P.testLayout, spareCores: spare)
        try EncoderTestSupport.encode(encoder, planes: input, sampleRate: rate, blockSize: 3000)
        #expect(encoder.lentThreads >= 1)
        #expect(spare.count == 2)
        #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == Data(contentsOf: URL(fileURLWithPath: alone.path)))
    }
}
