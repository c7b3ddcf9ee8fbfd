import Testing

@testable import PodsmithKit

/// §7 #19: the progress of a normalize that verifies and corrects says which pass it is on, and a
/// season's episode bar never goes back (it read 60 % → 40 % → 48 % → 61 % → 40 %).
@Suite struct RenderPassCounterTests {
    @Test func correctionPassesAreNumberedAndTheBarNeverGoesBack() {
        var counter = RenderPassCounter(maxPasses: 3)
        var labels: [String] = []
        var drawn: [Double] = []
        // What Normalizer.write reports for three passes: analysis, calibration, then render and verify
        // twice more after each correction.
        let reports: [(Normalizer.Stage, Double)] = [
            (.analysing, 0.5), (.analysing, 1), (.calibrating, 0), (.calibrating, 0.7),
            (.rendering, 0.2), (.rendering, 1), (.verifying, 0),
            (.calibrating, 0.4), (.rendering, 0.1), (.rendering, 0.9), (.verifying, 0),
            (.rendering, 0.3), (.rendering, 1),
        ]
        for (index, (stage, fraction)) in reports.enumerated() {
            labels.append(counter.label(stage, fraction))
            drawn.append(counter.monotonic(Double(index % 5) / 5))
        }
        #expect(labels[4] == "rendering" && labels[6] == "verifying")
        #expect(labels[8] == "rendering, pass 2 of 3" && labels[10] == "verifying, pass 2 of 3")
        #expect(labels[7] == "calibrating", "a calibration is not a render pass")
        #expect(labels[11] == "rendering, pass 3 of 3" && counter.pass == 3)
        #expect(zip(drawn, drawn.dropFirst()).allSatisfy { $0 <= $1 }, "\(drawn)")
        #expect(drawn.last == 0.8)
    }
}
