import Foundation
import PodsmithTestSupport
import Testing

@testable import PodsmithCodecs
@testable import PodsmithCore
@testable import PodsmithKit

/// The speech leveler on a conversation of three voices 9 LU apart (``Conversation``: the real voices of
/// `SampleAudio/`, an espeak-ng voice, a music intro, a −66 dBFS room), normalized with and without it.
/// Every figure is measured on the written file by libebur128, the reference meter, turn by turn.
@Suite struct SpeechLevelerTests {
    /// The conversation normalized twice, to 32-bit float WAV with the timing kept (`--no-trim`):
    /// linearly, and with the leveler. Made once per test process.
    struct Renders: Sendable {
        var conversation: Conversation.Built
        var input: String
        var linear: (report: NormalizeReport, samples: [Float])
        var leveled: (report: NormalizeReport, samples: [Float])
    }

    static let renders = Result { () throws -> Renders in
        let conversation = try Conversation.shared(musicIntro: true)
        let input = TemporaryFolder.uniquePath("-conversation.wav")
        try Conversation.write(conversation, to: input)
        func render(leveler: Bool) throws -> (NormalizeReport, [Float]) {
            let output = TemporaryFolder.uniquePath(leveler ? "-leveled.wav" : "-linear.wav")
            defer { try? FileManager.default.removeItem(atPath: output) }
            // The linear render is the control: its output is checked against the chain itself, unverified.
            var options = options(leveler: leveler)
            options.verify = leveler
            let report = try Normalizer(options: options).run(inputPath: input, outputPath: output)
            return (report, try Conversation.decoded(path: output))
        }
        return Renders(
            conversation: conversation, input: input, linear: try render(leveler: false),
            leveled: try render(leveler: true))
    }

    /// `--no-trim`, WAV 32f, a mono file measured as one channel (so it reads the −16 LUFS target).
    static func options(leveler: Bool, format: OutputFormat = .wav) -> NormalizeOptions {
        var silence = SilenceOptions()
        silence.trimHead = false
        silence.trimTail = false
        var options = NormalizeOptions(
            monoConvention: .singleChannel, silence: silence,
            encoder: EncoderSettings(format: format, bitDepth: format == .wav ? .float32 : .int16))
        options.leveler = leveler
        return options
    }

    /// libebur128's integrated loudness of `samples[range]`.
    static func loudness(_ samples: [Float], _ range: Range<Int>) throws -> Double {
        try Measure.reference([Array(samples[range])], sampleRate: Conversation.sampleRate).integratedLUFS ?? -70
    }

    /// Each speaker's median turn loudness, and every turn's distance from its speaker's median.
    static func turnFigures(
        _ samples: [Float], _ conversation: Conversation.Built
    ) throws -> (
        medians: [Double], deviations: [Double]
    ) {
        let levels = try conversation.turns.map { try loudness(samples, $0.frames) }
        var medians: [Double] = []
        for speaker in 0..<3 {
            let own = conversation.turns.indices.filter { conversation.turns[$0].speaker == speaker }.map { levels[$0] }
            medians.append(own.sorted()[own.count / 2])
        }
        let deviations = conversation.turns.indices.map { abs(levels[$0] - medians[conversation.turns[$0].speaker]) }
        return (medians, deviations)
    }

    static func spread(_ medians: [Double]) -> Double { (medians.max() ?? 0) - (medians.min() ?? 0) }

    @Test func aLoudHostAndQuietGuestsComeOutWithinOneLUOfEachOther() throws {
        let renders = try Self.renders.get()
        let input = try Self.turnFigures(renders.conversation.samples, renders.conversation)
        #expect((8...10.5).contains(Self.spread(input.medians)), "the input's speakers: \(input.medians)")
        let leveled = try Self.turnFigures(renders.leveled.samples, renders.conversation)
        #expect(Self.spread(leveled.medians) <= 1.0, "speaker medians \(leveled.medians)")
    }

    /// The negative control: the same balance check on the linear render fails, so the one above can.
    @Test func linearNormalizationKeepsTheSpeakersApart() throws {
        let renders = try Self.renders.get()
        let linear = try Self.turnFigures(renders.linear.samples, renders.conversation)
        #expect(Self.spread(linear.medians) > 1.0, "speaker medians \(linear.medians)")
        #expect(Self.spread(linear.medians) > 7, "one gain keeps the gap: \(linear.medians)")
        #expect(renders.linear.report.suggestsLeveler, "the report suggests --leveler")
        #expect(renders.linear.report.leveler == nil)
    }

