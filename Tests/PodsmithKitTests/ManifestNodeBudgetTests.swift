import Foundation
import PodsmithTestSupport
import Testing

@testable import PodsmithKit
@_spi(ManifestReading) @testable import PodsmithSeason

/// A manifest cannot make the reader do unbounded work: YAML aliases are expanded by the decoder, so
/// nine levels of ten aliases each (a "billion laughs" file of a few hundred bytes) would be 10⁹ values.
@Suite struct ManifestNodeBudgetTests {
    /// About 440 bytes that expand to 10⁹ list items.
    static let aliasBomb: String = {
        var lines = ["a: &a [x, x, x, x, x, x, x, x, x, x]"]
        var previous = "a"
        for name in ["b", "c", "d", "e", "f", "g", "h", "i"] {
            lines.append(
                "\(name): &\(name) [" + Array(repeating: "*\(previous)", count: 10).joined(separator: ", ") + "]")
            previous = name
        }
        lines += ["show: {title: T}", "episodes: *i"]
        return lines.joined(separator: "\n") + "\n"
    }()

    @Test func aliasBombIsRefusedAsTooManyNodes() throws {
        #expect(Self.aliasBomb.utf8.count < 500)
        do {
            _ = try SeasonManifest.parseTree(Data(Self.aliasBomb.utf8), json: false, name: "bomb.yml")
            Issue.record("the alias bomb was decoded")
        } catch {
            #expect(error.issues.count == 1)
            #expect(error.issues.first?.message.contains("bomb.yml: too many nodes or aliases") == true)
        }
    }

    @Test func aDeepJSONArrayOfArraysIsRefusedTheSameWay() throws {
        let wide = "[" + Array(repeating: "[1, 2, 3, 4, 5, 6, 7, 8, 9, 10]", count: 20_000).joined(separator: ",") + "]"
        do {
            _ = try SeasonManifest.parseTree(Data(wide.utf8), json: true, name: "wide.json")
            Issue.record("200,000 values were decoded")
        } catch {
            #expect(error.issues.first?.message.contains("wide.json: too many nodes or aliases") == true)
        }
    }

    @Test func ordinaryAnchorsAndAliasesStillWork() throws {
        let yaml = """
            show: {title: &name Anchored Show, author: *name}
            defaults: {formats: &formats [mp3@128k, opus@48k]}
            episodes:
              - {file: a.wav, title: *name}
              - {file: b.wav, title: Second}
            """
        let tree = try SeasonManifest.parseTree(Data(yaml.utf8), json: false)
        guard case .object(let root) = tree, case .object(let show) = root["show"],
            case .array(let episodes) = root["episodes"], case .object(let first) = episodes.first
        else {
            Issue.record("unexpected shape: \(tree)")
            return
        }
        #expect(show["author"] == .string("Anchored Show"))
        #expect(first["title"] == .string("Anchored Show"))
        #expect(episodes.count == 2)
    }

    @Test func aManifestJustUnderTheBudgetIsRead() throws {
        // JSON: the same count, far quicker to parse than 100,000 YAML scalars in a debug build.
        let count = SeasonManifest.nodeBudget - 10
        let json = #"{"list": ["# + Array(repeating: "1", count: count).joined(separator: ",") + "]}"
        let tree = try SeasonManifest.parseTree(Data(json.utf8), json: true)
        guard case .object(let root) = tree, case .array(let list) = root["list"] else {
            Issue.record("unexpected shape")
            return
        }
        #expect(list.count == count)
    }
}
