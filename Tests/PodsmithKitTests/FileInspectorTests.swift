import Foundation
import PodsmithTestSupport
import Testing

@testable import PodsmithCodecs
@testable import PodsmithCore
@testable import PodsmithKit
@testable import PodsmithSeason

@Suite struct FileInspectorTests {
    struct HeaderCase: Sendable, CustomTestStringConvertible {
        var bytes: [UInt8]
        var version: MPEGVersion
        var layer: Int
        var kbps: Int
        var rate: Int
        var mode: MPEGChannelMode
        var samplesPerFrame: Int
        var testDescription: String { "\(version.rawValue) L\(layer) \(kbps)k \(rate) \(mode.rawValue)" }
    }

    static let headerCases: [HeaderCase] = [
        // MPEG-1 Layer III, index 9 = 128 kbps, 44.1 kHz, joint stereo.
        HeaderCase(
            bytes: Fixtures.mpegHeader(bitrateIndex: 9, rateIndex: 0, mode: 1), version: .mpeg1, layer: 3,
            kbps: 128, rate: 44_100, mode: .jointStereo, samplesPerFrame: 1152),
        // MPEG-1 Layer III, index 14 = 320 kbps, 48 kHz, stereo.
        HeaderCase(
            bytes: Fixtures.mpegHeader(bitrateIndex: 14, rateIndex: 1, mode: 0), version: .mpeg1, layer: 3,
            kbps: 320, rate: 48_000, mode: .stereo, samplesPerFrame: 1152),
        // MPEG-2 Layer III, index 8 = 64 kbps, 22.05 kHz, mono.
        HeaderCase(
            bytes: Fixtures.mpegHeader(version: 2, bitrateIndex: 8, rateIndex: 0, mode: 3), version: .mpeg2,
            layer: 3, kbps: 64, rate: 22_050, mode: .mono, samplesPerFrame: 576),
        // MPEG-2.5 Layer III, index 1 = 8 kbps, 8 kHz, dual channel.
        HeaderCase(
            bytes: Fixtures.mpegHeader(version: 0, bitrateIndex: 1, rateIndex: 2, mode: 2), version: .mpeg25,
            layer: 3, kbps: 8, rate: 8000, mode: .dualChannel, samplesPerFrame: 576),
        // MPEG-1 Layer II, index 10 = 192 kbps, 32 kHz.
        HeaderCase(
            bytes: Fixtures.mpegHeader(layer: 2, bitrateIndex: 10, rateIndex: 2, mode: 0), version: .mpeg1,
            layer: 2, kbps: 192, rate: 32_000, mode: .stereo, samplesPerFrame: 1152),
    ]

    @Test(arguments: headerCases)
    func mpegFrameHeaderParsesVersionLayerBitrateRateAndMode(_ c: HeaderCase) throws {
        let h = try #require(MPEGAudioFrameHeader(c.bytes))
        #expect(h.version == c.version)
        #expect(h.layer == c.layer)
        #expect(h.bitrateKbps == c.kbps)
        #expect(h.sampleRate == c.rate)
        #expect(h.channelMode == c.mode)
        #expect(h.samplesPerFrame == c.samplesPerFrame)
    }

    @Test func mpegFrameLengthFollowsTheStandardFormula() throws {
        // MPEG-1 Layer III 128 kbps 44.1 kHz: 144 · 128000 / 44100 = 417 bytes, 418 with padding.
        #expect(MPEGAudioFrameHeader(Fixtures.mpegHeader(bitrateIndex: 9))?.frameLength == 417)
        #expect(MPEGAudioFrameHeader(Fixtures.mpegHeader(bitrateIndex: 9, padding: true))?.frameLength == 418)
    }

    @Test func mpegHeaderRejectsReservedAndFreeFormatFields() {
        #expect(MPEGAudioFrameHeader(Fixtures.mpegHeader(bitrateIndex: 15)) == nil)  // bad bitrate
        #expect(MPEGAudioFrameHeader(Fixtures.mpegHeader(bitrateIndex: 0)) == nil)  // free format
        #expect(MPEGAudioFrameHeader(Fixtures.mpegHeader(bitrateIndex: 9, rateIndex: 3)) == nil)
        #expect(MPEGAudioFrameHeader(Fixtures.mpegHeader(layer: 0, bitrateIndex: 9)) == nil)
        #expect(MPEGAudioFrameHeader(Fixtures.mpegHeader(version: 1, bitrateIndex: 9)) == nil)
        #expect(MPEGAudioFrameHeader([0xFF, 0x00, 0x90, 0x40]) == nil)  // no sync
    }

