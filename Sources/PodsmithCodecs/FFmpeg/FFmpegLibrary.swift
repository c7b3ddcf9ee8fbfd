internal import CFFmpeg

/// FFmpeg's libraries, loaded the first time an M4A file is read or written, not when podsmith starts.
///
/// Why: linking libavformat and libavcodec maps about 120 libraries (their codecs, TLS, SVG, …) into
/// every podsmith process — about 21 MiB of resident memory on Debian 12 and their start-up relocations —
/// for a format most runs never touch (see `Sources/CFFmpeg/include/CFFmpeg.h`). The M4A encoder and
/// reader call ``unavailable(_:)`` before their first FFmpeg call and turn a failure into their own one-line
/// error; everything else in Podsmith never loads FFmpeg.
enum FFmpegLibrary {
    /// Why FFmpeg cannot be used (the loader's message), or nil once it is loaded. Loads it on the first
    /// call; later calls return the same answer.
    static var loadFailure: String? {
        var reason: UnsafePointer<CChar>?
        if podsmith_ffmpeg_load(&reason) != nil { return nil }
        return reason.map { String(cString: $0) } ?? "unknown reason"
    }

    /// "`purpose` with FFmpeg, which could not be loaded: why; install …", or nil once FFmpeg is loaded:
    /// the reason of the one-line error a user gets.
    static func unavailable(_ purpose: String) -> String? {
        loadFailure.map {
            "\(purpose) with FFmpeg, which could not be loaded: \($0); install FFmpeg's libraries "
                + "(Debian and Ubuntu: libavformat\(LIBAVFORMAT_VERSION_MAJOR))"
        }
    }
}

/// FFmpeg's functions, `ff.avcodec_open2(…)`: the table the loader filled, valid once
/// ``FFmpegLibrary/loadFailure`` returned nil (the encoder and the reader check it first).
var ff: podsmith_ffmpeg { podsmith_ffmpeg_functions().pointee }
