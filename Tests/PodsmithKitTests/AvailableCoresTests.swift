import Foundation
import Testing

@testable import PodsmithCore

/// The cores a process may use: its affinity list, capped by a cgroup v2 `cpu.max` quota.
@Suite struct AvailableCoresTests {
    @Test func aCPUMaxQuotaIsRoundedUpToWholeCores() {
        #expect(AvailableCores.cores(fromCPUMax: "200000 100000\n") == 2)
        #expect(AvailableCores.cores(fromCPUMax: "150000 100000") == 2)
        #expect(AvailableCores.cores(fromCPUMax: "50000 100000") == 1)
        #expect(AvailableCores.cores(fromCPUMax: "max 100000\n") == nil)
        #expect(AvailableCores.cores(fromCPUMax: "") == nil)
        #expect(AvailableCores.cores(fromCPUMax: "100000") == nil)
        #expect(AvailableCores.cores(fromCPUMax: "-5 100000") == nil)
    }

    @Test func aCPUListCountsEveryCPUInItsRanges() {
        #expect(AvailableCores.cpuCount(fromList: "0-3,8,10-11\n") == 7)
        #expect(AvailableCores.cpuCount(fromList: "\t1") == 1)
        #expect(AvailableCores.cpuCount(fromList: "") == nil)
        #expect(AvailableCores.cpuCount(fromList: "3-1") == nil)
        #expect(AvailableCores.cpuCount(fromList: "0-") == nil)
    }

    @Test func theCountIsAtLeastOneAndNoMoreThanTheMachinesCores() {
        let count = AvailableCores.count()
        #expect(count >= 1 && count <= ProcessInfo.processInfo.activeProcessorCount)
    }
}
