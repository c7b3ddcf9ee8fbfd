import Foundation
import PodsmithKit

/// A three-voice conversation for the speech leveler, built from the real voices in `SampleAudio/`
/// and an espeak-ng voice, with the levels a remote interview has:
///
/// - speaker 0, Allison Smith (`allison_demo-instruct.wav`, cut at its
///   pauses), the loudest, around −20 LUFS;
/// - speaker 1, the ALSA "Front center" voice (`alsa_front-center.wav`), 4 LU under her;
/// - speaker 2, espeak-ng `en+m3`, 9 LU under her, drifting 4 dB over the conversation;
/// - every phrase ±1.5 dB around its speaker's level; turns of 1–3 phrases in a fixed speaker order,
///   gaps of 0.25–0.6 s inside a turn and 0.5–1.2 s between turns, two long pauses of 3–5 s;
/// - optionally an 8 s music intro ("Vibe Ace", `vibe-ace_kevin-macleod.ogg`) 2 LU over the loudest voice;
/// - pink noise at −66 dBFS RMS under everything.
///
/// Mono, 16 kHz (the 8 kHz speech needs no more, and a short file keeps debug-build tests quick).
/// Deterministic for one espeak-ng version. Read only from the repository (`#filePath`).
package enum Conversation {
    package static let sampleRate = 16_000.0

    /// One turn: who speaks, and where (frames of the programme).
    package struct Turn: Sendable {
        package var speaker: Int
        package var frames: Range<Int>
    }

    /// The programme and where its parts are.
    package struct Built: Sendable {
        package var samples: [Float]
        package var turns: [Turn]
        /// The middle of each long pause (its edges, 0.5 s each side, left out: word decays, ramps).
        package var longPauses: [Range<Int>]
        /// The music intro, if any.
        package var intro: Range<Int>?
    }

    /// The speakers' levels before drift and jitter, LUFS.
    package static let speakerLUFS = [-20.0, -24.0, -29.0]
    /// The order of the turns.
    static let order = [0, 1, 2, 0, 2, 1, 0, 2, 1, 2]
    /// Turns after which a long pause follows.
    static let longPauseAfter: Set<Int> = [3, 6]

    static let sampleAudio = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("SampleAudio")

    /// The conversation, made once per test process per variant.
    package static func shared(musicIntro: Bool) throws -> Built {
        try (musicIntro ? withIntro : withoutIntro).get()
    }

    private static let withIntro = Result { try make(musicIntro: true) }
    private static let withoutIntro = Result { try make(musicIntro: false) }

    /// Writes `built` as a mono 16-bit WAV.
    package static func write(_ built: Built, to path: String) throws {
        let writer = try SoundFileWriter(
            path: path, format: AudioFormat(sampleRate: sampleRate, channelCount: 1),
            options: .init(container: .wav, encoding: .pcm16))
        let buffer = AudioBuffer(channelCount: 1, capacity: built.samples.count)
        buffer.fill(from: [built.samples])
        try writer.write(buffer)
        try writer.finish()
    }

    static func make(musicIntro: Bool) throws -> Built {
        let voices: [[[Float]]] = [
            try phrases(of: decoded("allison_demo-instruct.wav")),
            [try decoded("alsa_front-center.wav")],
            try espeakLines.map { try speak($0) },
        ]
        guard voices.allSatisfy({ !$0.isEmpty }) else {
            throw PodsmithError.internalError("a voice of the conversation has no phrase")
        }
        var random = SplitMix64(seed: 14)
        func uniform(_ range: ClosedRange<Double>) -> Double {
            range.lowerBound + random.nextUnit() * (range.upperBound - range.lowerBound)
        }
        var out: [Float] = []
        func silence(_ seconds: Double) { out += [Float](repeating: 0, count: frames(seconds)) }
        silence(1)
        var intro: Range<Int>?
        if musicIntro {
            var music = try decoded("vibe-ace_kevin-macleod.ogg", seconds: 8)
            for i in 0..<frames(1) { music[music.count - 1 - i] *= Float(i) / Float(frames(1)) }
            let start = out.count
            out += scaled(music, toLUFS: speakerLUFS[0] + 2)
            intro = start..<out.count
            silence(1)
        }
        var turns: [Turn] = []
        var longPauses: [Range<Int>] = []
        var used = [0, 0, 0]
        for (index, speaker) in order.enumerated() {
            let start = out.count
            let count = 1 + Int(random.next() % 3)
            for phrase in 0..<count {
                let source = voices[speaker][used[speaker] % voices[speaker].count]
                used[speaker] += 1
                let drift = speaker == 2 ? -2 + 4 * Double(index) / Double(order.count - 1) : 0
                out += scaled(source, toLUFS: speakerLUFS[speaker] + drift + uniform(-1.5...1.5))
                if phrase < count - 1 { silence(uniform(0.25...0.6)) }
            }
            turns.append(Turn(speaker: speaker, frames: start..<out.count))
            if longPauseAfter.contains(index) {
                let pause = uniform(3...5)
                longPauses.append((out.count + frames(0.5))..<(out.count + frames(pause - 0.5)))
                silence(pause)
            } else {
                silence(uniform(0.5...1.2))
            }
        }
        silence(1)
        let room = FrenchEpisode.pinkNoise(count: out.count, seed: 66, rmsDBFS: -66)
        for i in out.indices { out[i] += room[i] }
        return Built(samples: out, turns: turns, longPauses: longPauses, intro: intro)
    }

    static let espeakLines = [
        "Thanks for having me on the show.",
        "I have been working on this for about three years now.",
        "It started as a weekend project, really.",
        "Then a few friends asked for a copy.",
        "And suddenly we had a small company.",
        "The hardest part was the hiring.",
        "We still do most of the support ourselves.",
        "That is a good question, let me think.",
    ]

    static func frames(_ seconds: Double) -> Int { Int((seconds * sampleRate).rounded()) }

    /// `samples` scaled so that their integrated loudness (our meter, mono) is `lufs`.
    static func scaled(_ samples: [Float], toLUFS lufs: Double) -> [Float] {
        let measured =
            Measure.podsmith([samples], sampleRate: sampleRate).integratedLUFS
            ?? Measure.podsmith([samples], sampleRate: sampleRate).ungatedLUFS ?? lufs
        let gain = Float(pow(10, (lufs - measured) / 20))
        return samples.map { $0 * gain }
    }

    /// The stretches of `samples` between pauses (50 ms windows under −45 dBFS for 200 ms), 0.8–7 s long.
    static func phrases(of samples: [Float]) -> [[Float]] {
        let window = frames(0.05)
        var result: [[Float]] = []
        var start: Int?
        var quietRun = 0
        var w = 0
        while (w + 1) * window <= samples.count {
            let quiet = TestSignals.rmsDecibels(samples[(w * window)..<((w + 1) * window)]) < -45
            if !quiet {
                if start == nil { start = w }
                quietRun = 0
            } else if let first = start {
                quietRun += 1
                if quietRun >= 4 {
                    let range = (first * window)..<((w - quietRun + 1) * window)
                    if (frames(0.8)...frames(7)).contains(range.count) { result.append(Array(samples[range])) }
                    start = nil
                    quietRun = 0
                }
            }
            w += 1
        }
        return result
    }

    /// A file of `SampleAudio/`, mixed to mono and resampled to ``sampleRate``.
    static func decoded(_ name: String, seconds: Double = .infinity) throws -> [Float] {
        try decoded(path: sampleAudio.appendingPathComponent(name).path, seconds: seconds)
    }

    /// Any file `AudioFileOpener` reads, mixed to mono and resampled to ``sampleRate``.
    package static func decoded(path: String, seconds: Double = .infinity) throws -> [Float] {
        let reader = try AudioFileOpener.open(path: path)
        let channels = reader.format.channelCount
        let buffer = AudioBuffer(channelCount: channels, capacity: 16_384)
        let mono = AudioBuffer(channelCount: 1, capacity: 16_384)
        let resampler =
            reader.format.sampleRate == sampleRate
            ? nil : try Resampler(inputRate: reader.format.sampleRate, outputRate: sampleRate, channelCount: 1)
        var out: [Float] = []
        let take: (AudioBuffer) -> Void = { block in
            out += UnsafeBufferPointer(start: block.baseAddress(ofChannel: 0), count: block.frameCount)
        }
        let limit = seconds.isFinite ? Int(seconds * reader.format.sampleRate) : Int.max
        var read = 0
        while read < limit, try reader.read(into: buffer) > 0 {
            buffer.frameCount = min(buffer.frameCount, limit - read)
            read += buffer.frameCount
            for i in 0..<buffer.frameCount {
                var sum: Float = 0
                for c in 0..<channels { sum += buffer.baseAddress(ofChannel: c)[i] }
                mono.baseAddress(ofChannel: 0)[i] = sum / Float(channels)
            }
            mono.frameCount = buffer.frameCount
            if let resampler { try resampler.process(mono, emit: take) } else { take(mono) }
        }
        try resampler?.finish(emit: take)
        return seconds.isFinite ? Array(out.prefix(frames(seconds))) : out
    }

    /// One line by espeak-ng (`en+m3`), at ``sampleRate``.
    static func speak(_ text: String) throws -> [Float] {
        let wav = TemporaryFolder.uniquePath(".wav")
        defer { try? FileManager.default.removeItem(atPath: wav) }
        let result = try ExternalTools.run("espeak-ng", ["-v", "en+m3", "-w", wav, text])
        guard result.status == 0 else {
            throw PodsmithError.internalError("espeak-ng failed (is it installed?): \(result.stderr)")
        }
        return try decoded(path: wav)
    }
}
