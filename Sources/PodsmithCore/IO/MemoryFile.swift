internal import CSndFile
import Foundation

/// Bytes in memory behind libsndfile's virtual I/O callbacks (read-only).
///
/// The callbacks are C function pointers and cannot capture; libsndfile hands back the `user_data`
/// pointer, which is this object, unretained (the reader owns it for as long as the handle lives).
final class MemoryFile {
    private let bytes: UnsafeMutableRawBufferPointer
    private(set) var position: sf_count_t = 0

    init(_ data: Data) {
        bytes = .allocate(byteCount: data.count, alignment: 16)
        _ = data.copyBytes(to: bytes)
    }

    deinit { bytes.deallocate() }

    var length: sf_count_t { sf_count_t(bytes.count) }

    static func from(_ user: UnsafeMutableRawPointer?) -> MemoryFile {
        Unmanaged<MemoryFile>.fromOpaque(user!).takeUnretainedValue()
    }

    /// Moves like `lseek(2)`; a position before the start is refused (-1), one past the end is
    /// allowed (reads there return 0 bytes).
    func seek(_ offset: sf_count_t, whence: Int32) -> sf_count_t {
        let base: sf_count_t
        switch whence {
        case SEEK_SET: base = 0
        case SEEK_CUR: base = position
        case SEEK_END: base = length
        default: return -1
        }
        let (target, overflow) = base.addingReportingOverflow(offset)
        guard !overflow, target >= 0 else { return -1 }
        position = target
        return position
    }

    func read(into destination: UnsafeMutableRawPointer?, count: sf_count_t) -> sf_count_t {
        guard let destination, count > 0, position < length else { return 0 }
        let n = min(count, length - position)
        destination.copyMemory(from: bytes.baseAddress! + Int(position), byteCount: Int(n))
        position += n
        return n
    }

    /// libsndfile's virtual I/O over the `MemoryFile` passed as `user_data` (``from(_:)``): read-only,
    /// a write reports 0 bytes.
    static var virtualIO: SF_VIRTUAL_IO {
        SF_VIRTUAL_IO(
            get_filelen: { MemoryFile.from($0).length },
            seek: { offset, whence, user in MemoryFile.from(user).seek(offset, whence: whence) },
            read: { destination, count, user in MemoryFile.from(user).read(into: destination, count: count) },
            write: { _, _, _ in 0 },
            tell: { MemoryFile.from($0).position })
    }
}
