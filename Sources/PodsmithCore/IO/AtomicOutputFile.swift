import Foundation

/// An output that appears under its final name only when it is complete.
///
/// Encoders write to a hidden temporary file in the target folder, `.NAME.podsmith-tmp-PID-RANDOM`, which
/// is renamed over the final name (`rename(2)`, atomic within one file system) by ``commit()``. Because the
/// temporary lives in the same folder, the rename never copies and a reader never sees a partial file.
/// The temporary is created with `O_CREAT|O_EXCL|O_NOFOLLOW` under a name nobody can predict (a random
/// suffix after the PID), so a symlink or file planted in a shared folder is never followed or written;
/// every later open by name checks it is still the file created (``TemporaryFiles``). ``commit()`` syncs
/// the file before the rename and the folder after it, so a power cut cannot leave an empty final name.
/// The temporary is registered with ``TemporaryFiles`` so that SIGINT/SIGTERM remove it; after a SIGKILL
/// the next run removes it (``removeStale(beside:)``), recognising it by its name and a PID that no
/// longer runs.
public final class AtomicOutputFile: @unchecked Sendable {
    /// Where the complete file ends up.
    public let finalPath: String
    /// Where the encoder writes meanwhile.
    public let temporaryPath: String
    private var finished = false

    /// The marker every temporary name carries.
    public static let marker = ".podsmith-tmp-"

    /// Creates (empty) the temporary file beside `finalPath`, proving the folder is writable.
    /// - Throws: ``PodsmithError/outputNotWritable(path:reason:)`` with the system's reason.
    public init(finalPath: String) throws {
        self.finalPath = finalPath
        let url = URL(fileURLWithPath: finalPath)
        let folder = url.deletingLastPathComponent().path
        let name = url.lastPathComponent
        let random = String(UInt64.random(in: 1 << 44..<1 << 48), radix: 16)
        temporaryPath = (folder as NSString).appendingPathComponent(".\(name)\(Self.marker)\(getpid())-\(random)")

        var st = stat()
        if stat(folder, &st) != 0 {
            throw PodsmithError.outputNotWritable(path: finalPath, reason: "folder \(folder) does not exist")
        }
        if (st.st_mode & S_IFMT) != S_IFDIR {
            throw PodsmithError.outputNotWritable(path: finalPath, reason: "\(folder) is not a folder")
        }
        if stat(finalPath, &st) == 0, (st.st_mode & S_IFMT) == S_IFDIR {
            throw PodsmithError.outputNotWritable(path: finalPath, reason: "a folder has that name")
        }
        let fd = TemporaryFiles.shared.create(temporaryPath)
        if fd < 0 {
            throw PodsmithError.outputNotWritable(path: finalPath, reason: errnoMessage())
        }
        close(fd)
    }

    /// Replaces the temporary's contents with `data` (for sidecars written in one piece).
    ///
    /// Opens the temporary through ``TemporaryFiles/openForWriting(_:flags:)`` without `O_CREAT`: if an
    /// interrupt has already removed it, this fails instead of bringing it back.
    /// - Throws: ``PodsmithError/outputNotWritable(path:reason:)``.
    public func write(_ data: Data) throws {
        let fd = TemporaryFiles.shared.openForWriting(temporaryPath, flags: O_WRONLY | O_TRUNC | O_CLOEXEC)
        guard fd >= 0 else {
            throw PodsmithError.outputNotWritable(path: finalPath, reason: errnoMessage())
        }
        defer { close(fd) }
        try data.withUnsafeBytes { (bytes: UnsafeRawBufferPointer) in
            var offset = 0
            while offset < bytes.count {
                let n = pwrite(fd, bytes.baseAddress! + offset, bytes.count - offset, off_t(offset))
                if n < 0 {
                    if errno == EINTR { continue }
                    throw PodsmithError.outputNotWritable(path: finalPath, reason: errnoMessage())
                }
                offset += n
            }
        }
    }

    /// Writes `data` to `finalPath` in one piece: a temporary beside it, then the rename. On failure
    /// the temporary is removed and the final name is left as it was.
    /// - Throws: ``PodsmithError/outputNotWritable(path:reason:)``.
    public static func write(_ data: Data, to finalPath: String) throws {
        let output = try AtomicOutputFile(finalPath: finalPath)
        do {
            try output.write(data)
        } catch {
            output.discard()
            throw error
        }
        try output.commit()
    }

    deinit {
        if !finished { discard() }
    }

