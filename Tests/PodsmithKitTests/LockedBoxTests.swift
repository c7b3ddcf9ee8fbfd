import Dispatch
import PodsmithTestSupport
import Testing

@testable import PodsmithCodecs
@testable import PodsmithCore
@testable import PodsmithKit
@testable import PodsmithSeason

@Suite struct LockedBoxTests {
    @Test("increments from several threads at once are all kept")
    func readModifyWriteFromManyThreadsLosesNothing() {
        let box = LockedBox(0)
        let threads = 8, increments = 20_000
        DispatchQueue.concurrentPerform(iterations: threads) { _ in
            for _ in 0..<increments { box.withLockedValue { $0 += 1 } }
        }
        #expect(box.withLockedValue { $0 } == threads * increments)
    }

    @Test("a check-then-act inside one closure happens once, whichever thread gets there first")
    func checkThenActHappensOnce() {
        let winners = LockedBox<[Int]>([])
        let claimed = LockedBox(false)
        DispatchQueue.concurrentPerform(iterations: 16) { index in
            let won = claimed.withLockedValue { taken -> Bool in
                if taken { return false }
                taken = true
                return true
            }
            if won { winners.withLockedValue { $0.append(index) } }
        }
        #expect(winners.withLockedValue { $0.count } == 1)
    }

    @Test func returnsWhatTheClosureReturnsAndRethrows() throws {
        struct Refused: Error {}
        let box = LockedBox("podsmith")
        #expect(box.withLockedValue { $0.count } == 8)
        #expect(throws: Refused.self) { try box.withLockedValue { _ in throw Refused() } }
        #expect(box.withLockedValue { $0 } == "podsmith")
    }
}
