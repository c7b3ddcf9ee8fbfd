import Foundation

/// Reads a whole side file (a manifest, a chapters file, an image) that must be a regular file of bounded size.
///
/// Why not `Data(contentsOf:)`: it reads until end of file, and `/dev/zero`, `/dev/urandom` or a FIFO
/// nobody writes to never end, so `--chapters /dev/zero` or a manifest naming a device would hang or
/// grow without limit. Here the file is opened with `O_NONBLOCK` (opening a FIFO does not wait for a
/// writer), refused unless `fstat` says it is a regular file, refused when larger than the caller's
/// cap, and read through the same descriptor, so what was checked is what is read.
package enum RegularFileReader {
    /// Why a side file cannot be read; ``description`` is the phrase after the file's name.
    package enum Problem: Error, Equatable, CustomStringConvertible {
        case missing
        case directory
        /// A device, FIFO or socket (`kind` names which).
        case notRegularFile(kind: String)
        case tooLarge(bytes: Int, limit: Int)
        case unreadable(reason: String)

        package var description: String {
            switch self {
            case .missing: return "no such file"
            case .directory: return "is a directory, not a file"
            case .notRegularFile(let kind): return "is \(kind), not a regular file"
            case .tooLarge(let bytes, let limit): return "\(bytes) bytes; the limit is \(limit) bytes"
            case .unreadable(let reason): return "cannot be read: \(reason)"
            }
        }
    }

    /// What `path` is, if it exists and is not a regular file or a directory ("a character device", …);
    /// `nil` for regular files, directories and paths that do not exist. Follows symlinks.
    package static func specialKind(atPath path: String) -> String? {
        var info = stat()
        guard stat(path, &info) == 0 else { return nil }
        return kindName(info.st_mode)
    }

    /// The whole file, at most `limit` bytes.
    /// - Throws: ``Problem``.
    package static func contents(of path: String, limit: Int) throws(Problem) -> [UInt8] {
        let fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC)
        guard fd >= 0 else {
            let code = errno
            if code == ENOENT || code == ENOTDIR { throw .missing }
            throw .unreadable(reason: errnoMessage(code))
        }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0 else { throw .unreadable(reason: errnoMessage()) }
        if info.st_mode & S_IFMT == S_IFDIR { throw .directory }
        if let kind = kindName(info.st_mode) { throw .notRegularFile(kind: kind) }
        guard Int(info.st_size) <= limit else { throw .tooLarge(bytes: Int(info.st_size), limit: limit) }
        // The file may grow while it is read: read at most one byte past the cap to tell.
        var bytes = [UInt8](repeating: 0, count: Int(info.st_size) + 1)
        var count = 0
        while true {
            if count == bytes.count {
                guard count <= limit else { throw .tooLarge(bytes: count, limit: limit) }
                bytes += [UInt8](repeating: 0, count: min(max(4096, count), limit + 1 - count))
            }
            let n = bytes.withUnsafeMutableBytes { read(fd, $0.baseAddress! + count, $0.count - count) }
            if n < 0 {
                if errno == EINTR { continue }
                throw .unreadable(reason: errnoMessage())
            }
            if n == 0 { break }
            count += n
        }
        guard count <= limit else { throw .tooLarge(bytes: count, limit: limit) }
        bytes.removeSubrange(count...)
        return bytes
    }

    /// The name of a file type that is neither regular nor a directory, from `st_mode`.
    private static func kindName(_ mode: mode_t) -> String? {
        switch mode & S_IFMT {
        case S_IFREG, S_IFDIR: return nil
        case S_IFCHR: return "a character device"
        case S_IFBLK: return "a block device"
        case S_IFIFO: return "a FIFO (named pipe)"
        case S_IFSOCK: return "a socket"
        default: return "a special file"
        }
    }
}
