import PodsmithCore

/// Facts of an MP4 (`.m4a`) file's audio track, read from its boxes (ISO/IEC 14496-12 and -14).
public struct MP4AudioFacts: Sendable, Equatable, Codable {
    /// The sample entry's type: `mp4a` (MPEG-4 audio), `alac`, …
    public var sampleEntry: String
    /// MPEG-4 Audio Object Type from the decoder specific info (ISO/IEC 14496-3 §1.6.2.1): 2 AAC-LC,
    /// 5 SBR (HE-AAC), 29 PS (HE-AAC v2); `nil` when not MPEG-4 audio.
    public var audioObjectType: Int?
    /// Average bitrate the esds box states, kbit/s (0 when the muxer left it unset: `nil`).
    public var averageBitrateKbps: Double?
    /// Whether the moov box comes before the media data, so that playback can start while downloading.
    public var moovFirst: Bool
    /// Channels the AudioSpecificConfig states (its channelConfiguration, ISO/IEC 14496-3 §1.6.3.5: 1–6 are
    /// that many channels, 7 is 8); `nil` when absent or 0 (defined in the stream).
    public var configuredChannels: Int? = nil

    public init(sampleEntry: String, audioObjectType: Int?, averageBitrateKbps: Double?, moovFirst: Bool) {
        self.sampleEntry = sampleEntry
        self.audioObjectType = audioObjectType
        self.averageBitrateKbps = averageBitrateKbps
        self.moovFirst = moovFirst
    }

    /// Whether the track is AAC-LC (`mp4a`, object type 2).
    public var isAACLC: Bool { sampleEntry == "mp4a" && audioObjectType == 2 }
}

/// MP4: the top-level boxes in order, the movie's duration (mvhd), the first sound track's sample
/// entry and esds, and the iTunes cover (`moov/udta/meta/ilst/covr`).
enum MP4Inspector {
    static func inspect(_ r: ByteReader, fileSize: Int64) -> FileFacts {
        var facts = FileFacts(container: .m4a, sizeBytes: fileSize)
        var at = 0
        var sawMdat = false
        var audio: MP4AudioFacts?
        while let (type, body, end) = box(r, at: at, limit: r.count) {
            if type == "mdat" { sawMdat = true }
            if type == "moov" {
                read(r, body, end, into: &facts, audio: &audio, moovFirst: !sawMdat)
                break
            }
            at = end
        }
        if let audio {
            facts.mp4 = audio
        } else {
            facts.problems.append(
                sawMdat
                    ? "the moov box is after the media data beyond the first 16 MiB (not fast-start): not inspected"
                    : "no MP4 sound track found")
        }
        return facts
    }

    /// One box at `at`: its type, where its body starts and where it ends (clamped to `limit`).
    static func box(_ r: ByteReader, at: Int, limit: Int) -> (String, Int, Int)? {
        guard at + 8 <= limit, var size = r.u32be(at), let type = r.latin1(at + 4, 4) else { return nil }
        var body = at + 8
        if size == 1 {
            guard let high = r.u32be(at + 8), let low = r.u32be(at + 12) else { return nil }
            size = high << 32 | low
            body += 8
        } else if size == 0 {
            size = limit - at
        }
        guard size >= body - at else { return nil }
        return (type, body, min(at + size, limit))
    }

    private static func read(
        _ r: ByteReader, _ start: Int, _ end: Int, into facts: inout FileFacts, audio: inout MP4AudioFacts?,
        moovFirst: Bool
    ) {
        var at = start
        while let (type, body, next) = box(r, at: at, limit: end) {
            switch type {
            case "trak", "mdia", "minf", "stbl", "udta", "ilst":
                read(r, body, next, into: &facts, audio: &audio, moovFirst: moovFirst)
            case "meta":
                read(r, body + 4, next, into: &facts, audio: &audio, moovFirst: moovFirst)
            case "mvhd":
                let version = r.u8(body) ?? 0
                let scale = r.u32be(body + (version == 1 ? 20 : 12)) ?? 0
                let duration =
                    version == 1
                    ? (r.u32be(body + 24).map { $0 << 32 | (r.u32be(body + 28) ?? 0) })
                    : r.u32be(body + 16)
                if scale > 0, let duration { facts.durationSeconds = Double(duration) / Double(scale) }
            case "stsd" where audio == nil:
                if let entry = soundEntry(r, body + 8, next, facts: &facts, moovFirst: moovFirst) { audio = entry }
            case "covr" where facts.artwork == nil:
                // A `data` box: type indicator and locale (4 bytes each), then the picture.
                if let (dataType, dataBody, dataEnd) = box(r, at: body, limit: next), dataType == "data",
                    let bytes = r.slice(dataBody + 8, dataEnd - dataBody - 8)
                {
                    facts.artwork = FileInspector.artwork(Array(bytes))
                }
            default: break
            }
            at = next
        }
    }

