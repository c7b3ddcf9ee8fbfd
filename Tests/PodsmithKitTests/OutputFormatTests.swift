import PodsmithTestSupport
import Testing

@testable import PodsmithCodecs
@testable import PodsmithCore
@testable import PodsmithKit
@testable import PodsmithSeason

@Suite struct OutputFormatTests {
    @Test(arguments: OutputFormat.allCases)
    func everyExtensionOfAFormatNamesThatFormat(format: OutputFormat) {
        #expect(format.fileExtensions.first == format.fileExtension)
        for ext in format.fileExtensions {
            #expect(OutputFormat(pathExtension: ext) == format)
            #expect(OutputFormat(pathExtension: ext.uppercased()) == format)
        }
    }

    @Test func unknownExtensionsNameNoFormat() {
        for ext in ["", "aac", "mp4", "mp", "wavx"] { #expect(OutputFormat(pathExtension: ext) == nil, "\(ext)") }
    }

    @Test func onlyLossyFormatsTakeABitrateAndHaveADefault() {
        for format in OutputFormat.allCases {
            let takesBitrate = format.acceptedBitrates != .none
            #expect(takesBitrate == format.isLossy, "\(format)")
            for channels in 1...8 {
                let hasDefault = format.defaultBitrateKbps(channels: channels) != nil
                #expect(hasDefault == format.isLossy, "\(format) \(channels)")
            }
        }
        #expect(OutputFormat.mp3.isLossy && OutputFormat.opus.isLossy)
        #expect(!OutputFormat.wav.isLossy && !OutputFormat.flac.isLossy)
    }

    // The defaults must pass the format's own rule, or a run without `--bitrate` would be refused.
    @Test(arguments: [OutputFormat.mp3, .opus, .m4a], [1, 2])
    func theDefaultBitrateIsAcceptedByItsFormat(format: OutputFormat, channels: Int) throws {
        let kbps = try #require(format.defaultBitrateKbps(channels: channels))
        #expect(format.acceptedBitrates.contains(kbps))
        #expect(EncoderSettings.bitrateIssue(kbps, format: format) == nil)
    }

    @Test func theEncodersUseTheFormatsDefaultBitrates() {
        for channels in 1...2 {
            #expect(
                MP3EncoderOptions().effectiveBitrateKbps(channelCount: channels)
                    == OutputFormat.mp3.defaultBitrateKbps(channels: channels))
            #expect(
                OpusEncoderOptions().effectiveBitrateKbps(channelCount: channels)
                    == OutputFormat.opus.defaultBitrateKbps(channels: channels))
            #expect(
                M4AEncoderOptions().effectiveBitrateKbps(channelCount: channels)
                    == OutputFormat.m4a.defaultBitrateKbps(channels: channels))
        }
    }

    @Test func lossyFormatsCapChannelsAtTwoAndLosslessKeepWhatIsRead() {
        #expect(OutputFormat.mp3.maxChannels == 2 && OutputFormat.opus.maxChannels == 2)
        #expect(OutputFormat.wav.maxChannels == AudioFormat.supportedChannelCounts.upperBound)
        #expect(OutputFormat.flac.maxChannels == AudioFormat.supportedChannelCounts.upperBound)
        for format in OutputFormat.allCases {
            let normalizer = Normalizer(options: NormalizeOptions(encoder: EncoderSettings(format: format)))
            #expect(normalizer.outputChannelCount(input: 6) == (format.isLossy ? 2 : 6), "\(format)")
            #expect(normalizer.outputChannelCount(input: 1) == 1, "\(format)")
        }
    }

    // Apple's feeds and players: AAC in MP4 is `audio/x-m4a`, 128 kbit/s stereo and 64 mono by default, at
    // 44.1 or 48 kHz; a codec's name or another MP4 extension suggests the format.
    @Test func m4aIsAACInMP4AtApplesRatesAndMIMEType() {
        #expect(OutputFormat(pathExtension: "M4A") == .m4a)
        #expect(OutputFormat.m4a.mimeType == "audio/x-m4a")
        #expect(OutputFormat.m4a.defaultBitrateKbps(channels: 2) == 128)
        #expect(OutputFormat.m4a.defaultBitrateKbps(channels: 1) == 64)
        #expect(OutputFormat.m4a.maxChannels == 2)
        #expect(OutputFormat.m4a.outputSampleRate(input: 48_000, requested: nil) == 48_000)
        #expect(OutputFormat.m4a.outputSampleRate(input: 96_000, requested: nil) == 44_100)
        #expect(OutputFormat.m4a.outputSampleRate(input: 22_050, requested: nil) == 44_100)
        #expect(OutputFormat.suggestion(for: "aac") == .m4a)
        #expect(OutputFormat.suggestion(for: "MP4") == .m4a)
        #expect(OutputFormat.suggestion(for: "ogg") == .opus)
        #expect(OutputFormat.suggestion(for: "wma") == nil)
    }

    @Test func onlyOpusStartsBelowTheCeiling() {
        #expect(OutputFormat.opus.truePeakHeadroomDB == 0.5)
        for format in [OutputFormat.mp3, .m4a, .wav, .flac] { #expect(format.truePeakHeadroomDB == 0, "\(format)") }
    }

    @Test func flacStoresIntegersOnlyAndWAVEveryDepth() {
        #expect(OutputFormat.flac.pcmBitDepths == [.int16, .int24])
        #expect(OutputFormat.wav.pcmBitDepths == PCMBitDepth.allCases)
        #expect(PCMBitDepth.allCases.map(\.bitsPerSample) == [16, 24, 32])
    }
}
