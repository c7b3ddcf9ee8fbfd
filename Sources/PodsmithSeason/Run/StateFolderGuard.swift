import Foundation
import PodsmithKit

/// Refuses a season state folder (`OUTDIR/.podsmith` and its subfolders) that is a symbolic link.
///
/// Why: in a shared, group-writable OUTDIR anyone could plant `.podsmith -> /elsewhere`; every state
/// file and lock would then be written there, and two runs could each believe they hold an episode's
/// lock. The state folder is Podsmith's own, so a link there is never intended: it is refused (exit 73,
/// "cannot write output"), not followed.
enum StateFolderGuard {
    /// - Throws: ``PodsmithError/outputNotWritable(path:reason:)`` for the first of `paths` that exists and
    ///   is a symbolic link or not a folder.
    static func refuseSymlinks(_ paths: [String]) throws {
        for path in paths {
            var info = stat()
            guard lstat(path, &info) == 0 else { continue }
            switch info.st_mode & S_IFMT {
            case S_IFDIR: continue
            case S_IFLNK:
                throw PodsmithError.outputNotWritable(
                    path: path, reason: "is a symbolic link; the season state folder must be a real folder")
            default:
                throw PodsmithError.outputNotWritable(path: path, reason: "is not a folder")
            }
        }
    }
}
