/// The version `podsmith --version` prints and encoders write into tags.
///
/// A season's processor fingerprint includes it, so raising it makes a rerun redo every episode: raise it
/// whenever the same input and settings give different output bytes. 0.2.0: the segmented two-core MP3
/// encode became the default, and the gain correction and the limiter's ceiling landing changed.
public enum PodsmithVersion {
    public static let string = "0.2.0"
}
