import Foundation

/// A fresh temporary folder per test, removed when the value is released.
package final class TemporaryFolder {
    package let url: URL

    package init() throws {
        url = FileManager.default.temporaryDirectory
            .appendingPathComponent("podsmith-test-\(UUID().uuidString)", isDirectory: true)
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }

    deinit { try? FileManager.default.removeItem(at: url) }

    /// The path of `name` inside the folder (not created).
    package func path(_ name: String) -> String { url.appendingPathComponent(name).path }

    /// A fresh path in the system's temporary directory (not created), for tests that clean up after
    /// themselves with `defer`.
    package static func uniquePath(_ suffix: String) -> String {
        NSTemporaryDirectory() + "podsmith-test-\(UUID().uuidString)\(suffix)"
    }
}
