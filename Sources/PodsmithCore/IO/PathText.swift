/// Path arithmetic on plain strings, for paths that come from users and manifests.
///
/// Why not `NSString`'s path methods: on Linux (swift-corelibs-foundation, Swift 6.3)
/// `lastPathComponent`, `deletingLastPathComponent`, `pathExtension` and `deletingPathExtension`
/// trap on strings such as `"///a//"` (leading and trailing slashes), which the manifest fuzzer
/// found in an episode's `file` key. These helpers split on `/` and never trap.
public enum PathText {
    /// The last component, ignoring trailing slashes: `a/b.wav` → `b.wav`, `a/b//` → `b`,
    /// `/` → `/`, `""` → `""`.
    public static func lastComponent(_ path: String) -> String {
        let trimmed = trimmingTrailingSlashes(path)
        if trimmed.isEmpty { return path.isEmpty ? "" : "/" }
        guard let slash = trimmed.lastIndex(of: "/") else { return trimmed }
        return String(trimmed[trimmed.index(after: slash)...])
    }

    /// Everything before the last component, without trailing slashes: `a/b.wav` → `a`,
    /// `/a` → `/`, `b.wav` → `""`, `/` → `/`.
    public static func deletingLastComponent(_ path: String) -> String {
        let trimmed = trimmingTrailingSlashes(path)
        if trimmed.isEmpty { return path.isEmpty ? "" : "/" }
        guard let slash = trimmed.lastIndex(of: "/") else { return "" }
        let parent = trimmingTrailingSlashes(String(trimmed[..<slash]))
        return parent.isEmpty ? "/" : parent
    }

    /// The last component without its extension: `a/b.final.wav` → `b.final`, `a/.hidden` →
    /// `.hidden` (a leading dot starts a name, not an extension).
    public static func stem(_ path: String) -> String {
        let name = lastComponent(path)
        guard let dot = name.lastIndex(of: "."), dot != name.startIndex else { return name }
        return String(name[..<dot])
    }

    private static func trimmingTrailingSlashes(_ path: String) -> String {
        var text = Substring(path)
        while text.last == "/" { text.removeLast() }
        return String(text)
    }
}
