import CEbur128
import Foundation
import PodsmithTestSupport
import Testing

@testable import PodsmithCore

/// When a loudness figure has no value, checked in two separate ways rather than by comparing the two
/// meters (the reference meter's `nil`s come from rules in our own wrapper, so that comparison was
/// circular):
///
/// - Podsmith's meter, against the definitions: integrated loudness and max momentary need one
///   complete 400 ms block (BS.1770-4 §2.8, EBU Tech 3341 §2.2), max short-term a complete 3 s
///   window (Tech 3341 §2.2), LRA at least two short-term blocks above the absolute gate
///   (Tech 3342 §3 has no spread to measure with fewer), and nothing is defined for digital silence.
/// - libebur128 called through its C API directly (not through ``ReferenceLoudnessMeter``): the raw
///   values that the wrapper's rules turn into `nil`.
@Suite struct UndefinedLoudnessFiguresTests {
    static let rate = 48_000.0

    /// A length of −20 dBFS 1 kHz tone (or silence) and which figures must exist for it.
    struct LengthCase: Sendable, CustomTestStringConvertible {
        var frames: Int
        var silent = false
        var integrated: Bool
        var momentary: Bool
        var shortTerm: Bool
        var range: Bool
        var testDescription: String { "\(silent ? "silence" : "tone") of \(frames) frames at 48 kHz" }
    }

    static let lengthCases: [LengthCase] = [
        // One frame short of the first 400 ms block, then exactly one block.
        .init(frames: 19_199, integrated: false, momentary: false, shortTerm: false, range: false),
        .init(frames: 19_200, integrated: true, momentary: true, shortTerm: false, range: false),
        // One frame short of the first 3 s window, exactly one window, then a second one (100 ms later).
        .init(frames: 143_999, integrated: true, momentary: true, shortTerm: false, range: false),
        .init(frames: 144_000, integrated: true, momentary: true, shortTerm: true, range: false),
        .init(frames: 148_800, integrated: true, momentary: true, shortTerm: true, range: true),
        // Digital silence long enough for every window: nothing above the absolute gate.
        .init(frames: 192_000, silent: true, integrated: false, momentary: false, shortTerm: false, range: false),
    ]

    static func planes(_ length: LengthCase) -> [[Float]] {
        if length.silent { return [[Float]](repeating: [Float](repeating: 0, count: length.frames), count: 2) }
        return TestSignals.sinePlanes(levelDBFS: -20, sampleRate: rate, frames: length.frames, channels: 2)
    }