    @Test func mp3AfterID3v2TagIsFoundThroughTheSynchsafeSizeWithItsCoverArt() throws {
        // A PNG cover of 1400 × 1400 and a UTF-16 description; 300 bytes of padding make the tag size
        // need more than 7 bits, so a plain 32-bit reading of the size would land in the wrong place.
        let cover = Fixtures.png(width: 1400, height: 1400) + [UInt8](repeating: 0xFF, count: 200)
        let tag = Fixtures.id3v2(
            major: 4,
            frames: [
                ("TIT2", [3] + Array("Title".utf8)),
                (
                    "APIC",
                    Fixtures.apic(
                        mime: "image/png", type: 0, description: "other", picture: Fixtures.jpeg(width: 10, height: 10))
                ),
                ("APIC", Fixtures.apic(mime: "image/png", type: 3, description: "Cover", utf16: true, picture: cover)),
            ], padding: 300)
        let frame = Fixtures.mp3Frame(kbps: 128, bitrateIndex: 9)
        let file = tag + frame + frame + frame
        let facts = FileInspector.inspect(bytes: file, fileSize: Int64(file.count))
        #expect(facts.container == .mp3)
        #expect(facts.sampleRate == 44_100)
        #expect(facts.channelCount == 2)
        let mp3 = try #require(facts.mp3)
        #expect(mp3.id3v2Version == 4)
        #expect(mp3.firstFrameBitrateKbps == 128)
        #expect(mp3.isVBR == false)
        #expect(mp3.channelMode == .jointStereo)
        let art = try #require(facts.artwork)
        #expect(art.format == .png && art.width == 1400 && art.height == 1400)
    }

    @Test func id3v23TagWithLatin1DescriptionYieldsTheFirstPictureWhenNoFrontCover() throws {
        let jpeg = Fixtures.jpeg(width: 3000, height: 3000)
        let tag = Fixtures.id3v2(
            major: 3, frames: [("APIC", Fixtures.apic(mime: "image/jpeg", type: 4, picture: jpeg))])
        let frame = Fixtures.mp3Frame(kbps: 64, bitrateIndex: 5, mode: 3)
        let facts = FileInspector.inspect(bytes: tag + frame + frame, fileSize: Int64(tag.count + 2 * frame.count))
        #expect(facts.artwork?.format == .jpeg)
        #expect(facts.artwork?.width == 3000)
        #expect(facts.channelCount == 1)
        #expect(facts.mp3?.firstFrameBitrateKbps == 64)
    }

    @Test func unsynchronisedID3v23TagIsResynchronisedBeforeReadingThePicture() throws {
        let jpeg = Fixtures.jpeg(width: 1800, height: 1800)
        let tag = Fixtures.id3v23Unsynchronised(frames: [("APIC", Fixtures.apic(mime: "image/jpeg", picture: jpeg))])
        #expect(tag.count > 10 + jpeg.count, "the fixture really contains stuffed zero bytes")
        let frame = Fixtures.mp3Frame(kbps: 128, bitrateIndex: 9)
        let facts = FileInspector.inspect(bytes: tag + frame + frame, fileSize: 100_000)
        #expect(facts.container == .mp3)
        #expect(facts.artwork?.format == .jpeg && facts.artwork?.width == 1800)
    }

