import Foundation
import Testing

@testable import PodsmithCodecs

/// Re-timing chapters costs time linear in the input's length plus the chapters, whatever they are:
/// many chapters inside one long removed stretch (a trimmed tail of hours) must not each scan it again.
/// Counted in calls of the edit map, not in seconds, so the test means the same under a sanitizer.
@Suite struct ChapterRetimingCostTests {
    /// An edit map that counts its calls; past `limit` every instant counts as kept, so a quadratic
    /// search ends at once (and fails the count) instead of running for hours.
    final class CountingMap: @unchecked Sendable {
        var calls = 0
        let limit: Int
        let edit: (Double) -> Double?
        init(limit: Int, edit: @escaping (Double) -> Double?) {
            self.limit = limit
            self.edit = edit
        }
        func callAsFunction(_ t: Double) -> Double? {
            calls += 1
            return calls > limit ? t : edit(t)
        }
    }

    @Test func tenThousandChaptersInATrimmedNineHourTailCostOneScan() {
        // 10 h input whose last 9 h are removed: one forward scan is 9 h / 10 ms = 3.24 million probes.
        let input = 36_000.0, kept = 3_600.0
        let chapters = (0..<10_000).map { Chapter(startTime: kept + 1 + Double($0) * 3.2, toc: false) }
        let budget = Int((input - kept) / 0.01) + 100 * chapters.count
        let map = CountingMap(limit: budget) { $0 < kept ? $0 : nil }
        let out = ChapterList(chapters: chapters).retimed(inputDuration: input, outputDuration: kept) { map($0) }
        #expect(map.calls <= budget, "\(map.calls) map calls for \(chapters.count) chapters (budget \(budget))")
        #expect(out.chapters.isEmpty, "chapters in the removed tail are dropped")
    }

    @Test func chaptersInsideOneRemovedMiddleShareTheSearchAndLandOnItsEnd() {
        // 1 h kept, 2 h removed, 1 h kept; 5,000 chapters inside the removed middle.
        let budget = Int(7_200 / 0.01) + 100 * 5_000
        let map = CountingMap(limit: budget) { t in t < 3_600 ? t : t >= 10_800 ? t - 7_200 : nil }
        let list = ChapterList(
            chapters: [Chapter(startTime: 0, title: "start")]
                + (0..<5_000).map { Chapter(startTime: 3_601 + Double($0), title: "c\($0)") })
        let out = list.retimed(inputDuration: 14_400, outputDuration: 7_200) { map($0) }
        #expect(map.calls <= budget, "\(map.calls) map calls")
        // All collapse onto the first kept instant after the cut; the last of them survives.
        #expect(out.chapters.map(\.startTime) == [0, 3_600])
        #expect(out.chapters.last?.title == "c4999")
    }
}
