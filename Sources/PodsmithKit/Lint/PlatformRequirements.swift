import PodsmithCodecs
import PodsmithCore

/// A platform whose published requirements `podsmith lint` checks against.
public enum Platform: String, Sendable, CaseIterable, Codable {
    /// Apple Podcasts (the strictest published set: loudness, formats, artwork).
    case apple
    /// Spotify: a playback loudness target and a true-peak recommendation; no published format minimums
    /// are checked.
    case spotify
    /// No particular platform: AES TD1004's range for speech and the −1 dBTP ceiling.
    case generic

    /// The platform's requirements.
    public var requirements: PlatformRequirements {
        switch self {
        case .apple: return .apple
        case .spotify: return .spotify
        case .generic: return .generic
        }
    }
}

/// Where each published figure comes from (cited in every finding).
public enum RequirementSource {
    /// Apple Podcasts for Creators, "Audio requirements".
    public static let appleAudio =
        "Apple Podcasts for Creators, Audio requirements, https://podcasters.apple.com/support/893-audio-requirements"
    /// Apple Podcasts for Creators, "Artwork requirements".
    public static let appleArtwork =
        "Apple Podcasts for Creators, Artwork requirements, https://podcasters.apple.com/support/896-artwork-requirements"
    /// Spotify for Artists, "Loudness normalization" (playback at −14 LUFS; keep true peaks below −1 dB).
    public static let spotifyLoudness =
        "Spotify for Artists, Loudness normalization, https://support.spotify.com/artists/article/loudness-normalization/"
    /// Spotify for Podcasters, "Podcast specification doc": what a podcast's files must be (format and
    /// encoding). Spotify adjusts each podcast's playback volume to its loudness target itself, so a
    /// podcast off −14 LUFS is played quieter or louder, not refused: the loudness rule is advice.
    public static let spotifyPodcasts =
        "Spotify for Podcasters, Podcast specification doc, https://support.spotify.com/podcasters/article/podcast-specification-doc/; "
        + "playback loudness: " + spotifyLoudness
    /// AES TD1004.1.15-10, "Recommendations for Loudness of Audio Streaming and Network File Playback".
    public static let aesTD1004 =
        "AES TD1004.1.15-10, Recommendations for Loudness of Audio Streaming and Network File Playback"
    /// Mono judged as dual-mono: AES TD1004 §3 and Apple's "-16 LKFS" applying to what is heard on two speakers.
    public static let dualMono = "AES TD1004.1.15-10 (mono played on two speakers is heard +3 dB louder than measured)"
}

/// Acceptable artwork.
public struct ArtworkRequirements: Sendable, Equatable {
    /// Smallest and largest side, px.
    public var sides: ClosedRange<Int>
    public var square: Bool
    public var formats: Set<ImageFormat>
    /// Colour models accepted (Apple: RGB; a PNG palette holds RGB entries, so indexed passes).
    public var colorModels: Set<ImageColorModel>
    public var source: String
}

/// What one platform requires of a published episode file.
///
/// Only figures the platform publishes are set; `nil` means "not checked". Values as published, with
/// the source in ``RequirementSource``.
public struct PlatformRequirements: Sendable, Equatable {
    public var platform: Platform
    /// Integrated loudness accepted, LUFS (mono judged as dual-mono, see ``judgeMonoAsDualMono``).
    public var integratedLUFS: ClosedRange<Double>
    /// The figure aimed at (middle of the range, for messages).
    public var targetLUFS: Double
    public var loudnessSource: String
    /// How a file outside ``integratedLUFS`` is judged: an error where the platform requires the range
    /// (Apple), a warning where it only turns playback up or down to its target (Spotify).
    public var loudnessSeverity: LintSeverity = .error
    /// Highest true peak allowed, dBTP.
    public var maxTruePeakDBTP: Double
    public var truePeakSource: String
    /// Whether a one-channel file's measured loudness gets +3.01 LU before it is judged.
    public var judgeMonoAsDualMono: Bool
    /// Containers the platform accepts; `nil` accepts any.
    public var containers: Set<ContainerKind>?
    /// Sample rates accepted, Hz; `nil` accepts any.
    public var sampleRates: Set<Int>?
    /// Lowest MP3 bitrate, kbit/s, for mono and for two-channel files.
    public var mp3MinimumKbps: (mono: Int, stereo: Int)?
    /// Recommended MP3 bitrate, kbit/s: a warning below.
    public var mp3RecommendedKbps: (mono: Int, stereo: Int)?
    /// Channels a WAV/FLAC file must have.
    public var pcmChannelCount: Int?
    /// Bit depths a WAV/FLAC file may have.
    public var pcmBitDepths: Set<Int>?
    public var formatSource: String
    public var artwork: ArtworkRequirements?

