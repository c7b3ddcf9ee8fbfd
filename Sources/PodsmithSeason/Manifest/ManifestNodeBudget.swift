import Foundation

/// A limit on how many values decoding one manifest may produce, counted as ``JSONValue`` builds them.
///
/// Why: YAML aliases are expanded by the decoder, every `*name` again, so nine nested levels of ten
/// aliases each (a "billion laughs" file of a few hundred bytes) are 10⁹ values: minutes of work and
/// gigabytes of memory before validation could say anything. Counting every value built, aliases
/// included, stops such a file after ``SeasonManifest/nodeBudget`` values, in well under a second,
/// while ordinary anchors (a shared list of formats, a repeated name) cost only what they expand to.
/// The same count applies to JSON, which has no aliases but could still be very large.
final class ManifestNodeBudget: @unchecked Sendable {
    /// Thrown from inside the decoder when the budget is spent; ``SeasonManifest/parseTree(_:json:name:)``
    /// turns it into a manifest issue.
    struct Exceeded: Error {}

    /// The key the budget travels under in the decoder's `userInfo`.
    static let key = CodingUserInfoKey(rawValue: "podsmith.manifestNodeBudget")!

    private var remaining: Int

    init(limit: Int) { remaining = limit }

    /// Whether more values than the limit were asked for.
    var isSpent: Bool { remaining < 0 }

    /// Counts one more value; throws once more than the limit have been built.
    /// Decoding runs on one thread, so no lock is needed.
    func spend() throws(Exceeded) {
        remaining -= 1
        if remaining < 0 { throw Exceeded() }
    }
}