    @Test(arguments: lengthCases)
    func podsmithLeavesAFigureUndefinedUntilItsWindowIsComplete(_ length: LengthCase) {
        let measured = Measure.podsmith(Self.planes(length), sampleRate: Self.rate)
        let label = length.testDescription
        #expect((measured.integratedLUFS != nil) == length.integrated, "I, \(label)")
        #expect((measured.maxMomentaryLUFS != nil) == length.momentary, "max M, \(label)")
        #expect((measured.maxShortTermLUFS != nil) == length.shortTerm, "max S, \(label)")
        #expect((measured.loudnessRangeLU != nil) == length.range, "LRA, \(label)")
        // A peak exists whenever a sample is not zero, whatever the length.
        #expect((measured.truePeakDBTP != nil) == !length.silent, "true peak, \(label)")
        // Where defined, a steady tone has (almost) no range: 0.00007 LU measured, the K-weighting filter's
        // start-up transient in the first short-term block.
        if let lra = measured.loudnessRangeLU { #expect(abs(lra) < 0.01, "LRA \(lra), \(label)") }
    }

    /// Interleaves `planes` and runs libebur128 over them; `read` queries the state afterwards.
    static func libebur128<T>(
        _ planes: [[Float]], mode: Int32, _ read: (UnsafeMutablePointer<ebur128_state>) -> T
    ) throws -> T {
        let channels = planes.count, frames = planes[0].count
        let state = try #require(ebur128_init(UInt32(channels), UInt(rate), mode))
        defer {
            var pointer: UnsafeMutablePointer<ebur128_state>? = state
            ebur128_destroy(&pointer)
        }
        var interleaved = [Float](repeating: 0, count: channels * frames)
        for c in 0..<channels { for i in 0..<frames { interleaved[i * channels + c] = planes[c][i] } }
        #expect(ebur128_add_frames_float(state, interleaved, frames) == 0)
        return read(state)
    }

    /// What every libebur128 getter returns after `planes`: its status and the value it wrote (`NaN`
    /// before the call, so a getter that writes nothing cannot pass for one that wrote 0).
    static func libebur128(
        _ planes: [[Float]], mode: Int32,
        value getter: (UnsafeMutablePointer<ebur128_state>?, UnsafeMutablePointer<Double>?) -> Int32
    ) throws -> (Int32, Double) {
        try libebur128(planes, mode: mode) { state in
            var value = Double.nan
            let status = getter(state, &value)
            return (status, value)
        }
    }

    static func tone(seconds: Double) -> [[Float]] {
        TestSignals.sinePlanes(levelDBFS: -20, sampleRate: rate, frames: Int(seconds * rate), channels: 2)
    }

    /// The raw libebur128 values behind the wrapper's rules. Each is a success status with a value that
    /// is not a measurement, so the wrapper must turn it into `nil` itself (what it does is checked
    /// last, against these facts).
    @Test func libebur128ReturnsPlaceholdersWhereTheWrapperSaysUndefined() throws {
        let all =
            Int32(EBUR128_MODE_I.rawValue | EBUR128_MODE_LRA.rawValue | EBUR128_MODE_M.rawValue)
            | Int32(EBUR128_MODE_S.rawValue)
        // 300 ms (shorter than one gating block): integrated loudness is −HUGE_VAL, with status 0.
        let global300ms = try Self.libebur128(Self.tone(seconds: 0.3), mode: all, value: ebur128_loudness_global)
        #expect(global300ms.0 == 0 && global300ms.1 == -Double.infinity, "\(global300ms)")
        // 4 s of silence: the same −HUGE_VAL.
        let silence = [[Float]](repeating: [Float](repeating: 0, count: Int(4 * Self.rate)), count: 2)
        let globalSilence = try Self.libebur128(silence, mode: all, value: ebur128_loudness_global)
        #expect(globalSilence.0 == 0 && globalSilence.1 == -Double.infinity, "\(globalSilence)")
        // 2 s (no 3 s window at all): LRA is 0.0 with status 0, a number indistinguishable from "no range".
        let range2s = try Self.libebur128(Self.tone(seconds: 2), mode: all, value: ebur128_loudness_range)
        #expect(range2s.0 == 0 && range2s.1 == 0, "\(range2s)")
        // Windows not yet full are averaged with silence that was never there: 1 s into the stream the
        // short-term reading is finite and 10·log10(1/3) = −4.77 dB under the full-window reading, 200 ms
        // in the momentary one 10·log10(1/2) = −3.01 dB under.
        let shortTerm = try Self.libebur128(Self.tone(seconds: 1), mode: all, value: ebur128_loudness_shortterm)
        let shortTermFull = try Self.libebur128(Self.tone(seconds: 3), mode: all, value: ebur128_loudness_shortterm)
        #expect(shortTerm.0 == 0 && shortTermFull.0 == 0)
        #expect(abs(shortTerm.1 - shortTermFull.1 - 10 * log10(1.0 / 3)) < 0.05, "\(shortTerm) \(shortTermFull)")
        let momentary = try Self.libebur128(Self.tone(seconds: 0.2), mode: all, value: ebur128_loudness_momentary)
        let momentaryFull = try Self.libebur128(Self.tone(seconds: 0.4), mode: all, value: ebur128_loudness_momentary)
        #expect(momentary.0 == 0 && momentaryFull.0 == 0)
        #expect(abs(momentary.1 - momentaryFull.1 - 10 * log10(0.5)) < 0.05, "\(momentary) \(momentaryFull)")

        // The wrapper turns exactly these placeholders into nil.
        let short = try Measure.reference(Self.tone(seconds: 0.3), sampleRate: Self.rate)
        #expect(short.integratedLUFS == nil && short.maxMomentaryLUFS == nil && short.maxShortTermLUFS == nil)
        let twoSeconds = try Measure.reference(Self.tone(seconds: 2), sampleRate: Self.rate)
        #expect(twoSeconds.integratedLUFS != nil && twoSeconds.loudnessRangeLU == nil)
        #expect(twoSeconds.maxShortTermLUFS == nil && twoSeconds.maxMomentaryLUFS != nil)
        let silent = try Measure.reference(silence, sampleRate: Self.rate)
        #expect(silent.integratedLUFS == nil && silent.truePeakDBTP == nil)
    }
}
