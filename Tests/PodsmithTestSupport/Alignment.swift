import Foundation

/// Where one signal sits relative to another: the lag that maximises their normalised
/// cross-correlation. Used to check a decoder's sample alignment against the source (or another
/// decoder) on a signal that has a distinctive shape (a click, a chirp), where only one lag fits.
package enum Alignment {
    /// The normalised correlation of `a[i]` with `b[i + lag]` over `range` of `a` (indices of `b` outside
    /// it count as zero): 1 when `b` is `a` moved by `lag` and scaled.
    package static func correlation(_ a: [Float], _ b: [Float], lag: Int, range: Range<Int>) -> Double {
        a.withUnsafeBufferPointer { a in
            b.withUnsafeBufferPointer { b in
                var ab = 0.0, aa = 0.0, bb = 0.0
                for i in range where i >= 0 && i < a.count {
                    let x = Double(a[i])
                    let j = i + lag
                    let y = j >= 0 && j < b.count ? Double(b[j]) : 0
                    ab += x * y
                    aa += x * x
                    bb += y * y
                }
                return aa > 0 && bb > 0 ? ab / (aa * bb).squareRoot() : 0
            }
        }
    }

    /// The lag in `lags` at which `b` best matches `a` over `range`, and that correlation.
    package static func bestLag(
        _ a: [Float], _ b: [Float], range: Range<Int>, lags: ClosedRange<Int>
    ) -> (lag: Int, correlation: Double) {
        var best = (lag: lags.lowerBound, correlation: -Double.infinity)
        for lag in lags {
            let c = correlation(a, b, lag: lag, range: range)
            if c > best.correlation { best = (lag, c) }
        }
        return best
    }
}
