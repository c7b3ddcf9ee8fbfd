extension Optional where Wrapped == Double {
    /// The value when finite; JSON has no ±∞ or NaN, and `null` is what "undefined" means in a report.
    package var finiteOrNil: Double? {
        guard let v = self, v.isFinite else { return nil }
        return v
    }
}

extension Double {
    /// The value when finite, else `nil` (written as JSON `null`).
    package var finiteOrNil: Double? { isFinite ? self : nil }

    /// The value when finite, else 0: for amounts (seconds removed, dB reduced) where "none" is 0.
    package var finiteOrZero: Double { isFinite ? self : 0 }
}