    @Test func ninetyPercentOfTurnsLandWithinOnePointFiveLUOfTheirSpeaker() throws {
        let renders = try Self.renders.get()
        let deviations = try Self.turnFigures(renders.leveled.samples, renders.conversation).deviations
        let within = deviations.filter { $0 <= 1.5 }.count
        #expect(Double(within) >= 0.9 * Double(deviations.count), "deviations \(deviations)")
    }

    @Test func longPausesRiseAtMostThreeDBMoreThanLinearNormalizationRaisesThem() throws {
        let renders = try Self.renders.get()
        #expect(renders.conversation.longPauses.count == 2)
        for pause in renders.conversation.longPauses {
            let linear = TestSignals.rmsDecibels(renders.linear.samples[pause])
            let leveled = TestSignals.rmsDecibels(renders.leveled.samples[pause])
            #expect(leveled - linear <= 3, "pause at \(pause): linear \(linear) dB, leveled \(leveled) dB")
        }
    }

    @Test func aMusicIntroKeepsItsLoudnessAgainstLinearNormalization() throws {
        let renders = try Self.renders.get()
        let intro = try #require(renders.conversation.intro)
        let linear = try Self.loudness(renders.linear.samples, intro)
        let leveled = try Self.loudness(renders.leveled.samples, intro)
        #expect(abs(leveled - linear) <= 3, "intro: linear \(linear) LUFS, leveled \(leveled) LUFS")
    }

    @Test func theLeveledFileLandsOnTheTargetUnderTheCeiling() throws {
        let renders = try Self.renders.get()
        let measured = try Measure.reference([renders.leveled.samples], sampleRate: Conversation.sampleRate)
        let level = try #require(measured.integratedLUFS)
        #expect(abs(level + 16) <= 0.2, "\(level) LUFS")
        #expect(try #require(measured.truePeakDBTP) <= -1, "\(measured.truePeakDBTP ?? 0) dBTP")
        let summary = try #require(renders.leveled.report.leveler)
        #expect(summary.speechSpreadBeforeLU > 6 && summary.speechSpreadAfterLU < 1.5, "\(summary)")
        #expect(summary.gainMaxDB > 6 && summary.gainMaxDB <= 12 && summary.gainMinDB >= -12, "\(summary)")
        #expect(summary.phrasesAdjusted > 10 && summary.turnsAdjusted > 5, "\(summary)")
        #expect(renders.leveled.report.passes == renders.linear.report.passes)
        // The plot's curve: on the output's timeline, within the leveler's ±12 dB, as wide as the phrase gains.
        let curve = try #require(renders.leveled.report.levelerGain)
        let seconds = Double(renders.leveled.samples.count) / Conversation.sampleRate
        #expect(curve.count >= 2 && curve.count <= LevelerGainCurve.reportedPointLimit + 2)
        #expect(abs((curve.last?.seconds ?? 0) - seconds) < 0.01 && (curve.first?.seconds ?? -1) == 0)
        #expect(zip(curve, curve.dropFirst()).allSatisfy { $0.seconds <= $1.seconds })
        let high = curve.map(\.gainDB).max() ?? 0, low = curve.map(\.gainDB).min() ?? 0
        #expect(abs(high - summary.gainMaxDB) < 0.01 || high < summary.gainMaxDB, "\(high) vs \(summary)")
        #expect(high > 6 && high <= 12 && low >= -12)
        #expect(renders.linear.report.levelerGain == nil)
    }

    /// Off means off: without the leveler the written samples are those of the linear chain alone
    /// (gain, limiter) at the report's gain, bit for bit; with it they are not.
    @Test func withoutTheLevelerTheOutputIsTheLinearChainBitForBit() throws {
        let renders = try Self.renders.get()
        let options = Self.options(leveler: false)
        let source = try AudioFileOpener.open(path: renders.input)
        let chain = try RenderChain.make(
            input: source.format, outputChannels: 1, outputSampleRate: Conversation.sampleRate,
            gainDB: renders.linear.report.gainDB, limiter: options.limiter,
            ceilingDBTP: options.target.truePeakDBTP)
        var direct: [Float] = []
        let take: (AudioBuffer) -> Void = {
            direct += UnsafeBufferPointer(start: $0.baseAddress(ofChannel: 0), count: $0.frameCount)
        }
        let buffer = AudioBuffer(channelCount: 1, capacity: 16_384)
        while try source.read(into: buffer) > 0 { try chain.processor.process(buffer, emit: take) }
        try chain.processor.finish(emit: take)
        #expect(direct == renders.linear.samples)
        #expect(direct.count == renders.leveled.samples.count && direct != renders.leveled.samples)
    }

