/// A coding key that states how many decimals its figure means.
///
/// A report's numbers are measurements: printing the 17 digits of a `Double` would claim a precision no
/// meter has (BS.1770-4 loudness is meaningful to 0.01 LU, a duration to the millisecond). The key
/// carries the precision so that the keys stay the one place a report's JSON is described. A plain
/// `JSONEncoder` ignores it (the season's files keep every digit, for scripts that compute with
/// them); the CLI's ordered writer prints each figure with exactly these decimals.
public protocol FigurePrecisionKey: CodingKey {
    /// Digits after the point for this key's number; `nil` when the value is not a rounded figure.
    var decimals: Int? { get }
}
