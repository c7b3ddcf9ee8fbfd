import Foundation
import PodsmithKit

/// One output file of an episode: a format and, for the lossy ones, a bitrate.
///
/// Written in manifests as `FORMAT[@BITRATE]`: `mp3`, `mp3@128k`, `opus@48k` (48 kbit/s; Opus always
/// runs at 48 kHz, RFC 7845 §5.1, so a bare number after `@` is never a sample rate), `flac`, `wav`.
/// The `k` is optional (`mp3@128` is the same as `mp3@128k`).
public struct OutputSpec: Sendable, Hashable, Codable, CustomStringConvertible {
    /// Container and codec.
    public var format: OutputFormat
    /// Bitrate in kbit/s; `nil` leaves it to the season's `bitrate` or the encoder's default.
    public var bitrateKbps: Int?

    public init(format: OutputFormat, bitrateKbps: Int? = nil) {
        self.format = format
        self.bitrateKbps = bitrateKbps
    }

    /// Parses `mp3`, `mp3@128k`, `opus@48k`.
    /// - Throws: a message saying what is wrong, for the manifest validator to attach a key path to. The
    ///   bitrate is checked by ``EncoderSettings/bitrateIssue(_:format:vbr:)``, the rule the CLI uses too.
    public init(parsing text: String) throws(OutputSpecError) {
        let trimmed = text.trimmingCharacters(in: .whitespaces).lowercased()
        let parts = trimmed.split(separator: "@", maxSplits: 1, omittingEmptySubsequences: false)
        guard let format = OutputFormat(rawValue: String(parts[0])) else {
            let known = OutputFormat.allCases.map(\.rawValue).joined(separator: ", ")
            if let suggested = OutputFormat.suggestion(for: String(parts[0])) {
                throw OutputSpecError(
                    message: "unknown format '\(parts[0])' in '\(text)' (did you mean \(suggested.rawValue)?)")
            }
            throw OutputSpecError(message: "unknown format '\(parts[0])' in '\(text)' (known: \(known))")
        }
        self.format = format
        guard parts.count == 2 else {
            bitrateKbps = nil
            return
        }
        guard format.isLossy else {
            throw OutputSpecError(message: "'\(text)': \(format.rawValue) is lossless and takes no bitrate")
        }
        var number = Substring(parts[1])
        if number.hasSuffix("kbps") {
            number = number.dropLast(4)
        } else if number.hasSuffix("k") {
            number = number.dropLast()
        }
        guard let kbps = Int(number) else {
            throw OutputSpecError(message: "'\(text)': bitrate '\(parts[1])' is not a number of kbit/s like 128k")
        }
        if let issue = EncoderSettings.bitrateIssue(kbps, format: format) {
            throw OutputSpecError(message: "'\(text)': bitrate \(issue.value) \(issue.rule)")
        }
        bitrateKbps = kbps
    }

    /// The manifest spelling: `mp3`, `mp3@128k`.
    public var description: String {
        bitrateKbps.map { "\(format.rawValue)@\($0)k" } ?? format.rawValue
    }

    /// The output's file name for an episode stem: `STEM.mp3`.
    public func fileName(stem: String) -> String { "\(stem).\(format.fileExtension)" }

    /// The encoder settings this output asks for (bitrate `nil` picks the encoder's default).
    /// One encoding thread: the season keeps its cores busy with one episode per job (a long MP3 is
    /// still cut into the same segments as `normalize` cuts it, so the bytes are the same).
    public var encoderSettings: EncoderSettings {
        EncoderSettings(format: format, bitrateKbps: bitrateKbps, encodeThreads: 1)
    }

    public init(from decoder: Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        do {
            try self.init(parsing: text)
        } catch {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: error.message))
        }
    }

    public func encode(to encoder: Encoder) throws {
        var single = encoder.singleValueContainer()
        try single.encode(description)
    }
}

/// Why an output spec did not parse.
public struct OutputSpecError: Error, Sendable, Equatable {
    public var message: String
}
