import Foundation
import PodsmithKit

/// A season never writes over one of its own inputs: not with an episode's files, not with the
/// season-wide files (`report.json`, `index.html`, `feed.xml`, the `artwork.*` copy), not inside the
/// state folder. Checked before anything is written, by ``OutputInputOverlap`` (one owner for
/// `normalize` and `season`: same inode, whatever the spelling).
///
/// Why: `-o public` with a JSON manifest kept as `public/report.json`, or an episode's cover kept as
/// `public/artwork.jpg` while the show's cover is another file, had the publisher replace that input;
/// the next run then re-rendered the episode with the wrong art, or found no manifest.
extension SeasonPlan {
    /// Checks the plan against the output folder: an output that would overwrite one of the season's
    /// inputs (an MP3 episode re-published into its own folder) is refused.
    /// - Returns: the problems, empty when the plan can run.
    public func problems(outputDirectory: String) -> [ManifestIssue] {
        let inputs = protectedInputs()
        var owners: [String: (identity: String, name: String)] = [:]
        var outputs: [String] = []
        for job in jobs {
            for name in job.ownedFileNames {
                let path = (outputDirectory as NSString).appendingPathComponent(name)
                if owners[path] == nil { outputs.append(path) }
                owners[path] = owners[path] ?? (job.identity, name)
            }
        }
        var issues: [ManifestIssue] = []
        for overlap in OutputInputOverlap.overlaps(outputs: outputs, inputs: inputs.list) {
            guard let owner = owners[overlap.output] else { continue }
            issues.append(
                ManifestIssue(
                    path: owner.identity,
                    message: "writing \(owner.name) into \(outputDirectory) would overwrite \(overlap.role) "
                        + "\(overlap.input); choose another output folder"))
        }
        return issues + seasonFileProblems(outputDirectory: outputDirectory)
    }

    /// The files the whole season writes into OUTDIR (``SeasonPublisher``), and the state folder,
    /// against every input: what `--merge` checks too (it writes no episode file).
    /// - Returns: the problems, each at the key path of the input it would replace.
    public func seasonFileProblems(outputDirectory: String) -> [ManifestIssue] {
        let inputs = protectedInputs()
        let names = SeasonPublisher.seasonFileNames + (showArtworkPath == nil ? [] : SeasonPublisher.artworkFileNames)
        let outputs = names.map { (outputDirectory as NSString).appendingPathComponent($0) }
        var issues: [ManifestIssue] = []
        for overlap in OutputInputOverlap.overlaps(outputs: outputs, inputs: inputs.list) {
            // The show's cover kept as OUTDIR/artwork.jpg is copied onto itself: a no-op, not a loss.
            if let show = showArtworkPath, isArtworkCopy(overlap.output),
                OutputInputOverlap.isSameFile(show, overlap.input)
            {
                continue
            }
            let name = (overlap.output as NSString).lastPathComponent
            issues.append(
                ManifestIssue(
                    path: inputs.keys[overlap.input] ?? "",
                    message: "writing \(name) into \(outputDirectory) would overwrite \(overlap.role) "
                        + "\(overlap.input); choose another output folder"))
        }
        let state = Self.canonical((outputDirectory as NSString).appendingPathComponent(SeasonStateStore.folderName))
        for input in inputs.list where Self.canonical(input.path).hasPrefix(state + "/") {
            issues.append(
                ManifestIssue(
                    path: inputs.keys[input.path] ?? "",
                    message: "\(input.role) \(input.path) is inside the state folder \(state), which runs rewrite; "
                        + "move it out"))
        }
        return issues
    }

    /// Every file the season reads, with how to name it and the manifest key path it came from.
    private func protectedInputs() -> (list: [(path: String, role: String)], keys: [String: String]) {
        var list: [(path: String, role: String)] = []
        var keys: [String: String] = [:]
        func add(_ path: String?, _ role: String, key: String) {
            guard let path else { return }
            list.append((path, role))
            keys[path] = keys[path] ?? key
        }
        add(manifestPath, "the manifest", key: "")
        add(showArtworkPath, "the show's artwork", key: "show.artwork")
        for job in jobs {
            add(job.inputPath, "\(job.identity)'s input", key: job.identity)
            add(job.metadata.chaptersPath, "\(job.identity)'s chapters", key: job.identity)
            add(job.metadata.artworkPath, "\(job.identity)'s artwork", key: job.identity)
            add(job.metadata.transcriptPath, "\(job.identity)'s transcript", key: job.identity)
        }
        return (list, keys)
    }

    private func isArtworkCopy(_ path: String) -> Bool {
        (path as NSString).lastPathComponent.hasPrefix("artwork.")
    }

    /// An absolute path with symlinks resolved, for the "inside the state folder" test.
    private static func canonical(_ path: String) -> String {
        URL(fileURLWithPath: path).standardizedFileURL.resolvingSymlinksInPath().path
    }
}