    /// Renames the finished temporary over the final name.
    /// - Throws: ``PodsmithError/outputNotWritable(path:reason:)`` if the rename fails (the temporary
    ///   is removed).
    public func commit() throws {
        precondition(!finished, "output committed or discarded twice")
        // Durable before visible: the data reaches the disk before the rename publishes it, and the
        // rename itself (the folder's entry) after, so a power cut leaves the old file or the new one.
        let fd = TemporaryFiles.shared.openForWriting(temporaryPath, flags: O_RDONLY | O_CLOEXEC)
        guard fd >= 0, fsync(fd) == 0 else {
            let reason = errnoMessage()
            if fd >= 0 { close(fd) }
            discard()
            throw PodsmithError.outputNotWritable(path: finalPath, reason: reason)
        }
        close(fd)
        if rename(temporaryPath, finalPath) != 0 {
            let reason = errnoMessage()
            discard()
            throw PodsmithError.outputNotWritable(path: finalPath, reason: reason)
        }
        finished = true
        TemporaryFiles.shared.unregister(temporaryPath)
        Self.syncFolder(of: finalPath)
    }

    /// `fsync` of the folder holding `path`, so that a rename into it survives a power cut. Best effort:
    /// some file systems refuse to sync a folder, and the file itself is already on disk.
    static func syncFolder(of path: String) {
        let folder = URL(fileURLWithPath: path).deletingLastPathComponent().path
        let fd = open(folder, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard fd >= 0 else { return }
        _ = fsync(fd)
        close(fd)
    }

    /// The process that made a temporary, from its name (`.NAME.podsmith-tmp-PID-RANDOM`, or the older
    /// `.NAME.podsmith-tmp-PID`); `nil` if `name` is not a Podsmith temporary.
    public static func processID(ofTemporaryName name: some StringProtocol) -> Int32? {
        guard let range = name.range(of: marker, options: .backwards) else { return nil }
        let tail = name[range.upperBound...]
        let digits = tail.prefix { $0 != "-" }
        let rest = tail.dropFirst(digits.count)
        guard rest.isEmpty || (rest.count > 1 && rest.dropFirst().allSatisfy(\.isHexDigit)) else { return nil }
        return Int32(digits)
    }

    /// Removes the temporary; the final name is left as it was.
    public func discard() {
        guard !finished else { return }
        finished = true
        unlink(temporaryPath)
        TemporaryFiles.shared.unregister(temporaryPath)
    }

    /// Removes temporaries left beside `finalPath` by runs that no longer exist (after a SIGKILL or a
    /// power cut). Temporaries of a process that is still running are left alone.
    /// - Returns: the paths removed.
    @discardableResult
    public static func removeStale(beside finalPath: String) -> [String] {
        let url = URL(fileURLWithPath: finalPath)
        return removeStale(
            inFolder: url.deletingLastPathComponent().path,
            prefix: ".\(url.lastPathComponent)\(marker)")
    }

    /// Removes every stale Podsmith temporary in `folder` (see ``removeStale(beside:)``).
    @discardableResult
    public static func removeStale(inFolder folder: String, prefix: String = ".") -> [String] {
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: folder) else { return [] }
        var removed: [String] = []
        for name in names where name.hasPrefix(prefix) {
            guard let pid = processID(ofTemporaryName: name) else { continue }
            if pid != getpid() && kill(pid, 0) != 0 && errno == ESRCH {
                let path = (folder as NSString).appendingPathComponent(name)
                if unlink(path) == 0 { removed.append(path) }
            }
        }
        return removed
    }
}

