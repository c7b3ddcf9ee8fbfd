internal import CFFmpeg

/// What FFmpeg says: the message for one of its negative status codes (for the one-line errors of the
/// M4A encoder and reader), and its log, which is silenced: every failure reaches the caller as a
/// status code, and FFmpeg's own notes on stderr ("EOI missing", "timescale not set" for a cover
/// picture) would only clutter Podsmith's output.
enum FFmpegMessages {
    static func describe(_ status: Int32) -> String {
        var text = [CChar](repeating: 0, count: 128)
        guard ff.av_strerror(status, &text, text.count) == 0 else { return "error \(status)" }
        let bytes = text.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }
        return String(decoding: bytes, as: UTF8.self).lowercased()
    }

    /// Silences FFmpeg's log, once per process; the encoder and the reader call it before using FFmpeg.
    static func silenceLog() { _ = silenced }

    private static let silenced: Void = ff.av_log_set_level(AV_LOG_QUIET)
}