    @Test func xingHeaderMarksVBRAndGivesTheAverageBitrate() throws {
        // 1000 frames of 1152 samples at 44.1 kHz = 26.122 s; 1,200,000 bytes → 367.5 kbit/s... use a
        // realistic 470,000 bytes → 470000 · 8 / 26.1224 s = 143.9 kbit/s.
        let xing = Fixtures.mp3Frame(
            kbps: 128, bitrateIndex: 9,
            payload: Fixtures.xingPayload(tag: "Xing", frames: 1000, bytes: 470_000))
        let audio = Fixtures.mp3Frame(kbps: 160, bitrateIndex: 10)
        let file = xing + audio + audio
        let mp3 = try #require(FileInspector.inspect(bytes: file, fileSize: 470_000).mp3)
        #expect(mp3.isVBR)
        #expect(mp3.vbrHeader == "Xing")
        #expect(mp3.frameCount == 1000)
        let seconds = 1000.0 * 1152 / 44_100
        #expect(abs(try #require(mp3.averageBitrateKbps) - 470_000 * 8 / seconds / 1000) < 1e-6)
        #expect(abs(mp3.effectiveBitrateKbps - 143.93) < 0.01)
        let facts = FileInspector.inspect(bytes: file, fileSize: 470_000)
        #expect(abs(try #require(facts.durationSeconds) - seconds) < 1e-9)
    }

    @Test func lameInfoHeaderMeansConstantBitrate() throws {
        let info = Fixtures.mp3Frame(
            kbps: 64, bitrateIndex: 5, mode: 3,
            payload: Fixtures.xingPayload(tag: "Info", frames: 50, bytes: 50 * 208, mono: true))
        let audio = Fixtures.mp3Frame(kbps: 64, bitrateIndex: 5, mode: 3)
        let mp3 = try #require(FileInspector.inspect(bytes: info + audio, fileSize: 10_000).mp3)
        #expect(mp3.vbrHeader == "Info")
        #expect(mp3.isVBR == false)
        #expect(mp3.effectiveBitrateKbps == 64)
    }

    @Test func flacStreamInfoGivesRateChannelsBitsDurationAndPicture() throws {
        let file = Fixtures.flac(
            rate: 48_000, channels: 2, bits: 24, totalSamples: 48_000 * 90,
            picture: Fixtures.png(width: 2000, height: 1999, colourType: 6))
        let facts = FileInspector.inspect(bytes: file, fileSize: Int64(file.count))
        #expect(facts.container == .flac)
        #expect(facts.sampleRate == 48_000)
        #expect(facts.channelCount == 2)
        #expect(facts.bitsPerSample == 24)
        #expect(facts.durationSeconds == 90)
        #expect(facts.artwork?.width == 2000 && facts.artwork?.height == 1999)
        #expect(facts.artwork?.hasAlpha == true)
        let mono = FileInspector.inspect(
            bytes: Fixtures.flac(rate: 44_100, channels: 1, bits: 16, totalSamples: 1),
            fileSize: 100)
        #expect(mono.channelCount == 1 && mono.bitsPerSample == 16 && mono.sampleRate == 44_100)
        #expect(mono.artwork == nil)
    }

    @Test func wavFmtChunkGivesFormatChannelsBitsAndDuration() throws {
        let pcm = Fixtures.wav(formatTag: 1, channels: 2, rate: 44_100, bits: 16, frames: 4410)
        let facts = FileInspector.inspect(bytes: pcm, fileSize: Int64(pcm.count))
        #expect(facts.container == .wav)
        #expect(facts.wavFormatTag == 1 && facts.channelCount == 2 && facts.bitsPerSample == 16)
        #expect(facts.sampleRate == 44_100)
        #expect(facts.durationSeconds == 0.1)

        let extensible = Fixtures.wav(
            formatTag: 1, channels: 2, rate: 48_000, bits: 32, frames: 10, extensible: true,
            validBits: 24)
        let ext = FileInspector.inspect(bytes: extensible, fileSize: Int64(extensible.count))
        #expect(ext.wavFormatTag == 1 && ext.bitsPerSample == 24)

        let float = Fixtures.wav(formatTag: 3, channels: 1, rate: 48_000, bits: 32, frames: 10)
        let f = FileInspector.inspect(bytes: float, fileSize: Int64(float.count))
        #expect(f.wavFormatTag == 3 && f.bitsPerSample == 32 && f.channelCount == 1)
    }

