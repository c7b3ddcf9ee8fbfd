import Foundation
import PodsmithTestSupport
import Testing

@testable import PodsmithCodecs
@testable import PodsmithCore
@testable import PodsmithKit
@testable import PodsmithSeason

/// End-to-end checks of `Normalizer`: every output is decoded and measured by libebur128 (the
/// reference, not our own meter) and must land within ±0.2 LU of the target and under the ceiling.
@Suite struct NormalizerTests {
    /// A speech-like programme: noise shaped into syllables (4 Hz) and words, with pauses, over a
    /// −60 dBFS noise floor, 1 s of silence before and 1.5 s after. Deterministic.
    static func speechLike(
        seconds: Double = 12, sampleRate: Double = 44_100, channels: Int = 2,
        levelDB: Double = -30, headSilence: Double = 1.0, tailSilence: Double = 1.5,
        seed: UInt64 = 7
    ) -> [[Float]] {
        let frames = Int(seconds * sampleRate)
        var noise = TestSignals.Noise(seed: seed)
        var floorNoise = TestSignals.Noise(seed: seed &+ 99)
        let amplitude = pow(10, levelDB / 20) * 3
        let floorAmplitude = pow(10, -60 / 20.0)
        var plane = [Float](repeating: 0, count: frames)
        var lowpass: Float = 0
        for i in 0..<frames {
            let t = Double(i) / sampleRate
            let speaking =
                t >= headSilence && t < seconds - tailSilence
                && (Int(t / 2.2) % 3 != 2 || t.truncatingRemainder(dividingBy: 2.2) < 1.4)
            var x = floorNoise.next() * Float(floorAmplitude)
            if speaking {
                let syllable = 0.5 * (1 - cos(2 * Double.pi * 4 * t))
                lowpass += 0.3 * (noise.next() - lowpass)
                x += Float(amplitude * syllable) * lowpass
            }
            plane[i] = x
        }
        return Array(repeating: plane, count: channels)
    }

    static func write(_ planes: [[Float]], sampleRate: Double, to path: String) throws {
        let writer = try SoundFileWriter(
            path: path, format: AudioFormat(sampleRate: sampleRate, channelCount: planes.count),
            options: .init(container: .wav, encoding: .float32))
        let buffer = AudioBuffer(channelCount: planes.count, capacity: planes[0].count)
        buffer.fill(from: planes)
        try writer.write(buffer)
        try writer.finish()
    }

    /// SampleAudio's Vibe Ace (Kevin MacLeod): bright music at −17.2 LUFS that peaks at −0.4 dBTP.
    static let vibeAce = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("SampleAudio/vibe-ace_kevin-macleod.ogg").path

    static func reference(_ path: String) throws -> LoudnessMeasurement {
        try LoudnessAnalysis.measure(SoundFileReader(path: path), meter: .libebur128)
    }

    final class Workspace {
        let folder: String
        init() throws {
            folder = NSTemporaryDirectory() + "podsmith-normalize-\(UUID().uuidString)"
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        }
        deinit { try? FileManager.default.removeItem(atPath: folder) }
        func path(_ name: String) -> String { folder + "/" + name }
        var contents: [String] { (try? FileManager.default.contentsOfDirectory(atPath: folder).sorted()) ?? [] }
    }

    @Test(arguments: [OutputFormat.mp3, .wav, .flac, .opus])
    func normalizesQuietSpeechToAppleTarget(format: OutputFormat) throws {
        let space = try Workspace()
        let input = space.path("quiet.wav")
        try Self.write(Self.speechLike(), sampleRate: 44_100, to: input)
        let output = space.path("out." + format.fileExtension)
        let options = NormalizeOptions(encoder: EncoderSettings(format: format))
        let report = try Normalizer(options: options).run(inputPath: input, outputPath: output)
        let measured = try Self.reference(output)
        let integrated = try #require(measured.integratedLUFS)
        #expect(abs(integrated - -16) <= 0.2, "\(format): \(integrated) LUFS")
        #expect(try #require(measured.truePeakDBTP) <= -1.0, "\(format): TP \(measured.truePeakDBTP ?? 0)")
        #expect(report.gainDB > 10, "a −30 dBFS programme needs a large boost")
        #expect(report.output != nil && report.passes >= 1)
        #expect(space.contents == ["out." + format.fileExtension, "quiet.wav"], "no temporary left behind")
    }

