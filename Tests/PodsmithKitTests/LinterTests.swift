import PodsmithTestSupport
import Testing

@testable import PodsmithCodecs
@testable import PodsmithCore
@testable import PodsmithKit
@testable import PodsmithSeason

@Suite struct LinterTests {
    static let cover = ImageFacts(format: .jpeg, width: 3000, height: 3000, colorModel: .rgb, byteCount: 500_000)

    static func mp3(
        kbps: Int = 128, mono: Bool = false, rate: Int = 44_100, vbrAverage: Double? = nil,
        layer: Int = 3, artwork: ImageFacts? = cover
    ) -> FileFacts {
        FileFacts(
            container: .mp3, sizeBytes: 50_000_000, sampleRate: rate, channelCount: mono ? 1 : 2,
            mp3: MP3Facts(
                version: .mpeg1, layer: layer, firstFrameBitrateKbps: kbps,
                channelMode: mono ? .mono : .jointStereo, isVBR: vbrAverage != nil,
                vbrHeader: vbrAverage == nil ? nil : "Xing", averageBitrateKbps: vbrAverage),
            artwork: artwork)
    }

    static func loudness(_ integrated: Double?, peak: Double? = -1.5, channels: Int = 2) -> LoudnessMeasurement {
        LoudnessMeasurement(
            integratedLUFS: integrated, truePeakDBTP: peak, frameCount: 44_100 * 60,
            sampleRate: 44_100, channelCount: channels)
    }

    static func ids(_ findings: [LintFinding]) -> Set<String> { Set(findings.map(\.ruleID)) }

    @Test func compliantAppleMP3Passes() {
        let findings = Linter.check(facts: Self.mp3(), loudness: Self.loudness(-16.2), platform: .apple)
        #expect(findings.isEmpty, "\(findings)")
        #expect(!Linter.fails(findings))
    }

    @Test(arguments: [-17.2, -14.8, -23.0])
    func integratedLoudnessOutsideAppleRangeIsAnError(_ lufs: Double) throws {
        let findings = Linter.check(facts: Self.mp3(), loudness: Self.loudness(lufs), platform: .apple)
        let f = try #require(findings.first { $0.ruleID == "loudness.integrated" })
        #expect(f.severity == .error)
        #expect(f.rule.source.contains("podcasters.apple.com"))
        #expect(Linter.fails(findings))
    }

    @Test func monoIsJudgedAsDualMono() {
        // −19 LUFS measured on one channel is heard at −16 on two speakers: compliant.
        let mono = Self.mp3(kbps: 96, mono: true)
        #expect(Linter.check(facts: mono, loudness: Self.loudness(-19.0, channels: 1), platform: .apple).isEmpty)
        // −16 measured on one channel is heard at −13: too loud.
        let loud = Linter.check(facts: mono, loudness: Self.loudness(-16.0, channels: 1), platform: .apple)
        #expect(Self.ids(loud) == ["loudness.integrated"])
        #expect(loud.first?.message.contains("dual-mono") == true)
    }

    @Test func truePeakAboveMinusOneIsAnError() {
        let findings = Linter.check(facts: Self.mp3(), loudness: Self.loudness(-16, peak: -0.4), platform: .apple)
        #expect(Self.ids(findings) == ["loudness.true-peak"])
        #expect(Linter.check(facts: Self.mp3(), loudness: Self.loudness(-16, peak: -1.0), platform: .apple).isEmpty)
    }

    /// A peak of −0.96 dBTP read "true peak -1.0 dBTP, above the -1.0 dBTP ceiling" (one decimal).
    @Test func measuredFiguresArePrintedPreciselyEnoughToShowTheExcess() throws {
        let peak = Linter.check(facts: Self.mp3(), loudness: Self.loudness(-16, peak: -0.96), platform: .apple)
        #expect(peak.first?.message == "true peak -0.96 dBTP, above the -1.0 dBTP ceiling")
        let loud = Linter.check(facts: Self.mp3(), loudness: Self.loudness(-14.96), platform: .apple)
        #expect(try #require(loud.first).message.hasPrefix("integrated loudness -14.96 LUFS, allowed"))
    }

    @Test func silenceWithoutIntegratedLoudnessFails() {
        let findings = Linter.check(facts: Self.mp3(), loudness: Self.loudness(nil, peak: nil), platform: .apple)
        #expect(Self.ids(findings) == ["loudness.integrated"])
    }