/// The temporaries this process has open, removed if the process is interrupted.
///
/// Interruption races with the threads still writing: a temporary created, or opened with `O_CREAT`,
/// after the handler removed the registered ones would outlive the process. So every file that may be a
/// temporary is created or opened for writing *under this registry's lock* (``create(_:)``,
/// ``openForWriting(_:flags:)``), and ``close()`` removes the temporaries and refuses further opens in
/// the same locked step: an open either happened before (its file is registered and removed) or fails
/// with `ECANCELED`.
package final class TemporaryFiles: @unchecked Sendable {
    public static let shared = TemporaryFiles()
    private let lock = NSLock()
    /// Each registered temporary with the file it was created as (device, inode).
    private var identities: [String: (device: UInt64, inode: UInt64)] = [:]
    private var paths: Set<String> { Set(identities.keys) }
    private var closed = false
    private var sources: [DispatchSourceSignal] = []
    private var interruptHandlers: [@Sendable (Int32) -> Void] = []

    public init() {}

    func unregister(_ path: String) { lock.withLock { _ = identities.removeValue(forKey: path) } }

    /// Paths currently registered (for tests).
    public var registered: Set<String> { lock.withLock { paths } }

    /// Creates the temporary `path`, which must not exist (`O_EXCL`; a symlink there is not followed,
    /// `O_NOFOLLOW`), and registers it with the file it is, in one step under the lock.
    /// - Returns: the open descriptor, or -1 with `errno` set (`EEXIST` if anything has that name,
    ///   `ECANCELED` once closed).
    public func create(_ path: String) -> Int32 {
        lock.withLock {
            guard !closed else {
                errno = ECANCELED
                return -1
            }
            let fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0o644)
            if fd >= 0 {
                var info = stat()
                fstat(fd, &info)
                identities[path] = (UInt64(info.st_dev), UInt64(info.st_ino))
            }
            return fd
        }
    }

    /// Opens `path` for writing with `flags` (mode 0644 if it creates), under the lock.
    ///
    /// Writers that open a temporary by its name (libsndfile, the MP3 file) go through here, so that an
    /// open racing an interrupt cannot recreate a temporary the interrupt has just removed. Symlinks are
    /// never followed (`O_NOFOLLOW`), and a registered temporary must still be the file ``create(_:)``
    /// made: one replaced in the meantime (by anyone who can write the folder) is refused with `EEXIST`.
    /// - Returns: the open descriptor, or -1 with `errno` set (`ECANCELED` once closed).
    public func openForWriting(_ path: String, flags: Int32) -> Int32 {
        lock.withLock {
            guard !closed else {
                errno = ECANCELED
                return -1
            }
            guard let expected = identities[path] else { return open(path, flags | O_NOFOLLOW, 0o644) }
            // Truncation waits until the file is known to be ours: O_TRUNC would empty whatever is there.
            let fd = open(path, flags & ~(O_CREAT | O_TRUNC) | O_NOFOLLOW, 0o644)
            guard fd >= 0 else { return fd }
            var info = stat()
            let same =
                fstat(fd, &info) == 0 && UInt64(info.st_dev) == expected.device
                && UInt64(info.st_ino) == expected.inode
            guard same else {
                closeDescriptor(fd)
                errno = EEXIST
                return -1
            }
            if flags & O_TRUNC != 0 && ftruncate(fd, 0) != 0 {
                let code = errno
                closeDescriptor(fd)
                errno = code
                return -1
            }
            return fd
        }
    }

    /// Opens `path` as a stdio stream for a C library that writes through `FILE*` (libFLAC,
    /// libopusenc), created or truncated through ``openForWriting(_:flags:)``; `update` opens it for
    /// reading too ("w+b"), for libraries that seek back and rewrite a header.
    /// - Throws: ``PodsmithError/outputNotWritable(path:reason:)`` with the system's reason.
    public func openStream(_ path: String, update: Bool) throws -> UnsafeMutablePointer<FILE> {
        let fd = openForWriting(path, flags: (update ? O_RDWR : O_WRONLY) | O_CREAT | O_TRUNC | O_CLOEXEC)
        guard fd >= 0, let file = fdopen(fd, update ? "w+b" : "wb") else {
            let reason = errnoMessage()
            if fd >= 0 { closeDescriptor(fd) }
            throw PodsmithError.outputNotWritable(path: path, reason: reason)
        }
        return file
    }

    /// Removes every registered temporary and refuses any further ``create(_:)`` or
    /// ``openForWriting(_:flags:)``: what the interrupt handler does before it exits.
    public func close() {
        lock.withLock {
            closed = true
            for path in paths { unlink(path) }
            identities.removeAll()
        }
    }

    /// Adds code to run (on a background queue) when SIGINT or SIGTERM arrives, before the
    /// temporaries are removed and the process exits.
    public func onInterrupt(_ handler: @escaping @Sendable (Int32) -> Void) {
        lock.withLock { interruptHandlers.append(handler) }
    }

    /// Makes SIGINT, SIGTERM and SIGHUP remove every registered temporary and exit with 128 + signal
    /// (130 for Ctrl-C), as shells expect. The handling runs on a dispatch queue, not in signal context,
    /// so it may take locks and call `unlink`.
    public func installSignalHandlers() {
        lock.withLock {
            guard sources.isEmpty else { return }
            for sig in [SIGINT, SIGTERM, SIGHUP] {
                signal(sig, SIG_IGN)
                let source = DispatchSource.makeSignalSource(signal: sig, queue: .global(qos: .userInitiated))
                source.setEventHandler { [unowned self] in
                    let handlers = self.lock.withLock { self.interruptHandlers }
                    for handler in handlers { handler(sig) }
                    self.close()
                    _exit(128 + sig)
                }
                source.resume()
                sources.append(source)
            }
        }
    }
}

/// `close(2)`, for code inside ``TemporaryFiles``, whose own ``TemporaryFiles/close()`` hides it.
private func closeDescriptor(_ fd: Int32) { close(fd) }
