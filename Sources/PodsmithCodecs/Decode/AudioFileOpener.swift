import PodsmithCore

/// Opens an audio file with the reader that handles it: ``M4AReader`` (libavformat) for MP4 files,
/// found by their `ftyp` box or their extension, ``SoundFileReader`` (libsndfile) for everything else.
public enum AudioFileOpener {
    /// The reader for `path`.
    public static func open(path: String) throws -> any SeekableAudioSource {
        if M4AReader.handles(path: path) { return try M4AReader(path: path) }
        return try SoundFileReader(path: path)
    }
}
