import Foundation
import PodsmithTestSupport
import Testing

@testable import PodsmithCore
@testable import PodsmithKit

/// The calibration keeps its trials as points of one response, the loudness over the ceiling against
/// gain − ceiling (``LimitedResponse``), so a solve against a moved ceiling starts where they predict.
@Suite struct LimitedResponseTests {
    /// The property the response rests on, measured: the same drive against another ceiling renders
    /// the same programme shifted by the ceiling's move, on a programme the limiter works hard.
    @Test func aTrialWithGainAndCeilingRaisedTogetherMeasuresLouderByTheSameStep() throws {
        let normalizer = Normalizer(options: NormalizeOptions())
        let source = ArraySource(planes: SplitTrialTests.programme(), sampleRate: SplitTrialTests.rate)
        let plan = try normalizer.analyse(source)
        let gain = plan.gainDB + 3
        let low = try normalizer.trialRender(plan: plan, source: source, gainDB: gain, ceilingDBTP: -1.7, progress: nil)
        let high = try normalizer.trialRender(
            plan: plan, source: source, gainDB: gain + 0.7, ceilingDBTP: -1, progress: nil)
        #expect(low.limiter.maxReductionDB > 2, "the limiter must work for the test to mean anything")
        #expect(abs(low.limiter.maxReductionDB - high.limiter.maxReductionDB) < 0.001)
        let shift = try #require(high.levelLUFS) - (try #require(low.levelLUFS))
        #expect(abs(shift - 0.7) < 0.001, "\(shift) LU for a 0.7 dB move of both")
    }

    @Test func aSolveAgainstALoweredCeilingStartsFromThePointsAndLandsInOneTrial() throws {
        let normalizer = Normalizer(options: NormalizeOptions())
        let source = ArraySource(planes: SplitTrialTests.programme(), sampleRate: SplitTrialTests.rate)
        let plan = try normalizer.analyse(source)
        let aim = plan.measuredTargetLUFS
        let start = Normalizer.Calibration(gainDB: plan.gainDB, ceilingDBTP: -1)
        #expect(normalizer.limits(plan, start), "the programme must be limited at the plan's gain")
        let first = try normalizer.solveGain(start, source: source, plan: plan, aimLUFS: aim, progress: nil)
        #expect(first.trials >= 2 && first.response.points.count == first.trials)
        // The codec probe's second listen lowers the ceiling by 0.5 dB: the same programme, a new solve.
        var lowered = first
        lowered.ceilingDBTP -= 0.5
        lowered.trials = 0
        let second = try normalizer.solveGain(lowered, source: source, plan: plan, aimLUFS: aim, progress: nil)
        #expect(second.trials == 1, "\(second.trials) trials")
        // Checked by an independent render at what it found.
        let check = try normalizer.trialRender(
            plan: plan, source: source, gainDB: second.gainDB, ceilingDBTP: second.ceilingDBTP, progress: nil)
        let level = try #require(check.levelLUFS)
        #expect(abs(level - aim) <= Normalizer.trialToleranceLU, "\(level) against \(aim)")
        // Without the points, the same solve starts from the last gain and needs more trials.
        var forgetful = lowered
        forgetful.response = LimitedResponse()
        let blind = try normalizer.solveGain(forgetful, source: source, plan: plan, aimLUFS: aim, progress: nil)
        #expect(blind.trials > second.trials, "\(blind.trials) trials without the points")
    }

    @Test func twoPointsAroundTheAimInterpolate() throws {
        var response = LimitedResponse()
        // Φ(u) = 0.5·u − 10 at drives 4 and 6 against ceiling −1: levels −9 and −8 over it.
        response.record(gainDB: 3, ceilingDBTP: -1, levelLUFS: -9)
        response.record(gainDB: 5, ceilingDBTP: -1, levelLUFS: -8)
        // Against ceiling −2, the aim −9.4 is −7.4 over it, between the two: drive 5.2, gain 3.2.
        let p = try #require(response.prediction(aimLUFS: -9.4, ceilingDBTP: -2, fallbackSlope: 0.8))
        #expect(abs(p.gainDB - 3.2) < 1e-12 && abs(p.slope - 0.5) < 1e-12)
        // The anchor is the nearer point (−7 over the ceiling, drive 6), moved to ceiling −2.
        #expect(abs(p.anchor.gain - 4) < 1e-12 && abs(p.anchor.level - -9) < 1e-12)
    }

    @Test func onePointStepsWithTheFallbackSlopeAndNoPointPredictsNothing() throws {
        var response = LimitedResponse()
        #expect(response.prediction(aimLUFS: -16, ceilingDBTP: -1, fallbackSlope: 0.8) == nil)
        response.record(gainDB: 4, ceilingDBTP: -1, levelLUFS: -16.4)
        let p = try #require(response.prediction(aimLUFS: -16, ceilingDBTP: -1, fallbackSlope: 0.8))
        #expect(abs(p.gainDB - 4.5) < 1e-12 && p.slope == 0.8)
        // Two trials at the same drive give no slope: still the fallback.
        response.record(gainDB: 3.5, ceilingDBTP: -1.5, levelLUFS: -16.9)
        let q = try #require(response.prediction(aimLUFS: -16, ceilingDBTP: -1, fallbackSlope: 0.8))
        #expect(q.slope == 0.8)
    }

    @Test func aSlopeOutsideTheSolversRangeIsClamped() throws {
        var response = LimitedResponse()
        // A falling response (noise in two close trials) must not step backwards: clamped to 0.05.
        response.record(gainDB: 4, ceilingDBTP: -1, levelLUFS: -16.2)
        response.record(gainDB: 4.1, ceilingDBTP: -1, levelLUFS: -16.21)
        let p = try #require(response.prediction(aimLUFS: -16, ceilingDBTP: -1, fallbackSlope: 0.8))
        #expect(p.slope == 0.05 && p.gainDB > 4)
    }

    @Test func aRenderAtATrialsDriveIsKnownWithoutMeasuringItAgain() {
        var response = LimitedResponse()
        response.record(gainDB: 4.25, ceilingDBTP: -1.25, levelLUFS: -16.1)
        response.record(gainDB: 4.75, ceilingDBTP: -1.25, levelLUFS: -15.8)
        #expect(response.measuredLevel(gainDB: 4.25, ceilingDBTP: -1.25).map { abs($0 - -16.1) < 1e-9 } == true)
        // The same drive against a ceiling 0.25 dB higher: the same render, 0.25 LU louder.
        let moved = response.measuredLevel(gainDB: 4.5, ceilingDBTP: -1)
        #expect(moved.map { abs($0 - -15.85) < 1e-9 } == true, "\(String(describing: moved))")
        // A gain no trial rendered is not known: the pass measures it.
        #expect(response.measuredLevel(gainDB: 4.5, ceilingDBTP: -1.25) == nil)
    }
}
