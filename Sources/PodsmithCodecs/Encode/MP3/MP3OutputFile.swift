import Foundation
import PodsmithCore

/// The file an MP3 encoder writes: `[ID3v2.4 tag + padding][LAME tag frame][audio frames]`.
///
/// Shared by ``MP3Encoder`` and ``ParallelMP3Encoder``: the provisional ID3 tag is written when the
/// file is created, the audio is appended, and at the end the LAME tag frame replaces the provisional
/// first frame and the ID3 tag is rewritten with the final length (in place if it fits its padding,
/// else the audio is moved back to make room).
final class MP3OutputFile {
    let path: String
    /// Bytes of the ID3 tag (with padding): where the audio starts.
    private(set) var tagSize = 0
    private let fd: Int32
    private var closed = false
    private let tagPaddingBytes: Int

    /// Creates (truncates) `path` and writes the provisional ID3 tag.
    /// - Throws: ``PodsmithError/outputNotWritable(path:reason:)`` if the file cannot be created.
    init(path: String, metadata: EpisodeMetadata, encoderLibrary: String, tagPaddingBytes: Int) throws {
        self.path = path
        self.tagPaddingBytes = tagPaddingBytes
        // Under the temporaries' lock: an interrupt cannot remove this file and then see it recreated.
        let fd = TemporaryFiles.shared.openForWriting(path, flags: O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC)
        guard fd >= 0 else {
            throw PodsmithError.outputNotWritable(path: path, reason: errnoMessage())
        }
        self.fd = fd
        // From here on a throw runs deinit, which closes the file.
        let writer = ID3v2Writer(metadata: metadata, durationMilliseconds: nil, encoderLibrary: encoderLibrary)
        guard let tag = try writer.tag(padding: tagPaddingBytes) else {
            throw PodsmithError.internalError("an ID3v2 tag with padding did not fit itself")
        }
        tagSize = tag.count
        try tag.withUnsafeBytes { try writeAll($0) }
    }

    deinit {
        if !closed { close(fd) }
    }

    /// Appends `bytes`.
    func append(_ bytes: UnsafeRawBufferPointer) throws {
        try writeAll(bytes)
    }

    /// Writes the LAME tag frame over the provisional first frame, the final ID3 tag, and closes.
    func finish(
        lameTagFrame: [UInt8], metadata: EpisodeMetadata, durationMilliseconds: Int,
        encoderLibrary: String
    ) throws {
        if !lameTagFrame.isEmpty {
            try lameTagFrame.withUnsafeBytes { try writeAll($0, at: tagSize) }
        }
        let writer = ID3v2Writer(
            metadata: metadata, durationMilliseconds: durationMilliseconds,
            encoderLibrary: encoderLibrary)
        if let tag = try writer.tag(totalSize: tagSize) {
            try tag.withUnsafeBytes { try writeAll($0, at: 0) }
        } else {
            guard let tag = try writer.tag(padding: tagPaddingBytes) else {
                throw PodsmithError.internalError("an ID3v2 tag with padding did not fit itself")
            }
            try shiftAudio(from: tagSize, to: tag.count)
            try tag.withUnsafeBytes { try writeAll($0, at: 0) }
            tagSize = tag.count
        }
        closed = true
        guard close(fd) == 0 else {
            throw PodsmithError.outputNotWritable(path: path, reason: errnoMessage())
        }
    }

    /// Writes all bytes at the current position (or at `offset`), retrying short writes.
    private func writeAll(_ bytes: UnsafeRawBufferPointer, at offset: Int? = nil) throws {
        var done = 0
        while done < bytes.count {
            let n: Int
            if let offset {
                n = pwrite(fd, bytes.baseAddress! + done, bytes.count - done, off_t(offset + done))
            } else {
                n = write(fd, bytes.baseAddress! + done, bytes.count - done)
            }
            if n < 0 {
                if errno == EINTR { continue }
                throw PodsmithError.outputNotWritable(path: path, reason: errnoMessage())
            }
            done += n
        }
    }

    /// Moves everything from `oldStart` to the end of the file so that it starts at `newStart`
    /// (only when the final tag outgrew the padding): copied back to front in 1 MB steps.
    private func shiftAudio(from oldStart: Int, to newStart: Int) throws {
        let end = Int(lseek(fd, 0, SEEK_END))
        let delta = newStart - oldStart
        let chunk = 1 << 20
        var scratch = [UInt8](repeating: 0, count: chunk)
        var position = end
        while position > oldStart {
            let start = max(oldStart, position - chunk)
            let count = position - start
            let got = scratch.withUnsafeMutableBytes { pread(fd, $0.baseAddress!, count, off_t(start)) }
            guard got == count else {
                throw PodsmithError.outputNotWritable(path: path, reason: "cannot read back the MP3 to enlarge its tag")
            }
            try scratch.withUnsafeBytes {
                try writeAll(UnsafeRawBufferPointer(rebasing: $0[0..<count]), at: start + delta)
            }
            position = start
        }
    }
}
