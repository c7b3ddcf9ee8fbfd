import Foundation
import PodsmithKit

/// The Podsmith temporaries (`.NAME.podsmith-tmp-PID-RANDOM`) left in an output folder, grouped by the
/// episode they belong to, so that each is removed only by the run that holds that episode's lock.
///
/// Why not by PID: shards of one season run on many machines over one shared folder, and a PID means
/// nothing on another machine. ``AtomicOutputFile/removeStale(inFolder:prefix:)`` asks the local
/// kernel whether the writer still runs; for a temporary written by a live shard on another node the
/// answer is "no such process", and removing it makes that shard's `rename(2)` fail. The episode lock
/// (`flock(2)` on the shared folder) is the proof that matters: whoever holds it is the only live
/// writer of that episode's files, so every temporary of those files, whatever its PID or host, is
/// left over from a run that died.
///
/// The folders are listed once per run (listing a folder of thousands of episodes once per episode
/// would be quadratic on a network file system). A temporary belongs to the episode with the longest
/// stem `S` such that its final name starts with `S.` (`ep1.final.mp3` is `ep1.final`'s, not `ep1`'s).
struct EpisodeTemporaries: Sendable {
    /// Temporary paths by episode stem.
    private let pathsByStem: [String: [String]]

    /// Lists `folders` and files every temporary under the stem it belongs to among `stems`.
    init(folders: [String], stems: [String]) {
        let byLength = Set(stems).sorted { $0.count > $1.count }
        var found: [String: [String]] = [:]
        for folder in folders {
            guard let names = try? FileManager.default.contentsOfDirectory(atPath: folder) else { continue }
            for name in names where name.hasPrefix(".") {
                guard let range = name.range(of: AtomicOutputFile.marker, options: .backwards),
                    AtomicOutputFile.processID(ofTemporaryName: name) != nil
                else { continue }
                let finalName = name[name.index(after: name.startIndex)..<range.lowerBound]
                guard let stem = byLength.first(where: { finalName.hasPrefix($0 + ".") }) else { continue }
                found[stem, default: []].append((folder as NSString).appendingPathComponent(name))
            }
        }
        pathsByStem = found
    }

    /// Removes the temporaries of `stem` found when the folders were listed. Call only while holding
    /// the episode's lock. The listing is made before this run writes anything, so a temporary that
    /// carries this process's PID is another's too (containers often run every Podsmith as PID 1).
    /// - Returns: the paths removed.
    @discardableResult
    func removeLeftovers(of stem: String) -> [String] {
        (pathsByStem[stem] ?? []).filter { unlink($0) == 0 }
    }
}
