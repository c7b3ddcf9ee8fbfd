import Foundation
import PodsmithKit

/// Builds the season-wide files — `report.json`, `index.html`, `feed.xml` — from the per-episode
/// results already in the output folder, without touching audio.
///
/// Why from the folder and not from memory: the same code then serves a normal run (after the
/// episodes are done) and `season --merge` after sharded runs on many machines, which share nothing
/// but the folder. Each episode's `STEM.report.json` is written by whichever run processed it; the
/// enclosure sizes come from the files themselves. An episode whose report is missing is listed as
/// missing; one whose last run failed, as failed.
public enum SeasonPublisher {
    /// What publishing found.
    public struct Outcome: Sendable, Equatable {
        /// Episodes with no result in the folder (never processed, or a shard still running).
        public var missing: [String]
        /// Episodes whose last run failed, with the reason.
        public var failed: [(stem: String, reason: String)]
        /// Episodes in the feed.
        public var published: Int
        /// What the feed lacks that directories want (no language, no owner e-mail), one line each.
        public var warnings: [String] = []

        public static func == (a: Outcome, b: Outcome) -> Bool {
            a.missing == b.missing && a.published == b.published
                && a.failed.map(\.stem) == b.failed.map(\.stem) && a.failed.map(\.reason) == b.failed.map(\.reason)
        }
        /// True when every episode of the season is published.
        public var isComplete: Bool { missing.isEmpty && failed.isEmpty }
    }

    /// The season-wide files written into the output folder by ``publish(plan:outputDirectory:generatedAt:upToDate:now:)``
    /// (besides the show's artwork copy); what no input may be.
    public static let seasonFileNames = ["report.json", "index.html", "feed.xml"]
    /// The names the show's artwork is copied under (the one of its kind is written).
    public static let artworkFileNames = ["artwork.png", "artwork.jpg"]

    /// The per-episode result file the season runner writes (`STEM.report.json`).
    struct EpisodeRecord: Decodable {
        var input: String
        var title: String
        var stem: String
        var outputs: [WrittenFile]
        var durationSeconds: Double
        var report: EpisodeReportEntry?
        var error: String?
    }

