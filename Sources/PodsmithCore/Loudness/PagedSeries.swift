/// Values appended one at a time for as long as a programme lasts — a gating block's energy every
/// 100 ms — kept in fixed pages of ``pageSize`` values.
///
/// Why not an `Array`: an array that outgrows its buffer copies itself into one twice as large, so as
/// it passes n values it holds 3n for a moment and keeps up to 2n. A meter keeps two such arrays that
/// cross the same sizes within a few steps of each other, and a normalize run has two meters at once
/// (the output's and the verifier's): on a ten-hour episode, peak memory jumped by about 8.5 MiB at each
/// doubling. Pages are never copied or moved: what is held is the values and at most one page more.
public struct PagedSeries<Element>: RandomAccessCollection {
    /// Values per page: 8,192 (64 KiB of `Double`s, 13.7 minutes of 100 ms steps).
    public static var pageSize: Int { 1 << pageShift }
    private static var pageShift: Int { 13 }

    private var pages: [[Element]] = []
    /// Number of values appended.
    public private(set) var count = 0

    public init() {}

    /// Values the pages allocated so far can hold: never more than ``pageSize`` − 1 above ``count``.
    var reservedCount: Int { pages.count * Self.pageSize }

    public var startIndex: Int { 0 }
    public var endIndex: Int { count }

    public subscript(position: Int) -> Element {
        precondition(position >= 0 && position < count, "PagedSeries index out of range")
        return pages[position >> Self.pageShift][position & (Self.pageSize - 1)]
    }

    /// Appends `value`; a new page is allocated whole when the last one is full.
    public mutating func append(_ value: Element) {
        if count & (Self.pageSize - 1) == 0 {
            var page: [Element] = []
            page.reserveCapacity(Self.pageSize)
            pages.append(page)
        }
        pages[pages.count - 1].append(value)
        count += 1
    }
}

extension PagedSeries: Equatable where Element: Equatable {
    public static func == (a: Self, b: Self) -> Bool { a.elementsEqual(b) }
}

extension PagedSeries: Sendable where Element: Sendable {}
