internal import CEbur128
import Foundation

/// libebur128 behind the ``LoudnessMeasuring`` protocol: the reference our own meter must agree with.
///
/// Runs `EBUR128_MODE_I | LRA | TRUE_PEAK | SAMPLE_PEAK` (plus M and S, which I and LRA imply). The
/// library wants interleaved frames, so each planar block is re-interleaved into a scratch buffer that
/// is allocated once. Frames are fed in 100 ms steps so that the largest momentary and short-term
/// loudness can be read after every step, as EBU Tech 3341 §2.2 defines their update rate.
/// Channel maps for 5 and 6 channels follow the WAVE order, which is libebur128's default
/// (L, R, C, LFE, Ls, Rs; with 5 channels L, R, C, Ls, Rs).
public final class ReferenceLoudnessMeter: LoudnessMeasuring {
    private let state: UnsafeMutablePointer<ebur128_state>
    private let format: AudioFormat
    private let step: Int
    private var stepFill = 0
    private var frames: Int64 = 0
    private var maxMomentary = -Double.infinity
    private var maxShortTerm = -Double.infinity
    /// Short-term readings (every 100 ms from 3 s on) above the absolute gate; LRA needs two.
    private var shortTermBlocksAboveGate = 0
    private var scratch: UnsafeMutablePointer<Float>
    private var scratchFrames: Int

    /// - Throws: ``PodsmithError/internalError(_:)`` if libebur128 refuses the format.
    public init(format: AudioFormat) throws {
        self.format = format
        let mode =
            EBUR128_MODE_I.rawValue | EBUR128_MODE_LRA.rawValue | EBUR128_MODE_TRUE_PEAK.rawValue
            | EBUR128_MODE_SAMPLE_PEAK.rawValue | EBUR128_MODE_M.rawValue | EBUR128_MODE_S.rawValue
        guard let state = ebur128_init(UInt32(format.channelCount), UInt(format.sampleRate), Int32(mode)) else {
            throw PodsmithError.internalError("libebur128 refused \(format)")
        }
        self.state = state
        // Channel maps as in ``ChannelWeights``. 5 channels: L, R, C, Ls, Rs (no LFE); libebur128's
        // default map would call channel 4 unused. 7 and 8 channels (6.1, 7.1): its default map ignores
        // channels 6 and 7; give the side pair +1.5 dB and the back channels 1.0 (BS.1770-4 Table 3).
        let map: [channel]
        switch format.channelCount {
        case 5: map = [EBUR128_LEFT, EBUR128_RIGHT, EBUR128_CENTER, EBUR128_LEFT_SURROUND, EBUR128_RIGHT_SURROUND]
        case 7:
            map = [
                EBUR128_LEFT, EBUR128_RIGHT, EBUR128_CENTER, EBUR128_UNUSED, EBUR128_Mp180,
                EBUR128_LEFT_SURROUND, EBUR128_RIGHT_SURROUND,
            ]
        case 8:
            map = [
                EBUR128_LEFT, EBUR128_RIGHT, EBUR128_CENTER, EBUR128_UNUSED, EBUR128_Mp135,
                EBUR128_Mm135, EBUR128_LEFT_SURROUND, EBUR128_RIGHT_SURROUND,
            ]
        default: map = []
        }
        for (index, channel) in map.enumerated() {
            _ = ebur128_set_channel(state, UInt32(index), Int32(channel.rawValue))
        }
        step = max(1, Int((format.sampleRate / 10).rounded()))
        scratchFrames = step
        scratch = .allocate(capacity: step * format.channelCount)
    }

    deinit {
        var pointer: UnsafeMutablePointer<ebur128_state>? = state
        ebur128_destroy(&pointer)
        scratch.deallocate()
    }

    public func process(_ buffer: AudioBuffer) {
        let channels = format.channelCount
        var offset = 0
        while offset < buffer.frameCount {
            let n = min(step - stepFill, buffer.frameCount - offset)
            for c in 0..<channels {
                let src = buffer.baseAddress(ofChannel: c) + offset
                for i in 0..<n { scratch[i * channels + c] = src[i] }
            }
            _ = ebur128_add_frames_float(state, scratch, n)
            offset += n
            stepFill += n
            frames += Int64(n)
            if stepFill == step {
                stepFill = 0
                var m = 0.0, s = 0.0
                // Only complete windows count: 400 ms for momentary, 3 s for short-term (before that,
                // libebur128 averages in silence that was never there).
                if frames >= Int64(step) * 4, ebur128_loudness_momentary(state, &m) == 0, m.isFinite {
                    maxMomentary = max(maxMomentary, m)
                }
                if frames >= Int64(step) * 30, ebur128_loudness_shortterm(state, &s) == 0, s.isFinite {
                    maxShortTerm = max(maxShortTerm, s)
                    if s > Gating.absoluteGateLUFS { shortTermBlocksAboveGate += 1 }
                }
            }
        }
    }

    public func result() -> LoudnessMeasurement {
        var integrated = 0.0, range = 0.0
        let hasI = ebur128_loudness_global(state, &integrated) == 0 && integrated.isFinite
        let hasLRA = ebur128_loudness_range(state, &range) == 0 && range.isFinite
        var truePeak = 0.0, samplePeak = 0.0
        for c in 0..<format.channelCount {
            var tp = 0.0, sp = 0.0
            if ebur128_true_peak(state, UInt32(c), &tp) == 0 { truePeak = max(truePeak, tp) }
            if ebur128_sample_peak(state, UInt32(c), &sp) == 0 { samplePeak = max(samplePeak, sp) }
        }
        func decibels(_ x: Double) -> Double? { x > 0 ? 20 * log10(x) : nil }
        // A stream shorter than one 400 ms block has no gated loudness (BS.1770-4 §2.8).
        let enoughForBlock = frames >= Int64((format.sampleRate * 0.4).rounded())
        return LoudnessMeasurement(
            integratedLUFS: hasI && enoughForBlock ? integrated : nil,
            // libebur128 reports LRA 0 when it has nothing to measure; we say nil, with the same rule
            // as ``LoudnessRange``: fewer than two short-term blocks above the absolute gate.
            loudnessRangeLU: hasLRA && shortTermBlocksAboveGate >= 2 ? range : nil,
            truePeakDBTP: decibels(truePeak),
            samplePeakDBFS: decibels(samplePeak),
            maxMomentaryLUFS: maxMomentary.isFinite ? maxMomentary : nil,
            maxShortTermLUFS: maxShortTerm.isFinite ? maxShortTerm : nil,
            ungatedLUFS: nil,
            frameCount: frames, sampleRate: format.sampleRate, channelCount: format.channelCount)
    }
}
