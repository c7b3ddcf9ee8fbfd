import Dispatch
import Foundation
import PodsmithTestSupport
import Testing

@testable import PodsmithCodecs
@testable import PodsmithCore
@testable import PodsmithKit
@testable import PodsmithSeason

@Suite struct WorkerThreadTests {
    struct Seen: Sendable, Equatable {
        var stackSize: Int
        var isCallersThread: Bool
    }

    /// Starts a worker and waits for it, returning what it saw of its own thread. (Its name is not
    /// checked: whether the system thread takes it depends on the thread that starts it, see
    /// ``WorkerThread/start(name:stackSize:_:)``.)
    static func runWorker(stackSize: Int? = nil) -> Seen {
        let caller = ObjectIdentifier(Thread.current)
        let seen = LockedBox<Seen?>(nil)
        let done = DispatchSemaphore(value: 0)
        let body: @Sendable () -> Void = {
            let current = Thread.current
            seen.withLockedValue {
                $0 = Seen(stackSize: current.stackSize, isCallersThread: ObjectIdentifier(current) == caller)
            }
            done.signal()
        }
        if let stackSize {
            WorkerThread.start(name: "podsmith.test", stackSize: stackSize, body)
        } else {
            WorkerThread.start(name: "podsmith.test", body)
        }
        done.wait()
        return seen.withLockedValue { $0 }!
    }

    @Test("the body runs on a new thread with the given stack size")
    func runsOnAThreadOfItsOwn() {
        #expect(Self.runWorker(stackSize: 2 << 20) == Seen(stackSize: 2 << 20, isCallersThread: false))
    }

    @Test("without a size the thread gets the documented default")
    func defaultStackSize() {
        #expect(Self.runWorker() == Seen(stackSize: WorkerThread.defaultStackSize, isCallersThread: false))
    }

    @Test("several workers run at the same time: each waits until all have started")
    func workersRunConcurrently() {
        let count = 4
        let arrived = LockedBox(0)
        let released = LockedBox(0)
        let allArrived = DispatchSemaphore(value: 0)
        let finished = DispatchSemaphore(value: 0)
        for index in 0..<count {
            WorkerThread.start(name: "podsmith.test.\(index)", stackSize: 1 << 20) {
                let last = arrived.withLockedValue { n -> Bool in
                    n += 1
                    return n == count
                }
                if last { for _ in 0..<count { allArrived.signal() } }
                // A worker that ran only after another had finished would wait here forever;
                // the timeout turns that into a failure.
                if allArrived.wait(timeout: .now() + 30) == .success { released.withLockedValue { $0 += 1 } }
                finished.signal()
            }
        }
        for _ in 0..<count { finished.wait() }
        #expect(arrived.withLockedValue { $0 } == count)
        #expect(released.withLockedValue { $0 } == count)
    }
}
