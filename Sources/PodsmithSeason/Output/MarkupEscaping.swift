import PodsmithKit

/// Escaping for text and attribute values in XML, SVG and HTML that Podsmith writes by hand.
///
/// Why our own: the feed's XML library (Plot) escapes `<` and `>` in text but leaves attribute values
/// as given and keeps anything that looks like an entity (`&x;`) unescaped, so "R&D;" in a title would
/// produce an undefined entity and an unparseable feed. Everything user-supplied goes through here.
enum MarkupEscaping {
    /// Text content and attribute values: `&`, `<`, `>`, `"` and `'` as entities; characters XML 1.0
    /// forbids (C0 controls other than tab, newline and return; U+FFFE, U+FFFF) removed (XML 1.0 §2.2).
    static func escape(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count)
        for scalar in text.unicodeScalars {
            switch scalar {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default:
                if isAllowedInXML(scalar) { out.unicodeScalars.append(scalar) }
            }
        }
        return out
    }

    /// Only the ampersand escaped (and forbidden characters removed): for text handed to Plot, which
    /// escapes `<` and `>` itself and keeps `&amp;` as it is.
    static func escapeAmpersands(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count)
        for scalar in text.unicodeScalars {
            if scalar == "&" {
                out += "&amp;"
            } else if isAllowedInXML(scalar) {
                out.unicodeScalars.append(scalar)
            }
        }
        return out
    }

    /// XML 1.0 §2.2 `Char`: tab, LF, CR, U+0020–U+D7FF, U+E000–U+FFFD, U+10000–U+10FFFF.
    static func isAllowedInXML(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x9, 0xA, 0xD: return true
        case 0x20...0xD7FF, 0xE000...0xFFFD, 0x10000...0x10FFFF: return true
        default: return false
        }
    }
}