    @Test func oggOpusHeadGivesChannelsAndAPictureSpanningPages() throws {
        let cover = Fixtures.jpeg(width: 1400, height: 1400) + [UInt8](repeating: 7, count: 3000)
        let block = Fixtures.flacPictureBlock(mime: "image/jpeg", picture: cover)
        let tags = Fixtures.opusTags(comments: [
            "TITLE=x", "metadata_block_picture=" + Data(block).base64EncodedString(),
        ])
        let file = Fixtures.oggPages(
            packets: [Fixtures.opusHead(channels: 2, inputRate: 44_100), tags], maxSegments: 4)
        let facts = FileInspector.inspect(bytes: file, fileSize: Int64(file.count))
        #expect(facts.container == .oggOpus)
        #expect(facts.channelCount == 2)
        #expect(facts.sampleRate == 48_000)
        #expect(facts.opusInputSampleRate == 44_100)
        #expect(facts.artwork?.format == .jpeg && facts.artwork?.width == 1400)
    }

    @Test func oggThatIsNotOpusIsUnknown() {
        let file = Fixtures.oggPages(packets: [[1] + Array("vorbis".utf8) + [UInt8](repeating: 0, count: 30)])
        #expect(FileInspector.inspect(bytes: file, fileSize: 100).container == .unknown)
    }

    @Test func standaloneImagesAreInspectedAsArtwork() {
        let facts = FileInspector.inspect(bytes: Fixtures.jpeg(width: 1500, height: 1500), fileSize: 1000)
        #expect(facts.container == .image)
        #expect(facts.artwork?.width == 1500)
    }

    @Test func unknownBytesAreReportedNotGuessed() {
        let text = Array("just some text, not audio at all".utf8)
        let facts = FileInspector.inspect(bytes: text, fileSize: Int64(text.count))
        #expect(facts.container == .unknown)
        #expect(!facts.problems.isEmpty)
    }

    /// The facts a header carries, in one list: rate, channels, bits, WAV format tag, Opus input rate,
    /// picture width and height.
    static func headerFacts(_ facts: FileFacts) -> [Int?] {
        [
            facts.sampleRate, facts.channelCount, facts.bitsPerSample, facts.wavFormatTag,
            facts.opusInputSampleRate, facts.artwork?.width, facts.artwork?.height,
        ]
    }