    /// Writes `report.json`, `index.html` and `feed.xml` into `outputDirectory` for `plan`'s episodes
    /// (the whole season, whatever shard produced them).
    /// - Parameters:
    ///   - generatedAt: stamped into `report.json`; `nil` leaves it out (reproducible files).
    ///   - upToDate: the stems the run just made found up to date (its totals and the page's header
    ///     count them as such; the folder alone cannot tell).
    ///   - now: the publication date of an undated episode published for the first time
    ///     (``PublicationLedger``).
    /// - Throws: ``ManifestValidationError`` before writing anything when one of these files would
    ///   replace an input of the season (``SeasonPlan/seasonFileProblems(outputDirectory:)``).
    public static func publish(
        plan: SeasonPlan, outputDirectory: String, generatedAt: Date? = Date(), upToDate: Set<String> = [],
        now: Date = Date()
    ) throws -> Outcome {
        let problems = plan.seasonFileProblems(outputDirectory: outputDirectory)
        if !problems.isEmpty { throw ManifestValidationError(problems) }
        var entries: [EpisodeReportEntry] = []
        var items: [PodcastEpisode] = []
        var plots: [String: String] = [:]
        var missing: [String] = []
        var failed: [(String, String)] = []
        let feedURL = feedURL(plan: plan)
        let podcastGUID = plan.show.podcastGUID ?? feedURL.map(PodcastGUID.forFeedURL)
        let published = PublishedFeed(
            path: (try? OutputNaming.path(in: outputDirectory, fileName: "feed.xml")) ?? "")
        var ledger = PublicationLedger(outputDirectory: outputDirectory)
        var warnings: [String] = []
        for job in plan.jobs {
            let reportPath = try OutputNaming.path(
                in: outputDirectory, fileName: OutputNaming.reportFileName(stem: job.outputStem))
            guard let data = FileManager.default.contents(atPath: reportPath),
                let record = try? JSONDecoder().decode(EpisodeRecord.self, from: data)
            else {
                missing.append(job.outputStem)
                continue
            }
            if let error = record.error {
                failed.append((job.outputStem, error))
                entries.append(
                    EpisodeReportEntry(
                        failed: job.outputStem, title: job.metadata.title, inputFile: job.identity, error: error))
                continue
            }
            guard var entry = record.report else {
                missing.append(job.outputStem)
                continue
            }
            // Sizes as they are on disk now: what a podcast app will download. The report is read back from
            // the folder, so its file names are checked like any output's (`../../etc/shadow` is no output).
            entry.outputs = entry.outputs.map { output in
                var copy = output
                let path = try? OutputNaming.path(in: outputDirectory, fileName: output.file)
                copy.sizeBytes = path.flatMap { FileStamp.statFile($0)?.bytes } ?? -1
                return copy
            }
            if entry.outputs.contains(where: { $0.sizeBytes < 0 }) {
                missing.append(job.outputStem)
                continue
            }
            entries.append(entry)
            let svgPath = (outputDirectory as NSString)
                .appendingPathComponent(job.outputStem + OutputNaming.loudnessPlotSuffix)
            // Read back from the folder: a regular file of a plot's size, or no plot (never a device's endless bytes).
            if let bytes = try? RegularFileReader.contents(of: svgPath, limit: InlineSVG.maximumBytes) {
                plots[job.outputStem] = String(decoding: bytes, as: UTF8.self)
            }
            if let enclosure = FeedEnclosure(firstOf: entry.outputs) {
                let chapters = job.outputStem + OutputNaming.chaptersSuffix
                let hasChapters = FileManager.default.fileExists(
                    atPath: (outputDirectory as NSString).appendingPathComponent(chapters))
                var notes = job.metadata.description ?? ""
                if hasChapters, plan.show.chaptersInNotes != false,
                    let data = FileManager.default.contents(
                        atPath: (outputDirectory as NSString).appendingPathComponent(chapters)),
                    let list = try? ChapterList.parse(data, name: chapters)
                {
                    notes = ChapterNotes.appending(list, to: notes)
                }
                var item = PodcastEpisode(
                    title: job.metadata.title,
                    guid: guid(job: job, published: published, podcastGUID: podcastGUID, plan: plan),
                    pubDate: job.metadata.date
                        ?? ledger.date(for: job.identity, earlierFeed: published.dates[job.outputStem], now: now),
                    description: notes,
                    enclosure: enclosure, durationSeconds: record.durationSeconds,
                    episodeNumber: job.metadata.number, seasonNumber: job.metadata.season,
                    chaptersFileName: hasChapters ? chapters : nil)
                item.transcriptFileNames = [OutputNaming.transcriptVTTSuffix, OutputNaming.transcriptSRTSuffix]
                    .map { job.outputStem + $0 }
                    .filter {
                        job.metadata.transcriptPath != nil
                            && FileManager.default.fileExists(
                                atPath: (outputDirectory as NSString).appendingPathComponent($0))
                    }
                item.artworkURL = try episodeArtwork(
                    job, plan: plan, outputDirectory: outputDirectory, warnings: &warnings)
                item.soundbites = soundbites(
                    job, cuts: entry.cuts, durationSeconds: record.durationSeconds, warnings: &warnings)
                item.alternates = alternates(
                    entry.outputs, specs: job.outputs, durationSeconds: record.durationSeconds,
                    in: outputDirectory)
                items.append(item)
            }
        }

        try ledger.save()
        let target = plan.jobs.first?.target ?? LoudnessPreset.podcast.target
        let report = SeasonReport(
            title: plan.show.title, target: target, episodes: entries, generatedAt: generatedAt, upToDate: upToDate)
        try write(try report.jsonData(), name: "report.json", in: outputDirectory)
        try write(
            Data(SeasonIndexPage.html(report: report, plots: plots, language: plan.show.language).utf8),
            name: "index.html", in: outputDirectory)

        let artworkURL = try copyShowArtwork(plan: plan, outputDirectory: outputDirectory)
        if let source = plan.showArtworkPath { warnings += artworkProblems(source, role: "show.artwork") }
        let show = plan.show
        var feedShow = PodcastShow(
            title: show.title, author: show.author ?? "", ownerName: show.author ?? show.title,
            ownerEmail: show.ownerEmail ?? "", description: show.description ?? show.title,
            language: show.language ?? "", categories: show.categories.map(category), explicit: show.explicit,
            artworkURL: artworkURL, link: show.link, baseURL: show.baseURL, copyright: show.copyright)
        feedShow.feedURL = feedURL
        feedShow.podcastGUID = podcastGUID
        feedShow.locked = show.locked
        if show.language == nil {
            warnings.append("feed.xml has no <language>: set show.language (e.g. en, fr-FR); directories file by it")
        }
        if show.ownerEmail == nil {
            warnings.append("feed.xml has no <itunes:owner>: set show.owner_email; Apple writes to it about the feed")
        }
        // Newest first, the order podcast apps expect for an episodic show.
        let ordered = items.enumerated().sorted { a, b in
            a.element.pubDate != b.element.pubDate ? a.element.pubDate > b.element.pubDate : a.offset > b.offset
        }.map(\.element)
        let feed = PodcastFeedBuilder.render(show: feedShow, episodes: ordered, lastBuildDate: ordered.first?.pubDate)
        try write(Data(feed.utf8), name: "feed.xml", in: outputDirectory)
        var outcome = Outcome(missing: missing, failed: failed, published: items.count)
        outcome.warnings = warnings
        return outcome
    }

