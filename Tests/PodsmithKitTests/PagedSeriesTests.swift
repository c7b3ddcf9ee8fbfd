import Testing

@testable import PodsmithCore

/// ``PagedSeries`` keeps a meter's per-step values for hours without the copies and slack of a growing
/// array; it must read back exactly what was appended, in order, across page boundaries.
@Suite struct PagedSeriesTests {
    @Test func everyValueReadsBackInOrderAcrossPageBoundaries() {
        let page = PagedSeries<Double>.pageSize
        var series = PagedSeries<Double>()
        var plain: [Double] = []
        var state: UInt64 = 0x9E37_79B9_7F4A_7C15
        for _ in 0..<(3 * page + 17) {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            let value = Double(state >> 11) / Double(1 << 53)
            series.append(value)
            plain.append(value)
        }
        #expect(series.count == plain.count)
        #expect(Array(series) == plain)
        #expect(series[page - 1] == plain[page - 1] && series[page] == plain[page])
        #expect(series.max() == plain.max())
        var other = PagedSeries<Double>()
        for value in plain { other.append(value) }
        #expect(series == other)
        other.append(1)
        #expect(series != other)
    }

    @Test func memoryHeldIsTheValuesPlusLessThanOnePage() {
        let page = PagedSeries<Float>.pageSize
        var series = PagedSeries<Float>()
        #expect(series.reservedCount == 0)
        var largestSlack = 0
        for i in 0..<(5 * page + 1) {
            series.append(Float(i))
            largestSlack = max(largestSlack, series.reservedCount - series.count)
        }
        #expect(largestSlack == page - 1)
        #expect(series.reservedCount == 6 * page)
    }
}
