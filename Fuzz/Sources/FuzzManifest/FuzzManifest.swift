import Foundation
@_spi(ManifestReading) import PodsmithSeason

/// One fuzz input through the season manifest parser: the first byte picks JSON (odd) or YAML
/// (even), the rest is the manifest text. Parsing, validation and resolution into jobs run as
/// `podsmith season` runs them; the base folder does not exist, so every file check reports a missing file.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzManifest(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    guard let data, size > 0 else { return 0 }
    let json = data[0] & 1 == 1
    let text = Data(bytes: data + 1, count: size - 1)
    guard let tree = try? SeasonManifest.parseTree(text, json: json, name: "fuzz-input") else { return 0 }
    var reader = ManifestReader(baseDirectory: "/nonexistent-podsmith-fuzz")
    // The audio files cannot exist in the fuzzer's world: a manifest whose only problems are
    // missing files is as valid as it gets, and is resolved into jobs like a valid one.
    guard let manifest = reader.read(tree),
        reader.issues.allSatisfy({ $0.message.hasPrefix("no such file") })
    else { return 0 }
    let plan = SeasonPlan(manifest: manifest, baseDirectory: "/nonexistent-podsmith-fuzz")
    precondition(plan.jobs.count == manifest.episodes.count, "every episode becomes one job")
    return 0
}