    /// The feed's own URL: `show.feed_url`, else `base_url` + `feed.xml`; `nil` without either.
    static func feedURL(plan: SeasonPlan) -> String? {
        if let url = plan.show.feedURL { return url }
        return plan.show.baseURL.map { PodcastFeedBuilder.url(forFile: "feed.xml", baseURL: $0) }
    }

    /// An item's guid, which must never change once published: the manifest's `guid`, else the guid
    /// this episode already has in the folder's `feed.xml` (so moving `base_url` or upgrading Podsmith
    /// changes no published guid), else the podcast's guid and the input's manifest-relative path
    /// (independent of any URL), else — with no URL to derive a podcast guid from — `podsmith:` and
    /// the stem.
    static func guid(job: EpisodeJob, published: PublishedFeed, podcastGUID: String?, plan: SeasonPlan) -> String {
        if let guid = job.metadata.guid { return guid }
        if let guid = published.guids[job.outputStem] { return guid }
        if let podcastGUID { return podcastGUID + "/" + job.identity }
        return "podsmith:" + job.outputStem
    }

    /// Every output as a `podcast:alternateEnclosure`, the first (the enclosure) the default; bitrates
    /// from the spec when it names one, else the file's average; SHA-256 of the bytes on disk.
    static func alternates(
        _ outputs: [ReportOutputFile], specs: [OutputSpec], durationSeconds: Double, in folder: String
    ) -> [FeedAlternate] {
        outputs.enumerated().map { index, output in
            let format = OutputFormat(rawValue: output.format)
            let spec = specs.first { $0.format == format }
            // A duration read back from a damaged report (1e-300 s) must not trap Int().
            let quotient = Double(output.sizeBytes) * 8 / durationSeconds
            let average = durationSeconds > 0 && quotient < 1e12 ? Int(quotient.rounded()) : nil
            let bits = spec?.bitrateKbps.map { $0 * 1000 } ?? average
            return FeedAlternate(
                fileName: output.file, mimeType: format?.mimeType ?? "application/octet-stream",
                byteSize: output.sizeBytes, bitsPerSecond: bits,
                sha256: SecureDigest.sha256(ofFile: (folder as NSString).appendingPathComponent(output.file)),
                isDefault: index == 0)
        }
    }