    public static func == (a: PlatformRequirements, b: PlatformRequirements) -> Bool { a.platform == b.platform }

    /// Apple Podcasts.
    ///
    /// - Loudness −16 LKFS ± 1 dB, true peak not above −1 dBFS (Audio requirements).
    /// - Apple Podcasts Connect takes WAV, FLAC or MP3, and feeds may carry AAC in M4A (AAC-LC, the
    ///   MP3 bitrates, moov first: see `Linter.checkM4A`); 44.1 kHz minimum, 48 kHz recommended for MP3
    ///   (higher PCM rates are allowed; Podsmith accepts 44.1 and 48 kHz, what it writes).
    /// - MP3: at least 32 kbit/s mono and 64 kbit/s stereo; 96–128 mono and 128–256 stereo recommended.
    /// - WAV/FLAC: two channels ("single-channel audio is not accepted"), 16 or 24 bits.
    /// - Artwork: 1400×1400 to 3000×3000 px, square, JPEG or PNG, RGB colour space (Artwork requirements).
    public static let apple = PlatformRequirements(
        platform: .apple, integratedLUFS: -17 ... -15, targetLUFS: -16, loudnessSource: RequirementSource.appleAudio,
        maxTruePeakDBTP: -1, truePeakSource: RequirementSource.appleAudio, judgeMonoAsDualMono: true,
        containers: [.mp3, .m4a, .wav, .flac, .image], sampleRates: [44_100, 48_000],
        mp3MinimumKbps: (mono: 32, stereo: 64), mp3RecommendedKbps: (mono: 96, stereo: 128),
        pcmChannelCount: 2, pcmBitDepths: [16, 24], formatSource: RequirementSource.appleAudio,
        artwork: ArtworkRequirements(
            sides: 1400...3000, square: true, formats: [.jpeg, .png],
            colorModels: [.rgb, .indexed], source: RequirementSource.appleArtwork))

    /// Spotify: playback normalised to −14 LUFS, true peaks below −1 dB. Spotify publishes a playback
    /// target, not a tolerance: ±1 LU is Podsmith's choice, the same width as Apple's. Outside it is a
    /// warning, not an error: Spotify's podcast specification asks for formats, and its player turns a
    /// podcast at −16 LUFS up rather than refusing it (see ``RequirementSource/spotifyPodcasts``).
    public static let spotify = PlatformRequirements(
        platform: .spotify, integratedLUFS: -15 ... -13, targetLUFS: -14,
        loudnessSource: RequirementSource.spotifyPodcasts, loudnessSeverity: .warning,
        maxTruePeakDBTP: -1, truePeakSource: RequirementSource.spotifyLoudness, judgeMonoAsDualMono: true,
        containers: nil, sampleRates: nil, mp3MinimumKbps: nil, mp3RecommendedKbps: nil, pcmChannelCount: nil,
        pcmBitDepths: nil, formatSource: RequirementSource.spotifyLoudness, artwork: nil)

    /// Generic: AES TD1004 recommends −16 to −20 LUFS for speech streams and at most −1 dBTP.
    public static let generic = PlatformRequirements(
        platform: .generic, integratedLUFS: -20 ... -16, targetLUFS: -18, loudnessSource: RequirementSource.aesTD1004,
        maxTruePeakDBTP: -1, truePeakSource: RequirementSource.aesTD1004, judgeMonoAsDualMono: true,
        containers: nil, sampleRates: nil, mp3MinimumKbps: nil, mp3RecommendedKbps: nil, pcmChannelCount: nil,
        pcmBitDepths: nil, formatSource: RequirementSource.aesTD1004, artwork: nil)
}
