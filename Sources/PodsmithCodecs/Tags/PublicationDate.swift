import Foundation
import PodsmithCore

/// Parses the publication dates a manifest may give.
///
/// Accepted, as feeds and people write them:
/// - ISO 8601 calendar date `2026-11-27` (midnight UTC);
/// - ISO 8601 date-time `2026-11-27T10:30`, `…T10:30:15`, `…T10:30:15.250`, with `Z` or an offset
///   `+01:00` / `+0100` (no zone means UTC); a space is accepted instead of `T` (RFC 3339 §5.6 note);
/// - RFC 2822 §3.3 `Fri, 27 Nov 2026 10:30:00 +0000`: day name optional, seconds optional, zone as
///   `±hhmm` or the obsolete names of §4.3 (`UT`, `GMT`, `EST`, `EDT`, `CST`, `CDT`, `MST`, `MDT`, `PST`, `PDT`, `Z`).
///
/// Written by hand rather than with `DateFormatter`, whose behaviour depends on the locale and the
/// platform's ICU; this parser checks ranges (no 31 April, no hour 24) so that a typo is an error.
public enum PublicationDate {
    /// The instant `text` names, or `nil` if it is none of the accepted forms or out of range.
    public static func parse(_ text: String) -> Date? {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        if let first = trimmed.unicodeScalars.first, CharacterSet.decimalDigits.contains(first),
            trimmed.count >= 10, Array(trimmed.utf8)[4] == UInt8(ascii: "-")
        {
            return parseISO(Array(trimmed.utf8))
        }
        return parseRFC2822(trimmed)
    }

    /// The canonical spelling of a date in reports and fingerprints: ISO 8601 UTC, `2026-11-27T10:30:00Z`.
    public static func iso8601(_ date: Date) -> String {
        let seconds = Int64(date.timeIntervalSince1970.rounded(.down))
        let (days, secondsOfDay) = floorDivMod(seconds, 86_400)
        let (year, month, day) = civilDate(daysSinceEpoch: days)
        let hour = secondsOfDay / 3600, minute = secondsOfDay % 3600 / 60, second = secondsOfDay % 60
        return String(format: "%04lld-%02lld-%02lldT%02lld:%02lld:%02lldZ", year, month, day, hour, minute, second)
    }

    // MARK: - ISO 8601

    private static func parseISO(_ b: [UInt8]) -> Date? {
        var i = 0
        func digits(_ count: Int) -> Int? {
            guard i + count <= b.count else { return nil }
            var value = 0
            for k in i..<(i + count) {
                guard b[k] >= 48 && b[k] <= 57 else { return nil }
                value = value * 10 + Int(b[k] - 48)
            }
            i += count
            return value
        }
        func expect(_ c: Character) -> Bool {
            guard i < b.count, b[i] == c.asciiValue! else { return false }
            i += 1
            return true
        }
        guard let year = digits(4), expect("-"), let month = digits(2), expect("-"), let day = digits(2) else {
            return nil
        }
        guard validDay(year: year, month: month, day: day) else { return nil }
        var hour = 0, minute = 0, second = 0, fraction = 0.0, offset = 0
        if i < b.count {
            guard b[i] == UInt8(ascii: "T") || b[i] == UInt8(ascii: "t") || b[i] == UInt8(ascii: " ") else {
                return nil
            }
            i += 1
            guard let h = digits(2), expect(":"), let m = digits(2) else { return nil }
            hour = h
            minute = m
            if i < b.count, b[i] == UInt8(ascii: ":") {
                i += 1
                guard let s = digits(2) else { return nil }
                second = s
                if i < b.count, b[i] == UInt8(ascii: ".") || b[i] == UInt8(ascii: ",") {
                    i += 1
                    var scale = 0.1
                    let start = i
                    while i < b.count, b[i] >= 48 && b[i] <= 57 {
                        fraction += Double(b[i] - 48) * scale
                        scale /= 10
                        i += 1
                    }
                    guard i > start else { return nil }
                }
            }
            guard hour < 24, minute < 60, second < 60 else { return nil }
            if i < b.count {
                if b[i] == UInt8(ascii: "Z") || b[i] == UInt8(ascii: "z") {
                    i += 1
                } else if b[i] == UInt8(ascii: "+") || b[i] == UInt8(ascii: "-") {
                    let sign = b[i] == UInt8(ascii: "+") ? 1 : -1
                    i += 1
                    guard let oh = digits(2) else { return nil }
                    _ = expect(":")
                    guard let om = digits(2), oh < 24, om < 60 else { return nil }
                    offset = sign * (oh * 3600 + om * 60)
                } else {
                    return nil
                }
            }
        }
        guard i == b.count else { return nil }
        return makeDate(
            year: year, month: month, day: day, hour: hour, minute: minute, second: second,
            fraction: fraction, offsetSeconds: offset)
    }