    @Test(arguments: [32_000, 22_050, 96_000])
    func sampleRatesOtherThan44100Or48000AreErrors(_ rate: Int) {
        let findings = Linter.check(facts: Self.mp3(rate: rate), loudness: Self.loudness(-16), platform: .apple)
        #expect(Self.ids(findings) == ["format.sample-rate"])
        #expect(Linter.check(facts: Self.mp3(rate: 48_000), loudness: Self.loudness(-16), platform: .apple).isEmpty)
        let expected = ["32_000": "32 kHz", "22_050": "22.05 kHz", "96_000": "96 kHz"]
        let label = expected[rate == 32_000 ? "32_000" : rate == 22_050 ? "22_050" : "96_000"]!
        #expect(findings.first?.message.contains("sample rate \(label), expected 44.1 kHz or 48 kHz") == true)
    }

    @Test func mp3BelowTheMinimumBitrateIsAnErrorAndBelowTheRecommendedAWarning() {
        let l = Self.loudness(-16)
        let l1 = Self.loudness(-19, channels: 1)
        #expect(
            Self.ids(Linter.check(facts: Self.mp3(kbps: 56), loudness: l, platform: .apple)) == ["mp3.bitrate-minimum"])
        #expect(
            Self.ids(Linter.check(facts: Self.mp3(kbps: 24, mono: true), loudness: l1, platform: .apple))
                == ["mp3.bitrate-minimum"])
        let stereo96 = Linter.check(facts: Self.mp3(kbps: 96), loudness: l, platform: .apple)
        #expect(Self.ids(stereo96) == ["mp3.bitrate-recommended"])
        #expect(stereo96.first?.severity == .warning)
        #expect(!Linter.fails(stereo96))
        #expect(
            Self.ids(Linter.check(facts: Self.mp3(kbps: 64, mono: true), loudness: l1, platform: .apple))
                == ["mp3.bitrate-recommended"])
        #expect(
            Linter.check(facts: Self.mp3(kbps: 32, mono: true), loudness: l1, platform: .apple)
                .allSatisfy { $0.severity == .warning })
    }

    @Test func vbrIsJudgedByItsAverageBitrate() {
        // A Xing frame written at 32 kbps says nothing; the 140 kbps average is what counts.
        #expect(
            Linter.check(
                facts: Self.mp3(kbps: 32, vbrAverage: 140), loudness: Self.loudness(-16),
                platform: .apple
            ).isEmpty)
        #expect(
            Self.ids(
                Linter.check(
                    facts: Self.mp3(kbps: 320, vbrAverage: 60), loudness: Self.loudness(-16),
                    platform: .apple)) == ["mp3.bitrate-minimum"])
    }

    @Test func layerTwoInAnMP3FileIsAnError() {
        #expect(
            Self.ids(Linter.check(facts: Self.mp3(layer: 2), loudness: Self.loudness(-16), platform: .apple))
                == ["mp3.layer"])
    }

    @Test func pcmMustBeTwoChannelsAt16Or24Bits() {
        func pcm(_ kind: ContainerKind, channels: Int, bits: Int, tag: Int? = 1) -> FileFacts {
            FileFacts(
                container: kind, sizeBytes: 1, sampleRate: 48_000, channelCount: channels, bitsPerSample: bits,
                wavFormatTag: kind == .wav ? tag : nil)
        }
        let l = Self.loudness(-16)
        #expect(Linter.check(facts: pcm(.wav, channels: 2, bits: 24), loudness: l, platform: .apple).isEmpty)
        #expect(Linter.check(facts: pcm(.flac, channels: 2, bits: 16), loudness: l, platform: .apple).isEmpty)
        #expect(
            Self.ids(
                Linter.check(
                    facts: pcm(.flac, channels: 1, bits: 16), loudness: Self.loudness(-19, channels: 1),
                    platform: .apple)) == ["pcm.channels"])
        #expect(
            Self.ids(Linter.check(facts: pcm(.wav, channels: 2, bits: 8), loudness: l, platform: .apple))
                == ["pcm.bit-depth"])
        #expect(
            Self.ids(Linter.check(facts: pcm(.wav, channels: 2, bits: 32, tag: 3), loudness: l, platform: .apple))
                == ["pcm.bit-depth"])
    }

    @Test func oggOpusIsNotAcceptedByAppleButPassesGeneric() {
        let opus = FileFacts(container: .oggOpus, sizeBytes: 1, sampleRate: 48_000, channelCount: 2)
        #expect(
            Self.ids(Linter.check(facts: opus, loudness: Self.loudness(-16), platform: .apple)) == ["format.container"])
        #expect(Linter.check(facts: opus, loudness: Self.loudness(-18), platform: .generic).isEmpty)
    }

    @Test func artworkMustBeSquareRGBJPEGOrPNGBetween1400And3000Pixels() {
        func art(_ format: ImageFormat, _ w: Int, _ h: Int, _ model: ImageColorModel = .rgb) -> Set<String> {
            let facts = FileFacts(
                container: .image, sizeBytes: 1,
                artwork: ImageFacts(format: format, width: w, height: h, colorModel: model, byteCount: 1))
            return Self.ids(Linter.check(facts: facts, loudness: nil, platform: .apple))
        }
        #expect(art(.png, 1400, 1400).isEmpty)
        #expect(art(.jpeg, 3000, 3000).isEmpty)
        #expect(art(.png, 1399, 1399) == ["artwork.dimensions"])
        #expect(art(.png, 3001, 3001) == ["artwork.dimensions"])
        #expect(art(.png, 2000, 1500) == ["artwork.square"])
        #expect(art(.jpeg, 2000, 2000, .cmyk) == ["artwork.color-space"])
        #expect(art(.png, 2000, 2000, .grayscale) == ["artwork.color-space"])
        #expect(art(.other, 2000, 2000) == ["artwork.format"])
        // Embedded artwork in an audio file is judged the same way.
        let small = ImageFacts(format: .jpeg, width: 600, height: 600, colorModel: .rgb, byteCount: 1)
        #expect(
            Self.ids(Linter.check(facts: Self.mp3(artwork: small), loudness: Self.loudness(-16), platform: .apple))
                == ["artwork.dimensions"])
    }

    // Spotify turns a podcast up or down to its playback target rather than refusing it: an Apple-ready
    // −16 LUFS file gets a warning citing Spotify's podcast specification, and passes (§7 #24).
    @Test func spotifyAimsAtMinus14WithAWarningForPodcastsAndChecksNoFormats() {
        let quietForSpotify = Linter.check(facts: Self.mp3(kbps: 48), loudness: Self.loudness(-16), platform: .spotify)
        #expect(Self.ids(quietForSpotify) == ["loudness.integrated"])
        #expect(quietForSpotify.map(\.severity) == [.warning])
        #expect(!Linter.fails(quietForSpotify))
        #expect(quietForSpotify.first?.rule.source.contains("Spotify for Podcasters") == true)
        #expect(Linter.check(facts: Self.mp3(kbps: 48), loudness: Self.loudness(-14.2), platform: .spotify).isEmpty)
        // The true-peak ceiling stays an error, and Apple's loudness range stays a requirement.
        let hot = Linter.check(facts: Self.mp3(kbps: 48), loudness: Self.loudness(-14, peak: -0.5), platform: .spotify)
        #expect(Linter.fails(hot) && Self.ids(hot) == ["loudness.true-peak"])
        #expect(Linter.fails(Linter.check(facts: Self.mp3(kbps: 128), loudness: Self.loudness(-14), platform: .apple)))
    }

    // §7 #23: the first 1 MB of a 180 s MP3 passed lint (and normalized to a 62 s episode).
    @Test func anMP3ThatDecodesShorterThanItsHeaderStatesIsCutShort() {
        var facts = Self.mp3()
        facts.mp3?.vbrHeader = "Info"
        facts.mp3?.frameCount = 6_907  // 180.43 s of 1152-sample frames at 44.1 kHz
        facts.durationSeconds = Double(6_907 * 1152) / 44_100
        func findings(decodedSeconds: Double) -> [LintFinding] {
            let loudness = LoudnessMeasurement(
                integratedLUFS: -16, truePeakDBTP: -1.5, frameCount: Int64(decodedSeconds * 44_100),
                sampleRate: 44_100, channelCount: 2)
            return Linter.check(facts: facts, loudness: loudness, platform: .generic)
        }
        let cut = findings(decodedSeconds: 62)
        #expect(Self.ids(cut) == ["mp3.truncated"] && Linter.fails(cut))
        #expect(cut.first?.message.contains("6907 frames (180.43 s)") == true, "\(cut)")
        // The encoder's delay and padding (a few frames) are not a truncation, and without a frame count
        // in a header nothing is judged.
        #expect(findings(decodedSeconds: 180.4).isEmpty)
        facts.mp3?.frameCount = nil
        #expect(findings(decodedSeconds: 62).isEmpty)
    }

    @Test func unrecognisedFilesFailAndEveryFindingCitesASource() {
        let unknown = FileFacts(container: .unknown, sizeBytes: 3, problems: ["not audio"])
        let findings = Linter.check(facts: unknown, loudness: nil, platform: .apple)
        #expect(Self.ids(findings) == ["file.format"] && Linter.fails(findings))
        let many = Linter.check(
            facts: Self.mp3(kbps: 56, rate: 32_000), loudness: Self.loudness(-30, peak: 0.5),
            platform: .apple)
        #expect(many.count == 4)
        #expect(many.allSatisfy { !$0.rule.source.isEmpty && $0.description.contains($0.rule.id) })
    }
}
