/// The version `podsmith --version` prints and encoders write into tags.
public enum PodsmithVersion {
    public static let string = "0.1.0"
}
