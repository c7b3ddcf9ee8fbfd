import PodsmithCore

/// A stretch of speech between two pauses, in 100 ms steps of the input.
public struct Phrase: Sendable, Equatable {
    /// Its steps, from the first speech step to one past the last.
    public var steps: Range<Int>
    /// The loudness of its steps (their mean energy, the short dips between words included), LUFS.
    public var loudnessLUFS: Double
    /// How many steps it spans (speech, and the short dips between words inside it): its weight.
    public var speechSteps: Int
}

/// Cuts the classified steps into phrases at pauses, and finds the music.
///
/// Why a pause of ``minimumGapSteps`` (200 ms) ends a phrase: the dips between words and before
/// plosives are one step (100 ms) long, and a gain may only change where nobody is speaking, so a
/// phrase must never end inside a word. Phrases are measured from their first to their last speech step, so the
/// gaps between phrases do not pull their loudness down.
public struct PhraseSegmenter: Sendable {
    /// Pause steps in a row that end a phrase.
    public var minimumGapSteps = 2

    public init() {}

    /// The phrases and the music runs, in time order.
    public func segment<Energies: RandomAccessCollection<Double>>(
        _ activity: [StepActivity], energies: Energies
    ) -> (
        phrases: [Phrase], music: [Range<Int>]
    ) where Energies.Index == Int {
        var phrases: [Phrase] = []
        var music: [Range<Int>] = []
        var i = 0
        let n = activity.count
        while i < n {
            switch activity[i] {
            case .pause:
                i += 1
            case .music:
                var end = i + 1
                while end < n, activity[end] == .music { end += 1 }
                music.append(i..<end)
                i = end
            case .speech:
                var end = i + 1, lastSpeech = i
                var energy = energies[i], count = 1
                while end < n, activity[end] != .music {
                    if activity[end] == .speech {
                        // The dips inside the phrase count: a listener hears them as part of it, and
                        // BS.1770's 400 ms blocks straddle them.
                        for j in (lastSpeech + 1)...end { energy += energies[j] }
                        count += end - lastSpeech
                        lastSpeech = end
                    } else if end - lastSpeech >= minimumGapSteps {
                        break
                    }
                    end += 1
                }
                phrases.append(
                    Phrase(
                        steps: i..<(lastSpeech + 1),
                        loudnessLUFS: Gating.loudness(ofEnergy: energy / Double(count)), speechSteps: count))
                i = lastSpeech + 1
            }
        }
        return (phrases, music)
    }
}