    /// The gain changes only between phrases (no point of the curve falls inside one), no gap gets
    /// more gain than the phrases on either side of it, the middle of a long pause none, and the music
    /// intro is found as music.
    @Test func theGainChangesOnlyBetweenPhrasesAndNeverLiftsAPauseAboveItsNeighbours() throws {
        let renders = try Self.renders.get()
        let conversation = renders.conversation
        let meter = LoudnessMeter(
            format: AudioFormat(sampleRate: Conversation.sampleRate, channelCount: 1),
            options: LoudnessMeterOptions(recordsStepEnergies: true))
        Measure.feed([conversation.samples], sampleRate: Conversation.sampleRate, into: meter, blockFrames: 16_384)
        _ = meter.result()
        let plan = try #require(
            LevelerPlan.make(energies: meter.stepEnergies, stepFrames: meter.stepFrames, strength: 1))
        let step = Int64(meter.stepFrames)
        for phrase in plan.phrases {
            let inside = (Int64(phrase.steps.lowerBound) * step + 1)..<(Int64(phrase.steps.upperBound) * step)
            #expect(!plan.curve.points.contains { inside.contains($0.frame) }, "a gain change inside \(phrase)")
        }
        for k in plan.phrases.indices.dropLast() {
            let gap = plan.phrases[k].steps.upperBound..<plan.phrases[k + 1].steps.lowerBound
            guard !gap.contains(where: { plan.activity[$0] == .music }) else { continue }
            let ceiling = max(plan.phraseGainsDB[k], plan.phraseGainsDB[k + 1]) + 1e-3
            for i in gap {
                let gain = plan.curve.gainDB(atFrame: (Double(i) + 0.5) * Double(step))
                #expect(gain <= ceiling, "step \(i): \(gain) dB over its neighbours' \(ceiling)")
                if gap.count >= LevelerPlan.longPauseSteps, gap.lowerBound + 4 < i, i + 4 < gap.upperBound {
                    #expect(gain <= 1e-3, "a long pause lifted by \(gain) dB at step \(i)")
                }
            }
        }
        let intro = try #require(conversation.intro)
        let musicSteps = plan.activity.indices.filter { plan.activity[$0] == .music }
        #expect(Double(musicSteps.count) >= 0.6 * Double(intro.count) / Double(step), "music steps \(musicSteps.count)")
        #expect(musicSteps.allSatisfy { intro.contains($0 * Int(step)) }, "music found outside the intro")
    }

    @Test func theReportsJSONHasTheLevelersFiguresOrNull() throws {
        let renders = try Self.renders.get()
        func leveler(_ report: NormalizeReport) throws -> Any? {
            let object = try JSONSerialization.jsonObject(with: JSONEncoder().encode(report)) as? [String: Any]
            return object?["leveler"]
        }
        #expect(try leveler(renders.linear.report) is NSNull)
        let fields = try #require(try leveler(renders.leveled.report) as? [String: Any])
        #expect(
            Set(fields.keys) == [
                "gain_min_db", "gain_max_db", "phrases_adjusted", "turns_adjusted", "speech_spread_before_lu",
                "speech_spread_after_lu", "pause_floor_change_db",
            ])
        let decoded = try JSONDecoder().decode(NormalizeReport.self, from: JSONEncoder().encode(renders.leveled.report))
        #expect(decoded.leveler == renders.leveled.report.leveler)
    }

    @Test func aStrengthOutsideZeroToOneIsRefused() {
        var options = NormalizeOptions()
        options.levelerStrength = 1.5
        #expect(options.validate().map(\.setting) == [.levelerStrength])
        options.levelerStrength = .nan
        #expect(options.validate().map(\.setting) == [.levelerStrength])
        options.levelerStrength = 0
        #expect(options.validate().isEmpty)
    }
}
