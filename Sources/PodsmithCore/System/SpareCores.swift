/// Cores a season's workers have left idle, lent to the episodes still running.
///
/// Why: `season --jobs N` runs one episode per core; in its tail (fewer episodes left than jobs), or
/// with two long episodes on eight cores, the other cores would sit idle while a long MP3 is encoded on
/// one. A worker with nothing left to take lends its core here; a segmented MP3 encoder
/// (`ParallelMP3Encoder`) borrows one for each segment it could encode at once and gives it back when
/// it runs out of segments. The bytes written do not depend on it (they never depend on the thread
/// count).
public final class SpareCores: Sendable {
    private let idle = LockedBox(0)

    public init() {}

    /// Cores idle now.
    public var count: Int { idle.withLockedValue { $0 } }

    /// Makes `n` more cores available.
    public func lend(_ n: Int = 1) {
        guard n > 0 else { return }
        idle.withLockedValue { $0 += n }
    }

    /// Takes one idle core, if there is one.
    public func borrow() -> Bool {
        idle.withLockedValue {
            guard $0 > 0 else { return false }
            $0 -= 1
            return true
        }
    }
}