    /// An episode's own artwork (not the show's), copied beside its audio as `STEM.artwork.png|jpg` and
    /// named by the item's `<itunes:image>`; `nil` for an episode that shows the show's.
    static func episodeArtwork(
        _ job: EpisodeJob, plan: SeasonPlan, outputDirectory: String, warnings: inout [String]
    ) throws -> String? {
        guard let source = job.metadata.artworkPath, source != plan.showArtworkPath else { return nil }
        warnings += artworkProblems(source, role: "\(job.outputStem) artwork")
        let name = try copyArtwork(from: source, baseName: job.outputStem + ".artwork", in: outputDirectory)
        return PodcastFeedBuilder.url(forFile: name, baseURL: plan.show.baseURL)
    }

    /// Apple's artwork rules (square, 1400–3000 px, JPEG or PNG, RGB) broken by the picture at `path`,
    /// one warning each: Apple refuses such a feed, other directories scale it badly.
    static func artworkProblems(_ path: String, role: String) -> [String] {
        guard let facts = try? FileInspector.inspect(path: path) else { return [] }
        return Linter.check(facts: facts, loudness: nil, platform: .apple)
            .filter { $0.ruleID.hasPrefix("artwork.") && $0.severity == .error }
            .map { "feed.xml: \(role) \((path as NSString).lastPathComponent): \($0.message) [\($0.ruleID)]" }
    }

    /// The episode's soundbites in the published file's time (re-timed through its cuts); one warning
    /// for those that were cut out, or that cannot be placed because the episode was processed by a
    /// version that did not record its cuts.
    static func soundbites(
        _ job: EpisodeJob, cuts: [TimeSpan]?, durationSeconds: Double, warnings: inout [String]
    ) -> [Soundbite] {
        guard !job.metadata.soundbites.isEmpty else { return [] }
        guard let cuts else {
            warnings.append(
                "\(job.outputStem): soundbites left out: the episode was processed before cuts were recorded; rerun with --force"
            )
            return []
        }
        let placed = job.metadata.soundbites.compactMap { $0.retimed(removing: cuts, outputDuration: durationSeconds) }
        if placed.count < job.metadata.soundbites.count {
            warnings.append(
                "\(job.outputStem): \(job.metadata.soundbites.count - placed.count) soundbite(s) fall in removed audio and were left out"
            )
        }
        return placed
    }

    /// `Arts > Books` → category Arts, subcategory Books.
    static func category(_ text: String) -> PodcastCategory {
        let parts = text.components(separatedBy: ">").map { $0.trimmingCharacters(in: .whitespaces) }
        return PodcastCategory(parts[0], subcategory: parts.count > 1 ? parts[1] : nil)
    }

    /// Copies the show's artwork into the folder (`artwork.jpg` / `artwork.png`) and returns its URL.
    static func copyShowArtwork(plan: SeasonPlan, outputDirectory: String) throws -> String? {
        guard let source = plan.showArtworkPath else { return nil }
        let name = try copyArtwork(from: source, baseName: "artwork", in: outputDirectory)
        return PodcastFeedBuilder.url(forFile: name, baseURL: plan.show.baseURL)
    }

    /// Copies the picture at `source` to `baseName.png|jpg` in the folder (unless an identical copy is
    /// there already) and returns the file name.
    static func copyArtwork(from source: String, baseName: String, in outputDirectory: String) throws -> String {
        let artwork = try Artwork(contentsOf: source)
        let name = baseName + "." + (artwork.kind == .png ? "png" : "jpg")
        let destination = (outputDirectory as NSString).appendingPathComponent(name)
        if FileManager.default.contents(atPath: destination) != Data(artwork.data) {
            try write(Data(artwork.data), name: name, in: outputDirectory)
        }
        return name
    }

    static func write(_ data: Data, name: String, in folder: String) throws {
        let path = try OutputNaming.path(in: folder, fileName: name)
        // Season-wide files are written by one merge (or unsharded run) at a time, on one machine:
        // a temporary of theirs whose writer is gone from this machine is a leftover.
        AtomicOutputFile.removeStale(beside: path)
        try AtomicOutputFile.write(data, to: path)
    }
}
