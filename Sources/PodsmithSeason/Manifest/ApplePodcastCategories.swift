/// Apple Podcasts' category list: the only names `<itunes:category>` may carry in a feed Apple lists.
///
/// Why a committed copy: Apple files a show only under a category (and subcategory) of its own list,
/// spelled exactly (names are case-sensitive, `&` included); a misspelt one such as `Tech` or
/// `Arts > Literature` (a pre-2019 name) is dropped or makes Apple Podcasts Connect refuse the feed.
/// Checking the manifest against the list catches it before publishing.
///
/// Source: Apple Podcasts for Creators, "Apple Podcasts categories" (podcasters.apple.com, support
/// article 1691), the list in force since Apple's 2019 revision: 19 categories, 110 names with the
/// subcategories. Transcribed on 2026-12-05.
public enum ApplePodcastCategories {
    /// Where the list comes from, for messages and documentation.
    public static let source = "Apple Podcasts for Creators, \"Apple Podcasts categories\" (2019 list)"

    /// Category → its subcategories (empty for a category without any).
    public static let list: [String: [String]] = [
        "Arts": ["Books", "Design", "Fashion & Beauty", "Food", "Performing Arts", "Visual Arts"],
        "Business": ["Careers", "Entrepreneurship", "Investing", "Management", "Marketing", "Non-Profit"],
        "Comedy": ["Comedy Interviews", "Improv", "Stand-Up"],
        "Education": ["Courses", "How To", "Language Learning", "Self-Improvement"],
        "Fiction": ["Comedy Fiction", "Drama", "Science Fiction"],
        "Government": [],
        "History": [],
        "Health & Fitness": ["Alternative Health", "Fitness", "Medicine", "Mental Health", "Nutrition", "Sexuality"],
        "Kids & Family": ["Education for Kids", "Parenting", "Pets & Animals", "Stories for Kids"],
        "Leisure": [
            "Animation & Manga", "Automotive", "Aviation", "Crafts", "Games", "Hobbies", "Home & Garden", "Video Games",
        ],
        "Music": ["Music Commentary", "Music History", "Music Interviews"],
        "News": [
            "Business News", "Daily News", "Entertainment News", "News Commentary", "Politics", "Sports News",
            "Tech News",
        ],
        "Religion & Spirituality": [
            "Buddhism", "Christianity", "Hinduism", "Islam", "Judaism", "Religion", "Spirituality",
        ],
        "Science": [
            "Astronomy", "Chemistry", "Earth Sciences", "Life Sciences", "Mathematics", "Natural Sciences", "Nature",
            "Physics", "Social Sciences",
        ],
        "Society & Culture": ["Documentary", "Personal Journals", "Philosophy", "Places & Travel", "Relationships"],
        "Sports": [
            "Baseball", "Basketball", "Cricket", "Fantasy Sports", "Football", "Golf", "Hockey", "Rugby", "Running",
            "Soccer", "Swimming", "Tennis", "Volleyball", "Wilderness", "Wrestling",
        ],
        "Technology": [],
        "True Crime": [],
        "TV & Film": ["After Shows", "Film History", "Film Interviews", "Film Reviews", "TV Reviews"],
    ]

    /// Why `category` (and `subcategory`) is not in Apple's list, with the name meant when only the
    /// spelling differs (`technology` → `Technology`, `Books` alone → `Arts > Books`); `nil` when it is.
    public static func problem(category: String, subcategory: String?) -> String? {
        guard let subcategories = list[category] else {
            if let match = list.keys.first(where: { $0.caseInsensitiveCompare(category) == .orderedSame }) {
                return "'\(category)' is spelt '\(match)' in Apple's list (names are case-sensitive)"
            }
            if let parent = list.first(where: { $0.value.contains(category) })?.key {
                return "'\(category)' is a subcategory: write '\(parent) > \(category)'"
            }
            return "'\(category)' is not an Apple Podcasts category (\(list.count) categories, see docs/season.md)"
        }
        guard let subcategory else { return nil }
        if subcategories.contains(subcategory) { return nil }
        if let match = subcategories.first(where: { $0.caseInsensitiveCompare(subcategory) == .orderedSame }) {
            return "'\(subcategory)' is spelt '\(match)' in Apple's list (names are case-sensitive)"
        }
        let known = subcategories.isEmpty ? "none" : subcategories.joined(separator: ", ")
        return "'\(subcategory)' is not a subcategory of \(category) in Apple's list (its subcategories: \(known))"
    }
}
