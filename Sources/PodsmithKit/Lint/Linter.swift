import Foundation
import PodsmithCodecs
import PodsmithCore

/// Checks a file's facts and loudness against a platform's published requirements.
///
/// Pure: the caller inspects the file (``FileInspector``) and measures it (the loudness meter), so the
/// rules are tested on crafted facts and `lint` on real files runs the same code.
public enum Linter {
    /// Every rule that fails or is only nearly met, errors first.
    /// - Parameters:
    ///   - facts: the file's container facts.
    ///   - loudness: its measurement; `nil` skips the loudness rules (pictures, or not measured).
    ///   - platform: whose requirements to apply.
    public static func check(facts: FileFacts, loudness: LoudnessMeasurement?, platform: Platform) -> [LintFinding] {
        let req = platform.requirements
        var findings: [LintFinding] = []
        func add(_ id: String, _ severity: LintSeverity, _ summary: String, _ source: String, _ message: String) {
            findings.append(
                LintFinding(
                    rule: LintRule(id: id, summary: summary, source: source),
                    severity: severity, message: message))
        }

        if facts.container == .unknown {
            add(
                "file.format", .error, "a recognised audio or picture file", req.formatSource,
                facts.problems.first ?? "not a recognised audio or picture file")
            return findings
        }
        for problem in facts.problems {
            add("file.header", .warning, "well-formed headers", req.formatSource, problem)
        }
        if let containers = req.containers, !containers.contains(facts.container) {
            add(
                "format.container", .error, "an accepted file format", req.formatSource,
                "\(facts.container.rawValue) is not accepted by \(platform.rawValue); use "
                    + containers.filter { $0 != .image }.map(\.rawValue).sorted().joined(separator: ", "))
        }
        if facts.container != .image {
            checkLoudness(facts: facts, loudness: loudness, req: req, add: add)
            checkFormat(facts: facts, req: req, add: add)
            checkMP3Length(facts: facts, loudness: loudness, add: add)
        }
        if let artwork = facts.artwork, let rules = req.artwork {
            checkArtwork(artwork, rules: rules, add: add)
        }
        return findings.sorted { $0.severity > $1.severity }
    }

    /// True when any finding is an error (`podsmith lint` exits 1).
    public static func fails(_ findings: [LintFinding]) -> Bool {
        findings.contains { $0.severity == .error }
    }

    // MARK: - Rules

    private typealias Add = (String, LintSeverity, String, String, String) -> Void

    private static func checkLoudness(
        facts: FileFacts, loudness: LoudnessMeasurement?, req: PlatformRequirements,
        add: Add
    ) {
        guard let loudness else { return }
        let range = req.integratedLUFS
        let summary = "integrated loudness \(fmt(range.lowerBound))…\(fmt(range.upperBound)) LUFS"
        if let measured = loudness.integratedLUFS {
            let channels = facts.channelCount ?? loudness.channelCount
            let mono = channels == 1 && req.judgeMonoAsDualMono
            let judged = (mono ? MonoConvention.dualMono : .singleChannel).perceivedLoudness(
                measured: measured,
                channels: channels)
            if !range.contains(judged) {
                let how = mono ? " (mono, judged as dual-mono: \(fmt(measured, decimals: 2)) measured + 3.0 LU)" : ""
                add(
                    "loudness.integrated", req.loudnessSeverity, summary,
                    mono
                        ? req.loudnessSource + "; " + RequirementSource.dualMono
                        : req.loudnessSource,
                    "integrated loudness \(fmt(judged, decimals: 2)) LUFS\(how), allowed \(fmt(range.lowerBound))…\(fmt(range.upperBound)) LUFS"
                )
            }
        } else {
            add(
                "loudness.integrated", .error, summary, req.loudnessSource,
                "no integrated loudness: nothing above the −70 LUFS gate (silence?)")
        }
        if let peak = loudness.truePeakDBTP, peak > req.maxTruePeakDBTP {
            add(
                "loudness.true-peak", .error, "true peak at most \(fmt(req.maxTruePeakDBTP)) dBTP", req.truePeakSource,
                // Measured figures to 0.01 dB: at one decimal a −0.96 dBTP peak read "−1.0 above −1.0".
                "true peak \(fmt(peak, decimals: 2)) dBTP, above the \(fmt(req.maxTruePeakDBTP)) dBTP ceiling")
        }
    }