    /// Every prefix of every fixture is inspected without crashing; no prefix reports a fact that differs
    /// from the whole file's; and a prefix that ends before the last header field the inspector reports is
    /// never passed off as a complete file of its format: the container is unknown, a problem is named, or
    /// a fact the whole file has is missing (so the linter reports it unknown).
    @Test func everyTruncationOfEveryFixtureIsHandledAndAShortHeaderIsFlagged() {
        let frame = Fixtures.mp3Frame(kbps: 128, bitrateIndex: 9)
        let tag = Fixtures.id3v2(frames: [
            ("APIC", Fixtures.apic(mime: "image/png", picture: Fixtures.png(width: 1, height: 1)))
        ])
        let ogg = Fixtures.oggPages(packets: [
            Fixtures.opusHead(channels: 1, inputRate: 48_000), Fixtures.opusTags(comments: ["A=b"]),
        ])
        let jpeg = Fixtures.jpeg(width: 5, height: 5)
        // Where each header's last reported field ends, from the formats' layouts: the tag, then the first
        // MPEG frame header (4 bytes); "fLaC", the STREAMINFO block header (4) and its first 18 bytes, up to
        // the total sample count (the MD5 after it is not read); RIFF/WAVE (12), this fixture's LIST chunk
        // (8 + 5 + 1 pad), the fmt chunk header (8) and 26 bytes of its extensible body, up to the format
        // code that starts the sub-format GUID; the first Ogg page's 27-byte header, its lacing values
        // (byte 26 counts them) and the 19-byte OpusHead; a JPEG up to its SOF segment's component count
        // (SOI 2, APP0 18, DQT 69, then SOF: marker, length, precision, height, width, count = 10); PNG's
        // signature, the IHDR chunk header and IHDR up to its colour type (8 + 8 + 10).
        let fixtures: [(name: String, bytes: [UInt8], headerEnd: Int)] = [
            ("ID3 + MP3", tag + frame + frame, tag.count + 4),
            (
                "FLAC",
                Fixtures.flac(
                    rate: 44_100, channels: 2, bits: 16, totalSamples: 10,
                    picture: Fixtures.png(width: 1, height: 1)), 4 + 4 + 18
            ),
            (
                "WAV", Fixtures.wav(formatTag: 1, channels: 2, rate: 44_100, bits: 16, frames: 2, extensible: true),
                12 + 14 + 8 + 26
            ),
            ("Ogg Opus", ogg, 27 + Int(ogg[26]) + 19),
            ("JPEG", jpeg, 2 + 18 + 69 + 10),
            ("PNG", Fixtures.png(width: 5, height: 5), 8 + 8 + 10),
        ]
        for (name, bytes, headerEnd) in fixtures {
            // The whole fixture is a complete file of its format (the control: the check below can tell).
            let whole = FileInspector.inspect(bytes: bytes, fileSize: Int64(bytes.count))
            let wholeFacts = Self.headerFacts(whole)
            #expect(whole.container != .unknown && whole.problems.isEmpty, "\(name): \(whole.problems)")
            var flagged = 0
            for n in 0...bytes.count {
                let facts = FileInspector.inspect(bytes: Array(bytes.prefix(n)), fileSize: Int64(bytes.count))
                let read = Self.headerFacts(facts)
                let invented = zip(read, wholeFacts).contains { $0 != nil && $0 != $1 }
                #expect(!invented, "\(name): \(n) bytes give \(read), the whole file \(wholeFacts)")
                if n < headerEnd {
                    let missing = zip(read, wholeFacts).contains { $0 == nil && $1 != nil }
                    let isFlagged = facts.container == .unknown || !facts.problems.isEmpty || missing
                    #expect(
                        isFlagged, "\(name): \(n) of \(headerEnd) header bytes read as a complete \(facts.container)")
                    if isFlagged { flagged += 1 }
                }
            }
            #expect(flagged == headerEnd, "\(name)")
        }
    }

    @Test func inspectingAPathReadsTheFileAndReportsMissingFiles() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("podsmith-inspect-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("a.wav").path
        let wav = Fixtures.wav(formatTag: 1, channels: 2, rate: 48_000, bits: 24, frames: 480)
        try Data(wav).write(to: URL(fileURLWithPath: path))
        let facts = try FileInspector.inspect(path: path)
        #expect(facts.path == path && facts.sizeBytes == Int64(wav.count) && facts.bitsPerSample == 24)
        #expect(throws: PodsmithError.inputMissing(path: path + ".nope")) {
            try FileInspector.inspect(path: path + ".nope")
        }
        #expect(throws: PodsmithError.inputIsDirectory(path: dir.path)) { try FileInspector.inspect(path: dir.path) }
    }
}

@Suite struct ImageInspectorTests {
    @Test func pngDimensionsAndColourTypeComeFromIHDR() throws {
        let rgb = try #require(ImageInspector.inspect(Fixtures.png(width: 3000, height: 2999, colourType: 2)))
        #expect(rgb.format == .png && rgb.width == 3000 && rgb.height == 2999)
        #expect(rgb.colorModel == .rgb && !rgb.hasAlpha)
        #expect(ImageInspector.inspect(Fixtures.png(width: 1, height: 1, colourType: 0))?.colorModel == .grayscale)
        #expect(ImageInspector.inspect(Fixtures.png(width: 1, height: 1, colourType: 3))?.colorModel == .indexed)
        #expect(ImageInspector.inspect(Fixtures.png(width: 1, height: 1, colourType: 6))?.hasAlpha == true)
    }

    @Test(arguments: [false, true])
    func jpegDimensionsComeFromTheStartOfFrameAfterOtherSegments(progressive: Bool) throws {
        let facts = try #require(
            ImageInspector.inspect(Fixtures.jpeg(width: 1600, height: 1400, progressive: progressive)))
        #expect(facts.format == .jpeg && facts.width == 1600 && facts.height == 1400)
        #expect(facts.colorModel == .rgb)
    }

    @Test func jpegComponentCountGivesTheColourModel() {
        #expect(ImageInspector.inspect(Fixtures.jpeg(width: 9, height: 9, components: 1))?.colorModel == .grayscale)
        #expect(ImageInspector.inspect(Fixtures.jpeg(width: 9, height: 9, components: 4))?.colorModel == .cmyk)
    }

    @Test func otherBytesAreNotAnImage() {
        #expect(ImageInspector.inspect(Array("GIF89a".utf8)) == nil)
        #expect(ImageInspector.inspect([]) == nil)
    }
}
