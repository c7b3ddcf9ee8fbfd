import Foundation

/// A value guarded by a lock, for state that threads share.
///
/// The only access is ``withLockedValue(_:)``: a read-modify-write (`$0 += 1`, an append, a
/// check-then-set) runs under one hold of the lock, so it cannot interleave with another thread's
/// (a `get`/`set` pair would let two `+= 1`s lose one). Keep the closures short: other threads wait
/// for them.
package final class LockedBox<Value> {
    private let lock = NSLock()
    private var stored: Value

    package init(_ value: Value) { stored = value }

    /// Runs `body` with the value, under the lock, and returns what it returns.
    package func withLockedValue<Result>(_ body: (inout Value) throws -> Result) rethrows -> Result {
        try lock.withLock { try body(&stored) }
    }
}

/// Sound: `stored` is only reached through ``LockedBox/withLockedValue(_:)``, which holds the lock,
/// and the value itself may cross threads because it is `Sendable`.
extension LockedBox: @unchecked Sendable where Value: Sendable {}