    /// Shortfall beyond which a decoded MP3 is cut short: the encoder's delay and padding are a few
    /// frames (about 0.05 s), so 0.5 s (or 1 % of a long episode) is well clear of them.
    static let truncationToleranceSeconds = 0.5

    /// An MP3 whose Xing, Info (LAME) or VBRI header states its frame count, and that decodes to less:
    /// a file cut short (an interrupted upload or copy). Without such a header an MP3 states no length
    /// (its size gives only an estimate), so nothing is judged.
    private static func checkMP3Length(facts: FileFacts, loudness: LoudnessMeasurement?, add: Add) {
        guard let frames = facts.mp3?.frameCount, frames > 0, let stated = facts.durationSeconds,
            let loudness, loudness.sampleRate > 0
        else { return }
        let decoded = loudness.durationSeconds
        guard stated - decoded > max(truncationToleranceSeconds, stated * 0.01) else { return }
        let header = facts.mp3?.vbrHeader ?? "Xing"
        add(
            "mp3.truncated", .error, "the whole stream its header states",
            "ISO/IEC 11172-3 frames; the \(header) header's frame count",
            "the \(header) header states \(frames) frames (\(fmt(stated, decimals: 2)) s) but the file decodes to "
                + "\(fmt(decoded, decimals: 2)) s: it is cut short")
    }

    private static func checkFormat(facts: FileFacts, req: PlatformRequirements, add: Add) {
        let source = req.formatSource
        if let rates = req.sampleRates {
            let list = rates.sorted().map { khz($0) }.joined(separator: " or ")
            if let rate = facts.sampleRate {
                if !rates.contains(rate) {
                    add(
                        "format.sample-rate", .error, "sample rate \(list)", source,
                        "sample rate \(khz(rate)), expected \(list)")
                }
            } else {
                add("format.sample-rate", .error, "sample rate \(list)", source, "sample rate could not be read")
            }
        }
        if facts.container == .mp3, let mp3 = facts.mp3 {
            if mp3.layer != 3 {
                add(
                    "mp3.layer", .error, "MPEG Layer III", source,
                    "\(mp3.version.rawValue) Layer \(mp3.layer) audio, not MP3 (Layer III)")
            }
            let mono = mp3.channelMode == .mono
            let kbps = mp3.effectiveBitrateKbps
            let what = (mono ? "mono" : "stereo") + (mp3.isVBR ? " VBR average" : "")
            if let minimum = req.mp3MinimumKbps {
                let floor = mono ? minimum.mono : minimum.stereo
                if kbps < Double(floor) {
                    add(
                        "mp3.bitrate-minimum", .error,
                        "MP3 at least \(minimum.mono) kbps mono, \(minimum.stereo) kbps stereo",
                        source, "\(what) bitrate \(fmt(kbps, decimals: 0)) kbps, below the \(floor) kbps minimum")
                }
            }
            if let recommended = req.mp3RecommendedKbps {
                let floor = mono ? recommended.mono : recommended.stereo
                let minimum = req.mp3MinimumKbps.map { mono ? $0.mono : $0.stereo } ?? 0
                if kbps < Double(floor) && kbps >= Double(minimum) {
                    add(
                        "mp3.bitrate-recommended", .warning,
                        "MP3 \(recommended.mono) kbps or more mono, \(recommended.stereo) kbps or more stereo recommended",
                        source, "\(what) bitrate \(fmt(kbps, decimals: 0)) kbps, below the recommended \(floor) kbps")
                }
            }
        }
        if facts.container == .m4a, let mp4 = facts.mp4 {
            checkM4A(mp4, channels: facts.channelCount, req: req, add: add)
        }
        if facts.container == .wav || facts.container == .flac {
            if let wanted = req.pcmChannelCount, let channels = facts.channelCount, channels != wanted {
                add(
                    "pcm.channels", .error, "\(wanted)-channel WAV/FLAC", source,
                    "\(channels)-channel \(facts.container.rawValue.uppercased()), expected \(wanted) channels"
                        + (channels == 1 ? " (duplicate the mono channel to left and right)" : ""))
            }
            if let depths = req.pcmBitDepths {
                let list = depths.sorted().map(String.init).joined(separator: " or ")
                let isFloat = facts.wavFormatTag == 3
                if isFloat || !(facts.bitsPerSample.map(depths.contains) ?? false) {
                    let found =
                        isFloat
                        ? "\(facts.bitsPerSample ?? 32)-bit float"
                        : facts.bitsPerSample.map { "\($0)-bit" } ?? "unknown bit depth"
                    add(
                        "pcm.bit-depth", .error, "\(list)-bit integer PCM", source,
                        "\(found) \(facts.container.rawValue.uppercased()), expected \(list)-bit")
                }
            }
        }
    }

