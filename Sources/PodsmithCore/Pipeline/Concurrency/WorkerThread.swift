import Foundation

/// The one way Podsmith starts a thread of its own.
///
/// Why dedicated threads and not Dispatch or Swift concurrency: the work run on them is long and
/// blocking — LAME on one segment for seconds, an episode of a season for minutes, a loudness stage
/// waiting on its ring — and a blocked thread of the cooperative pool (one per core) starves every
/// task queued behind it, while Dispatch's global queues grow threads without bound instead (see
/// ``SeasonRunner`` and ``LoudnessAnalysis``). A thread per stage costs its stack and nothing else.
package enum WorkerThread {
    /// 8 MiB: glibc's default for a thread started without a size (`ulimit -s`), which the loudness
    /// stages and the season's episodes have always run with.
    package static let defaultStackSize = 8 << 20

    /// Longest thread name Linux keeps: `pthread_setname_np` refuses more than 15 bytes, and the
    /// thread would keep its parent's name; longer names are cut to this.
    package static let maxNameBytes = 15

    /// Starts `body` on a new detached thread named `name` (`podsmith.<stage>` or
    /// `podsmith.<stage>.<index>`, cut to ``maxNameBytes``). The thread ends when `body` returns: a
    /// caller that waits for it has `body` signal a semaphore or a group as it ends.
    ///
    /// The name is for `top -H`, debuggers and crash reports, and best effort: on Linux, Foundation
    /// passes it to the system thread only when the thread sets it itself (hence both settings
    /// below), and even then not when it was started from a Dispatch worker thread.
    /// - Parameter stackSize: bytes; the stages that keep their buffers on the heap and do not recurse
    ///   ask for less (1 MiB) so that many of them cost little address space.
    package static func start(
        name: String, stackSize: Int = defaultStackSize,
        _ body: @escaping @Sendable () -> Void
    ) {
        let systemName = String(decoding: name.utf8.prefix(maxNameBytes), as: UTF8.self)
        let thread = Thread {
            Thread.current.name = systemName
            body()
        }
        thread.name = systemName
        thread.stackSize = stackSize
        thread.start()
    }
}