    /// Vibe Ace normalized to `preset` (MP3, verified): the report, libebur128's reading of the
    /// output and how many trial renders the calibration made.
    struct MusicRun: Sendable {
        var report: NormalizeReport
        var measured: LoudnessMeasurement
        var trials: Int
    }

    static func normalizeMusic(_ preset: LoudnessPreset) throws -> MusicRun {
        let space = try Workspace()
        let output = space.path("music.mp3")
        let trials = LockedBox(0)
        let report = try Normalizer(options: NormalizeOptions(target: preset.target))
            .run(inputPath: vibeAce, outputPath: output) { stage, fraction in
                if stage == .calibrating && fraction == 1 { trials.withLockedValue { $0 += 1 } }
            }
        return MusicRun(report: report, measured: try reference(output), trials: trials.withLockedValue { $0 })
    }

    /// The spotify run, made once per test process: the spotify case of
    /// ``everyPresetReachesItsTargetOnMusicThatNeedsLimiting(preset:)`` and
    /// ``limitedMusicLandsOnTargetInOneEncode()`` check the same run.
    static let spotifyMusic = Result { try normalizeMusic(.spotify) }

    @Test(arguments: [LoudnessPreset.spotify, .ebuR128, .aesSpeech, .apple])
    func everyPresetReachesItsTargetOnMusicThatNeedsLimiting(preset: LoudnessPreset) throws {
        let run = try preset == .spotify ? Self.spotifyMusic.get() : Self.normalizeMusic(preset)
        let (report, measured) = (run.report, run.measured)
        let integrated = try #require(measured.integratedLUFS)
        #expect(abs(integrated - preset.target.integratedLUFS) <= 0.2, "\(preset): \(integrated)")
        #expect(try #require(measured.truePeakDBTP) <= preset.target.truePeakDBTP, "\(preset)")
        if preset == .spotify {
            // Vibe Ace peaks at −0.4 dBTP at −17.2 LUFS: +3 dB of gain must be limited.
            #expect(report.limiterMaxReductionDB > 1)
            #expect(report.limitedSeconds > 0)
        }
    }

    @Test func monoInputIsNormalizedAsDualMonoByDefault() throws {
        let space = try Workspace()
        let input = space.path("mono.wav")
        try Self.write(Self.speechLike(sampleRate: 48_000, channels: 1), sampleRate: 48_000, to: input)
        let dual = try Normalizer(options: NormalizeOptions()).run(inputPath: input, outputPath: space.path("dual.mp3"))
        #expect(dual.monoConvention == .dualMono)
        let dualMeasured = try Self.reference(space.path("dual.mp3"))
        #expect(dualMeasured.channelCount == 1)
        #expect(dualMeasured.sampleRate == 48_000)
        #expect(abs(try #require(dualMeasured.integratedLUFS) - (-16 - 3.0103)) <= 0.2)

        let single = try Normalizer(options: NormalizeOptions(monoConvention: .singleChannel))
            .run(inputPath: input, outputPath: space.path("single.mp3"))
        #expect(single.monoConvention == .singleChannel)
        #expect(abs(try #require(Self.reference(space.path("single.mp3")).integratedLUFS) - -16) <= 0.2)
    }

    @Test func stereoRequestDuplicatesMonoAndReachesTheStereoTarget() throws {
        let space = try Workspace()
        let input = space.path("mono.wav")
        try Self.write(Self.speechLike(channels: 1), sampleRate: 44_100, to: input)
        let report = try Normalizer(options: NormalizeOptions(channels: .stereo))
            .run(inputPath: input, outputPath: space.path("stereo.mp3"))
        #expect(report.monoConvention == nil)
        let measured = try Self.reference(space.path("stereo.mp3"))
        #expect(measured.channelCount == 2)
        #expect(abs(try #require(measured.integratedLUFS) - -16) <= 0.2)
    }