    /// Apple's AAC rules: AAC-LC (not HE-AAC, not another codec in MP4), at least the bitrates Apple
    /// gives for MP3 (its audio requirements give one table of bitrates), and the moov box first so that
    /// playback can start before the download ends (a warning).
    private static func checkM4A(_ mp4: MP4AudioFacts, channels: Int?, req: PlatformRequirements, add: Add) {
        guard req.platform == .apple else { return }
        let source = req.formatSource
        if !mp4.isAACLC {
            let found =
                mp4.sampleEntry == "mp4a"
                ? "AAC object type \(mp4.audioObjectType.map(String.init) ?? "unknown")" : mp4.sampleEntry
            add("m4a.codec", .error, "AAC-LC audio in M4A", source, "\(found) audio, not AAC-LC (object type 2)")
        }
        if let kbps = mp4.averageBitrateKbps, let minimum = req.mp3MinimumKbps {
            let mono = channels == 1
            let floor = mono ? minimum.mono : minimum.stereo
            if kbps < Double(floor) {
                add(
                    "m4a.bitrate-minimum", .error,
                    "AAC at least \(minimum.mono) kbps mono, \(minimum.stereo) kbps stereo", source,
                    "\(mono ? "mono" : "stereo") bitrate \(fmt(kbps, decimals: 0)) kbps, below the \(floor) kbps minimum"
                )
            }
        }
        if !mp4.moovFirst {
            add(
                "m4a.fast-start", .warning, "moov box before the media data", source,
                "the moov box follows the media data: players must fetch the end of the file before playing")
        }
    }

    private static func checkArtwork(_ art: ImageFacts, rules: ArtworkRequirements, add: Add) {
        let source = rules.source
        if !rules.formats.contains(art.format) {
            add("artwork.format", .error, "JPEG or PNG artwork", source, "artwork is not JPEG or PNG")
        }
        guard let width = art.width, let height = art.height else {
            if art.format != .other {
                add("artwork.dimensions", .error, "artwork size readable", source, "artwork size could not be read")
            }
            return
        }
        if rules.square && width != height {
            add("artwork.square", .error, "square artwork", source, "artwork is \(width)×\(height), not square")
        }
        if !rules.sides.contains(width) || !rules.sides.contains(height) {
            add(
                "artwork.dimensions", .error,
                "artwork \(rules.sides.lowerBound)–\(rules.sides.upperBound) px on each side", source,
                "artwork is \(width)×\(height) px, allowed \(rules.sides.lowerBound)–\(rules.sides.upperBound) px per side"
            )
        }
        if !rules.colorModels.contains(art.colorModel) {
            add(
                "artwork.color-space", .error, "RGB artwork", source,
                "artwork colour model is \(art.colorModel.rawValue), expected RGB")
        }
    }

    // MARK: - Formatting

    private static func fmt(_ v: Double, decimals: Int = 1) -> String {
        String(format: "%.\(decimals)f", v)
    }

    private static func khz(_ rate: Int) -> String {
        // 44100 → "44.1 kHz", 22050 → "22.05 kHz", 48000 → "48 kHz".
        var text = String(format: "%.3f", Double(rate) / 1000)
        while text.hasSuffix("0") { text.removeLast() }
        if text.hasSuffix(".") { text.removeLast() }
        return text + " kHz"
    }
}
