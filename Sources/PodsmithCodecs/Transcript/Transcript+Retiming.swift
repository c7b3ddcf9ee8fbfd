import PodsmithCore

extension Transcript {
    /// The transcript moved through an edit of the audio, as chapters are: every cue lands on the
    /// output audio it was spoken over.
    ///
    /// - A cue partly removed (it starts in a trimmed head, ends in a shortened pause, or a cut runs
    ///   through it) is clipped to the audio that was kept of it: the edit maps a removed instant to
    ///   the cut, so its start and end move to the kept edges.
    /// - A cue wholly removed (nothing of its span kept, or less than a millisecond) is merged into the
    ///   previous cue, its text appended on a new line, so no word is lost; a removed cue before the
    ///   first kept one goes to the start of the next kept cue instead.
    /// - The mapping never decreases, so cues stay in order, and a kept cue ends after it starts. Times
    ///   are rounded to the millisecond (both formats' precision).
    ///
    /// Cost: two binary searches per cue in the edit's kept regions.
    public func retimed(through edit: EditPlan) -> Transcript {
        func ms(_ t: Double) -> Double { (t * 1000).rounded() / 1000 }
        var moved: [Cue] = []
        var orphanText: [String] = []
        for cue in cues {
            let start = ms(edit.outputTime(forInputTime: cue.start))
            let end = ms(edit.outputTime(forInputTime: cue.end))
            if end > start {
                var copy = cue
                copy.start = start
                copy.end = end
                if !orphanText.isEmpty {
                    copy.text = (orphanText + [cue.text]).filter { !$0.isEmpty }.joined(separator: "\n")
                    orphanText = []
                }
                moved.append(copy)
            } else if let last = moved.indices.last {
                if !cue.text.isEmpty {
                    moved[last].text = moved[last].text.isEmpty ? cue.text : moved[last].text + "\n" + cue.text
                }
            } else {
                orphanText.append(cue.text)
            }
        }
        // Every cue removed and nothing kept to hold them: there is no audio for them either.
        var result = self
        result.cues = moved
        return result
    }
}