    @Test func narrowbandRecordingIsResampledTo44100ForMP3() throws {
        let space = try Workspace()
        let input = space.path("phone.wav")
        try Self.write(Self.speechLike(sampleRate: 8_000, channels: 1), sampleRate: 8_000, to: input)
        _ = try Normalizer(options: NormalizeOptions()).run(inputPath: input, outputPath: space.path("phone.mp3"))
        let measured = try Self.reference(space.path("phone.mp3"))
        #expect(measured.sampleRate == 44_100)
        #expect(abs(try #require(measured.integratedLUFS) - (-16 - 3.0103)) <= 0.2)
        #expect(try #require(measured.truePeakDBTP) <= -1)
    }

    @Test func leadingAndTrailingSilenceIsTrimmedLeavingThePad() throws {
        let space = try Workspace()
        let input = space.path("padded.wav")
        try Self.write(Self.speechLike(headSilence: 2.0, tailSilence: 3.0), sampleRate: 44_100, to: input)
        let report = try Normalizer(options: NormalizeOptions(encoder: EncoderSettings(format: .wav)))
            .run(inputPath: input, outputPath: space.path("trimmed.wav"))
        let pad = SilenceOptions().padSeconds
        // The generator speaks from 2.0 s to 12 − 3.0 = 9.0 s. Its syllable envelope is zero at both
        // edges and rises the same way from each, so the detector (10 ms windows, −50 dBFS) places both
        // edges the same few hundredths of a second inside: head and tail are held to the same 0.05 s,
        // which a tail cut that keeps no pad (0.3 s off) or twice the pad would miss.
        let speechStart = 2.0, speechEnd = 12 - 3.0
        #expect(abs(report.trimmedHeadSeconds - (speechStart - pad)) <= 0.05, "head \(report.trimmedHeadSeconds)")
        #expect(
            abs(report.trimmedTailSeconds - (12 - speechEnd - pad)) <= 0.05, "tail \(report.trimmedTailSeconds)")
        let measured = try Self.reference(space.path("trimmed.wav"))
        #expect(abs(measured.durationSeconds - (12 - report.removedSeconds)) < 0.001)
    }

    @Test func noTrimKeepsEveryFrame() throws {
        let space = try Workspace()
        let input = space.path("in.wav")
        try Self.write(Self.speechLike(), sampleRate: 44_100, to: input)
        var options = NormalizeOptions(encoder: EncoderSettings(format: .flac))
        options.silence.trimHead = false
        options.silence.trimTail = false
        let report = try Normalizer(options: options).run(inputPath: input, outputPath: space.path("out.flac"))
        #expect(report.removedSeconds == 0)
        #expect(try Self.reference(space.path("out.flac")).frameCount == Int64(12 * 44_100))
    }

    @Test func chaptersAreRetimedForTheTrimAndWrittenBeside() throws {
        let space = try Workspace()
        let input = space.path("ep.wav")
        try Self.write(Self.speechLike(headSilence: 2.0), sampleRate: 44_100, to: input)
        var options = NormalizeOptions()
        options.chapters = ChapterList(chapters: [
            Chapter(startTime: 0, title: "Intro"),
            Chapter(startTime: 6, title: "Main"),
        ])
        let output = space.path("ep.mp3")
        let report = try Normalizer(options: options).run(inputPath: input, outputPath: output)
        let sidecar = try ChapterList.load(path: space.path("ep.chapters.json"))
        #expect(sidecar.chapters.map(\.title) == ["Intro", "Main"])
        #expect(sidecar.chapters[0].startTime == 0)
        #expect(abs(sidecar.chapters[1].startTime - (6 - report.trimmedHeadSeconds)) < 0.002)
        // An independent reader sees the same times in the MP3's CHAP frames.
        let probe = try ExternalTools.ffprobe(output, ["-show_chapters"])
        let chapters = try #require(probe["chapters"] as? [[String: Any]])
        #expect(chapters.count == 2)
        let start = Double(chapters[1]["start_time"] as? String ?? "") ?? -1
        #expect(abs(start - (6 - report.trimmedHeadSeconds)) < 0.002)
    }

    @Test func clipShorterThanOneBlockIsNormalizedOnItsUngatedLoudness() throws {
        let space = try Workspace()
        let input = space.path("sting.wav")
        let frames = Int(0.3 * 48_000)
        let tone = TestSignals.sine(frequency: 1000, amplitude: 0.05, sampleRate: 48_000, frames: frames)
        try Self.write([tone, tone], sampleRate: 48_000, to: input)
        var options = NormalizeOptions(encoder: EncoderSettings(format: .wav, bitDepth: .float32))
        options.silence.trimHead = false
        options.silence.trimTail = false
        let report = try Normalizer(options: options).run(inputPath: input, outputPath: space.path("sting.out.wav"))
        #expect(report.usedUngatedLoudness)
        #expect(report.input.integratedLUFS == nil)
        // Independent check: a 1 kHz sine's K-weighted power is its RMS raised by the filter's
        // +0.69 dB at 1 kHz, so (−0.691 + 0.691) the ungated loudness of a stereo sine of peak A is
        // 20·log10(A) − 3.01 + 3.01 = 20·log10(A) LUFS; the output must sit at the target.
        let decoded = try EncoderTestSupport.decode(space.path("sting.out.wav")).planes
        let peak = decoded[0].map { abs($0) }.max() ?? 0
        #expect(abs(20 * log10(Double(peak)) - -16) <= 0.25, "peak \(20 * log10(Double(peak)))")
    }

    @Test func silenceIsRefusedInsteadOfBoosted() throws {
        let space = try Workspace()
        let input = space.path("silence.wav")
        try Self.write([[Float](repeating: 0, count: 48_000)], sampleRate: 48_000, to: input)
        #expect(throws: PodsmithError.noProgramme(path: input)) {
            try Normalizer(options: NormalizeOptions()).run(inputPath: input, outputPath: space.path("x.mp3"))
        }
        #expect(space.contents == ["silence.wav"])
    }

    @Test func gainIsCappedAtMaxGain() throws {
        let space = try Workspace()
        let input = space.path("whisper.wav")
        try Self.write(Self.speechLike(levelDB: -50), sampleRate: 44_100, to: input)
        let report = try Normalizer(options: NormalizeOptions(maxGainDB: 6, encoder: EncoderSettings(format: .wav)))
            .run(inputPath: input, outputPath: space.path("out.wav"))
        #expect(report.gainCapped)
        #expect(report.gainDB == 6)
        #expect(report.warnings.contains { $0.contains("capped") })
    }

    @Test func dryRunWritesNothing() throws {
        let space = try Workspace()
        let input = space.path("in.wav")
        try Self.write(Self.speechLike(), sampleRate: 44_100, to: input)
        let report = try Normalizer(options: NormalizeOptions()).run(inputPath: input, outputPath: nil)
        #expect(report.passes == 0 && report.output == nil)
        #expect(report.gainDB > 10)
        #expect(space.contents == ["in.wav"])
    }

    @Test func outputThatIsTheInputIsRefusedUnlessInPlace() throws {
        let space = try Workspace()
        let input = space.path("in.wav")
        try Self.write(Self.speechLike(), sampleRate: 44_100, to: input)
        let before = try Data(contentsOf: URL(fileURLWithPath: input))
        let options = NormalizeOptions(encoder: EncoderSettings(format: .wav))
        #expect(throws: PodsmithError.outputIsInput(path: input)) {
            try Normalizer(options: options).run(inputPath: input, outputPath: input)
        }
        #expect(try Data(contentsOf: URL(fileURLWithPath: input)) == before)
        _ = try Normalizer(options: options).run(inputPath: input, outputPath: input, inPlace: true)
        #expect(abs(try #require(Self.reference(input).integratedLUFS) - -16) <= 0.2)
        #expect(space.contents == ["in.wav"])
    }

    @Test func staleTemporaryOfADeadRunIsRemoved() throws {
        let space = try Workspace()
        let input = space.path("in.wav")
        try Self.write(Self.speechLike(), sampleRate: 44_100, to: input)
        // PID 2^22 + 1 is above Linux's pid_max default; no such process exists.
        let stale = space.path(".out.mp3\(AtomicOutputFile.marker)4194305")
        _ = FileManager.default.createFile(atPath: stale, contents: Data("partial".utf8))
        _ = try Normalizer(options: NormalizeOptions()).run(inputPath: input, outputPath: space.path("out.mp3"))
        #expect(space.contents == ["in.wav", "out.mp3"])
    }

    /// The codec probe is what lets an MP3 land on the target in one encode; it runs without
    /// verification too, so `--no-verify` is fast without being off target. Vibe Ace is bright
    /// music that loses loudness in LAME's 128 kbit/s low-pass and needs limiting at −14 LUFS.
    @Test func unverifiedMP3LandsOnTargetBecauseTheCodecLossIsProbed() throws {
        let space = try Workspace()
        let music = Self.vibeAce
        let output = space.path("music.mp3")
        var options = NormalizeOptions(target: LoudnessPreset.spotify.target)
        options.verify = false
        let report = try Normalizer(options: options).run(inputPath: music, outputPath: output)
        let measured = try Self.reference(output)
        let integrated = try #require(measured.integratedLUFS)
        #expect(report.output == nil, "nothing was decoded")
        #expect(abs(integrated - -14) <= 0.2, "\(integrated) LUFS")
        #expect(try #require(measured.truePeakDBTP) <= -1.0)
    }

    /// The probe's excerpts take 2.5 % of the output, 2–10 s each, three under ten minutes and six
    /// from then on: a fixed minute cost a 3-minute episode a third of its encode.
    @Test func codecProbeIsSizedToTheProgramme() {
        func probed(seconds: Double) -> (count: Int, seconds: Double) {
            let edit = EditPlan.identity(frameCount: Int64(seconds * 44_100), sampleRate: 44_100)
            let windows = CodecProbe(edit: edit).windows
            return (windows.count, Double(windows.reduce(0) { $0 + $1.count }) / 44_100)
        }
        let threeMinutes = probed(seconds: 180)
        #expect(threeMinutes.count == 3 && abs(threeMinutes.seconds - 6) < 0.01, "\(threeMinutes)")
        let nineMinutes = probed(seconds: 540)
        #expect(nineMinutes.count == 3 && abs(nineMinutes.seconds - 13.5) < 0.01, "\(nineMinutes)")
        let twentyMinutes = probed(seconds: 1_200)
        #expect(twentyMinutes.count == 6 && abs(twentyMinutes.seconds - 30) < 0.01, "\(twentyMinutes)")
        let anHour = probed(seconds: 3_600)
        #expect(anHour.count == 6 && abs(anHour.seconds - 60) < 0.01, "\(anHour)")
        // Shorter than the excerpts together: probed whole.
        let clip = probed(seconds: 5)
        #expect(clip.count == 1 && abs(clip.seconds - 5) < 0.01, "\(clip)")
    }

    /// The limiter takes back part of every gain step: the trial renders solve for the gain with the
    /// slope they measure (``Normalizer/solveGain(_:source:plan:aimLUFS:progress:)``), so a programme
    /// limited by several dB lands on the target in one encode, with a bounded number of DSP-only
    /// trials (the probe's second listen at the peaks may lower the ceiling and solve again).
    @Test func limitedMusicLandsOnTargetInOneEncode() throws {
        let run = try Self.spotifyMusic.get()
        let report = run.report
        #expect(report.limiterMaxReductionDB > 3, "the limiter acts by \(report.limiterMaxReductionDB) dB")
        #expect(run.trials <= 2 * Normalizer.maxTrials)
        #expect(report.passes == 1)
        let integrated = try #require(run.measured.integratedLUFS)
        #expect(abs(integrated - -14) <= 0.05, "\(integrated) LUFS")
    }

    /// One thread or three, the bytes written and the figures reported are the same: `season` runs
    /// its episodes on one thread each.
    @Test func singleThreadedRunWritesTheSameFileAsThePipelinedOne() throws {
        let space = try Workspace()
        let input = space.path("in.wav")
        try Self.write(Self.speechLike(seconds: 20), sampleRate: 44_100, to: input)
        var reports: [NormalizeReport] = []
        var files: [Data] = []
        for threading in [RenderThreading.pipelined, .singleThread] {
            var options = NormalizeOptions()
            options.threading = threading
            let output = space.path("\(threading.rawValue).mp3")
            reports.append(try Normalizer(options: options).run(inputPath: input, outputPath: output))
            files.append(try Data(contentsOf: URL(fileURLWithPath: output)))
        }
        #expect(files[0].count > 100_000)
        #expect(files[0] == files[1], "the two MP3s differ")
        let figures = try reports.map { try #require($0.output) }
        #expect(figures[0].integratedLUFS == figures[1].integratedLUFS)
        #expect(figures[0].truePeakDBTP == figures[1].truePeakDBTP)
        #expect(reports[0].gainDB == reports[1].gainDB && reports[0].passes == reports[1].passes)
        #expect(abs(try #require(figures[1].integratedLUFS) - -16) <= 0.2)
    }
}

