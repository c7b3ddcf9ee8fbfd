import Foundation
import PodsmithKit

/// The French news episode of the new-user walk-through, rebuilt from its description: material that
/// makes the limiter work hard, which the repository's demo season (little limiting) never does.
///
/// - 2 s of room tone: pink noise at −62 dBFS RMS, on both channels, under everything;
/// - a 4 s plucked jingle (Karplus–Strong, synthesised here) 5 LU above the host: a hot, bright
///   opening with sharp attacks, the crest factor that makes a lossy codec overshoot;
/// - espeak-ng speech: a host (`fr`, peaks at −3 dBFS) and a guest (`fr+f3`, 8 LU under the host),
///   alternating, separated by 0.6 s gaps and, in the full episode, five pauses of 4.2–6 s;
/// - 3 s of room tone at the end.
///
/// The speech is synthetic but has what matters here: a high crest factor (TTS vowels and plosives),
/// real spectra for the codecs, and two speakers far apart in level, so that the normalizer's gain
/// drives the host's peaks several dB into the limiter. 44.1 kHz stereo, 16-bit WAV, deterministic
/// for one espeak-ng version (1.51 in CI, from Debian 12).
package enum FrenchEpisode {
    /// How much of the episode to build.
    package enum Length: Sendable {
        /// About 3 minutes: the jingle and all 17 segments with their five long pauses.
        case full
        /// About 40 s: the jingle and the first four segments (host, guest, host, guest), one long
        /// pause. The limiter and the codecs behave on it as on the whole episode.
        case excerpt
    }

    package static let sampleRate = 44_100.0

    /// Writes the episode to `path` (a 16-bit WAV). Needs `espeak-ng` on `PATH`.
    package static func write(_ length: Length, to path: String) throws {
        let planes = try planes(length)
        let writer = try SoundFileWriter(
            path: path, format: AudioFormat(sampleRate: sampleRate, channelCount: 2),
            options: .init(container: .wav, encoding: .pcm16))
        let buffer = AudioBuffer(channelCount: 2, capacity: planes[0].count)
        buffer.fill(from: planes)
        try writer.write(buffer)
        try writer.finish()
    }

    /// A file of the episode made once per test process and shared (read-only) by the tests.
    package static func shared(_ length: Length) throws -> String {
        switch length {
        case .full: return try sharedFull.get()
        case .excerpt: return try sharedExcerpt.get()
        }
    }

    private static let sharedFull = Result { try makeShared(.full) }
    private static let sharedExcerpt = Result { try makeShared(.excerpt) }

    private static func makeShared(_ length: Length) throws -> String {
        let path = TemporaryFolder.uniquePath(length == .full ? "-french-episode.wav" : "-french-excerpt.wav")
        try write(length, to: path)
        return path
    }

    /// The lines, host first, then alternating. Each takes 6–10 s at espeak-ng's default rate.
    static let lines: [String] = [
        "Bonjour à tous et bienvenue dans Octet Matin, votre point quotidien sur la tech. Au programme ce matin : "
            + "le règlement européen sur l'intelligence artificielle, la fibre dans les campagnes et le noyau Linux.",
        "Merci Claire. Le règlement européen entre dans sa deuxième phase : les modèles à usage général doivent "
            + "désormais publier un résumé de leurs données d'entraînement.",
        "Concrètement, qu'est-ce que cela change pour une jeune pousse française qui entraîne son propre modèle ?",
        "Pas grand-chose au début. Les obligations les plus lourdes visent les modèles à risque systémique, "
            + "au-delà d'un certain seuil de calcul.",
        "Passons à la fibre. L'Arcep publie ses chiffres trimestriels, et la couverture des zones rurales "
            + "progresse plus vite que prévu.",
        "Oui, mais les raccordements restent le point noir : trop de malfaçons, et des armoires de rue "
            + "laissées grandes ouvertes.",
        "Le gouvernement promet un contrôle plus strict des sous-traitants d'ici la fin de l'année prochaine.",
        "On verra. Les opérateurs demandent surtout de la stabilité dans les règles, et un calendrier clair.",
        "Dernier sujet : le noyau Linux sort en version six point treize, avec un nouvel ordonnanceur "
            + "et une meilleure gestion de l'énergie.",
        "Les portables devraient y gagner une heure d'autonomie, selon les premiers tests publiés hier soir.",
        "Et côté sécurité, une faille dans un pilote réseau a été corrigée en moins de quarante-huit heures.",
        "C'est la force du logiciel libre : des milliers de relecteurs, et des correctifs publiés au grand jour.",
        "Un mot enfin sur les cartes graphiques, dont les prix baissent enfin après deux années difficiles.",
        "Les joueurs respirent, mais les centres de données continuent d'acheter tout ce qui sort des usines.",
        "Merci pour ces éclairages. Vous retrouverez tous les liens dans les notes de l'épisode.",
        "Avec plaisir, et bonne journée à tous.",
        "C'était Octet Matin. Rendez-vous demain à sept heures pour un nouvel épisode. À demain !",
    ]

    /// After which segments (by index) a long pause follows, and how long it is, in the full episode.
    static let longPauses: [Int: Double] = [1: 4.2, 4: 5.0, 7: 6.0, 10: 4.6, 13: 5.4]

    static func planes(_ length: Length) throws -> [[Float]] {
        let count = length == .full ? lines.count : 4
        var speech: [[Float]] = []
        for index in 0..<count {
            speech.append(try speak(lines[index], voice: index.isMultiple(of: 2) ? "fr" : "fr+f3"))
        }
        // The host's peaks at −3 dBFS; the guest 8 LU under the host's loudness.
        let hostPeak = speech.enumerated().filter { $0.offset.isMultiple(of: 2) }.map { peak($0.element) }.max() ?? 1
        let hostGain = Float(TestSignals.amplitude(dBFS: -3) / hostPeak)
        let host = speech.enumerated().filter { $0.offset.isMultiple(of: 2) }.flatMap { $0.element }
        let guest = speech.enumerated().filter { !$0.offset.isMultiple(of: 2) }.flatMap { $0.element }
        let hostLUFS = loudness(host) + 20 * log10(Double(hostGain))
        let guestGain = Float(pow(10, (hostLUFS - 8 - loudness(guest)) / 20))
        for index in speech.indices {
            let gain = index.isMultiple(of: 2) ? hostGain : guestGain
            speech[index] = speech[index].map { $0 * gain }
        }
        var jingle = pluckJingle(seconds: 4)
        let jingleGain = Float(pow(10, (hostLUFS + 5 - loudness(jingle)) / 20))
        jingle = jingle.map { $0 * jingleGain }

        var programme = [Float](repeating: 0, count: frames(2))
        programme += jingle
        for (index, segment) in speech.enumerated() {
            programme += [Float](repeating: 0, count: frames(0.6))
            programme += segment
            if length == .full, let pause = longPauses[index] {
                programme += [Float](repeating: 0, count: frames(pause - 0.6))
            } else if length == .excerpt, index == 1 {
                programme += [Float](repeating: 0, count: frames(4.4))
            }
        }
        programme += [Float](repeating: 0, count: frames(3))
        return (0..<2).map { channel in
            var tone = pinkNoise(count: programme.count, seed: 62 + UInt64(channel), rmsDBFS: -62)
            for i in tone.indices { tone[i] += programme[i] }
            return tone
        }
    }

    static func frames(_ seconds: Double) -> Int { Int((seconds * sampleRate).rounded()) }

    /// One line by espeak-ng in `voice`, resampled from its 22.05 kHz to 44.1 kHz.
    static func speak(_ text: String, voice: String) throws -> [Float] {
        let wav = TemporaryFolder.uniquePath(".wav")
        defer { try? FileManager.default.removeItem(atPath: wav) }
        let result = try ExternalTools.run("espeak-ng", ["-v", voice, "-w", wav, text])
        guard result.status == 0 else {
            throw PodsmithError.internalError("espeak-ng failed (is it installed?): \(result.stderr)")
        }
        let reader = try SoundFileReader(path: wav)
        let buffer = AudioBuffer(channelCount: reader.format.channelCount, capacity: 16_384)
        let resampler = try Resampler(inputRate: reader.format.sampleRate, outputRate: sampleRate, channelCount: 1)
        var out: [Float] = []
        let take: (AudioBuffer) -> Void = { block in
            out += UnsafeBufferPointer(start: block.baseAddress(ofChannel: 0), count: block.frameCount)
        }
        while try reader.read(into: buffer) > 0 { try resampler.process(buffer, emit: take) }
        try resampler.finish(emit: take)
        return out
    }

    /// A rising four-note arpeggio of plucked strings (Karplus–Strong: a noise burst in a delay line
    /// with an averaging low-pass), each note ringing on under the next.
    static func pluckJingle(seconds: Double) -> [Float] {
        var out = [Float](repeating: 0, count: frames(seconds))
        var noise = TestSignals.Noise(seed: 1234)
        let notes: [(start: Double, hertz: Double)] = [(0, 261.63), (0.5, 329.63), (1.0, 392.0), (1.5, 523.25)]
        for note in notes {
            let period = Int((sampleRate / note.hertz).rounded())
            var line = (0..<period).map { _ in noise.next() }
            var index = 0
            for n in frames(note.start)..<out.count {
                let next = line[(index + 1) % period]
                let sample = line[index]
                out[n] += sample
                line[index] = 0.996 * 0.5 * (sample + next)
                index = (index + 1) % period
            }
        }
        return out
    }

    /// Pink noise (Paul Kellet's economy filter over white noise) at `rmsDBFS`.
    static func pinkNoise(count: Int, seed: UInt64, rmsDBFS: Double) -> [Float] {
        var white = TestSignals.Noise(seed: seed)
        var b0: Float = 0, b1: Float = 0, b2: Float = 0
        var out = [Float](repeating: 0, count: count)
        for i in 0..<count {
            let w = white.next()
            b0 = 0.99765 * b0 + w * 0.0990460
            b1 = 0.96300 * b1 + w * 0.2965164
            b2 = 0.57000 * b2 + w * 1.0526913
            out[i] = b0 + b1 + b2 + w * 0.1848
        }
        let scale = Float(pow(10, (rmsDBFS - TestSignals.rmsDecibels(out)) / 20))
        return out.map { $0 * scale }
    }

    static func peak(_ samples: [Float]) -> Double { Double(samples.map(abs).max() ?? 0) }

    /// Integrated loudness of a mono signal played on both channels (as the episode is written).
    static func loudness(_ samples: [Float]) -> Double {
        Measure.podsmith([samples, samples], sampleRate: sampleRate).integratedLUFS ?? -70
    }
}