    // MARK: - RFC 2822

    private static let monthNames = [
        "jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec",
    ]
    private static let dayNames: Set<String> = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
    private static let zoneNames: [String: Int] = [
        "ut": 0, "gmt": 0, "z": 0, "est": -5, "edt": -4, "cst": -6, "cdt": -5, "mst": -7, "mdt": -6, "pst": -8,
        "pdt": -7,
    ]

    private static func parseRFC2822(_ text: String) -> Date? {
        var rest = Substring(text)
        if let comma = rest.firstIndex(of: ",") {
            guard dayNames.contains(rest[..<comma].trimmingCharacters(in: .whitespaces).lowercased()) else {
                return nil
            }
            rest = rest[rest.index(after: comma)...]
        }
        let fields = rest.split(whereSeparator: { $0 == " " || $0 == "\t" }).map { String($0) }
        guard fields.count == 5,
            let day = Int(fields[0]), fields[0].count <= 2,
            let month = monthNames.firstIndex(of: fields[1].lowercased()).map({ $0 + 1 }),
            let year = Int(fields[2]), fields[2].count == 4
        else { return nil }
        guard validDay(year: year, month: month, day: day) else { return nil }
        let time = fields[3].split(separator: ":", omittingEmptySubsequences: false)
        guard time.count == 2 || time.count == 3, time.allSatisfy({ $0.count == 2 }),
            let hour = Int(time[0]), let minute = Int(time[1]), hour < 24, minute < 60
        else { return nil }
        var second = 0
        if time.count == 3 {
            guard let s = Int(time[2]), s < 60 else { return nil }
            second = s
        }
        let zone = fields[4]
        var offset: Int
        if let first = zone.first, first == "+" || first == "-" {
            let digits = zone.dropFirst()
            guard digits.count == 4, let value = Int(digits) else { return nil }
            let hh = value / 100, mm = value % 100
            guard hh < 24, mm < 60 else { return nil }
            offset = (first == "+" ? 1 : -1) * (hh * 3600 + mm * 60)
        } else if let hours = zoneNames[zone.lowercased()] {
            offset = hours * 3600
        } else {
            return nil
        }
        return makeDate(
            year: year, month: month, day: day, hour: hour, minute: minute, second: second,
            fraction: 0, offsetSeconds: offset)
    }

    // MARK: - Calendar arithmetic (proleptic Gregorian, UTC)

    private static func isLeap(_ year: Int) -> Bool { year % 4 == 0 && (year % 100 != 0 || year % 400 == 0) }

    private static func validDay(year: Int, month: Int, day: Int) -> Bool {
        guard (1...12).contains(month), day >= 1 else { return false }
        let lengths = [31, isLeap(year) ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]
        return day <= lengths[month - 1]
    }

    /// Days from 1970-01-01 to the given date (the usual era-based civil-calendar conversion).
    private static func daysSinceEpoch(year: Int, month: Int, day: Int) -> Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yearOfEra = y - era * 400
        let monthIndex = (month + 9) % 12
        let dayOfYear = (153 * monthIndex + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }

    private static func civilDate(daysSinceEpoch days: Int64) -> (Int64, Int64, Int64) {
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let dayOfEra = z - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let mp = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * mp + 2) / 5 + 1
        let month = mp < 10 ? mp + 3 : mp - 9
        return (yearOfEra + era * 400 + (month <= 2 ? 1 : 0), month, day)
    }

    private static func floorDivMod(_ a: Int64, _ b: Int64) -> (Int64, Int64) {
        let q = a / b, r = a % b
        return r < 0 ? (q - 1, r + b) : (q, r)
    }

    private static func makeDate(
        year: Int, month: Int, day: Int, hour: Int, minute: Int, second: Int,
        fraction: Double, offsetSeconds: Int
    ) -> Date {
        let days = daysSinceEpoch(year: year, month: month, day: day)
        let seconds = days * 86_400 + hour * 3600 + minute * 60 + second - offsetSeconds
        return Date(timeIntervalSince1970: Double(seconds) + fraction)
    }
}