extension NormalizerTests {
    /// The default encoder settings cut a long CBR MP3 into segments (the 5-minute threshold is
    /// lowered here so that 80 s reach that path) and the file passes the same checks.
    @Test func theDefaultSegmentedMP3PassesTheSameChecks() throws {
        let space = try Workspace()
        let input = space.path("long.wav")
        let planes = Self.speechLike(seconds: 80)
        try Self.write(planes, sampleRate: 44_100, to: input)
        let output = space.path("out.mp3")
        var encoder = EncoderSettings(format: .mp3)
        #expect(encoder.encodeThreads == nil, "auto is the default")
        encoder.segmentedMinimumSeconds = 60
        let options = NormalizeOptions(encoder: encoder)
        let report = try Normalizer(options: options).run(inputPath: input, outputPath: output)
        let measured = try Self.reference(output)
        let integrated = try #require(measured.integratedLUFS)
        #expect(abs(integrated - -16) <= 0.2, "\(integrated) LUFS")
        #expect(try #require(measured.truePeakDBTP) <= -1.0)
        #expect(report.warnings.allSatisfy { !$0.contains("seam") }, "\(report.warnings)")
        // Two seams (every 1300 frames, about 30 s), both made.
        let seams = try #require(report.mp3Seams)
        #expect(seams.seams == 2 && seams.continued == 0, "\(seams)")
        // The report's figures are the written file's (streamed verification of the joined bytes).
        let own = try #require(report.output?.integratedLUFS)
        #expect(abs(own - integrated) <= 0.1)
        #expect(space.contents == ["long.wav", "out.mp3"], "no temporary left behind")
    }

    @Test func encodeThreadsAreRefusedForVariableBitrateAndOtherFormats() throws {
        #expect(
            EncoderSettings(format: .mp3, vbrQuality: 2, encodeThreads: 2).validate().map(\.setting)
                == [.encodeThreads])
        #expect(EncoderSettings(format: .flac, encodeThreads: 2).validate().map(\.setting) == [.encodeThreads])
        #expect(EncoderSettings(format: .mp3, encodeThreads: 2).validate().isEmpty)
    }

    @Test func runRefusesAnInvalidSettingBeforeReadingTheInput() throws {
        let options = NormalizeOptions(encoder: EncoderSettings(format: .mp3, bitrateKbps: 100))
        #expect(throws: PodsmithError.invalidSetting(EncoderSettings.bitrateIssue(100, format: .mp3)!)) {
            try Normalizer(options: options).run(inputPath: "/nonexistent/in.wav", outputPath: "/nonexistent/out.mp3")
        }
    }
}