    /// The first sample entry, when it is a sound entry (ISO/IEC 14496-12 §12.2.3: channel count at 24,
    /// 16.16 rate at 32 from its start, child boxes from 36; QuickTime version 1 and 2 entries are longer).
    private static func soundEntry(
        _ r: ByteReader, _ at: Int, _ end: Int, facts: inout FileFacts, moovFirst: Bool
    ) -> MP4AudioFacts? {
        guard let (type, body, next) = box(r, at: at, limit: end), ["mp4a", "alac", "ac-3", "ec-3"].contains(type),
            let version = r.u16be(body + 8), let channels = r.u16be(body + 16), let rate = r.u32be(body + 24)
        else { return nil }
        facts.channelCount = channels
        facts.sampleRate = rate >> 16
        var audio = MP4AudioFacts(
            sampleEntry: type, audioObjectType: nil, averageBitrateKbps: nil, moovFirst: moovFirst)
        var child = body + 28 + (version == 1 ? 16 : version == 2 ? 36 : 0)
        while let (childType, childBody, childEnd) = box(r, at: child, limit: next) {
            if childType == "esds" { esds(r, childBody + 4, childEnd, into: &audio) }
            child = childEnd
        }
        // An MP4 sample entry's channelcount is 2 whatever the stream holds (ISO/IEC 14496-12 §12.2.3
        // leaves it at its template value; FFmpeg writes 2 for mono AAC): the decoder config says.
        if let configured = audio.configuredChannels { facts.channelCount = configured }
        return audio
    }

    /// ES_Descriptor (tag 3) → DecoderConfigDescriptor (tag 4: average bitrate) → DecoderSpecificInfo
    /// (tag 5: the audio object type in its first 5 bits), ISO/IEC 14496-1 §7.2.6.
    private static func esds(_ r: ByteReader, _ start: Int, _ end: Int, into audio: inout MP4AudioFacts) {
        var at = start
        func descriptor() -> (tag: Int, body: Int)? {
            guard at < end, let tag = r.u8(at) else { return nil }
            at += 1
            for _ in 0..<4 {
                guard let byte = r.u8(at) else { return nil }
                at += 1
                if byte & 0x80 == 0 { break }
            }
            return (Int(tag), at)
        }
        guard let es = descriptor(), es.tag == 3, let flags = r.u8(es.body + 2) else { return }
        at = es.body + 3 + (flags & 0x80 != 0 ? 2 : 0) + (flags & 0x20 != 0 ? 2 : 0)
        if flags & 0x40 != 0 { at += 1 + Int(r.u8(at) ?? 0) }
        guard let config = descriptor(), config.tag == 4 else { return }
        if let average = r.u32be(config.body + 9), average > 0 { audio.averageBitrateKbps = Double(average) / 1000 }
        at = config.body + 13
        guard let info = descriptor(), info.tag == 5, let first = r.u8(info.body) else { return }
        audio.audioObjectType = Int(first >> 3)
        // aaaaabbb bccccddd: object type (5 bits), sampling frequency index (4), channelConfiguration (4);
        // only when neither escapes (object type 31, frequency index 15 with 24 explicit bits).
        if first >> 3 != 31, let second = r.u8(info.body + 1), ((first & 0x07) << 1 | second >> 7) != 15 {
            let configuration = Int((second >> 3) & 0x0F)
            if (1...7).contains(configuration) { audio.configuredChannels = configuration == 7 ? 8 : configuration }
        }
    }
}
