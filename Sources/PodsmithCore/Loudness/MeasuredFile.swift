/// One measured file as `measure --json` prints it, and as `normalize --json` prints its `input` and
/// `output`: the file, then the measurement's figures in units named by their keys.
///
/// Why a separate value: the measurement does not know which file it came from, and the JSON object
/// puts `file` first. Undefined figures (BS.1770-4 defines no integrated loudness for silence) and
/// non-finite ones are `null`, never dropped, so every object has the same keys.
public struct MeasuredFile: Sendable, Equatable, Codable {
    /// The file as the user named it.
    public var file: String
    /// What the meter found.
    public var measurement: LoudnessMeasurement

    public init(file: String, measurement: LoudnessMeasurement) {
        self.file = file
        self.measurement = measurement
    }

    enum CodingKeys: String, CodingKey {
        case file
    }

    public init(from decoder: any Decoder) throws {
        file = try decoder.container(keyedBy: CodingKeys.self).decode(String.self, forKey: .file)
        measurement = try LoudnessMeasurement(from: decoder)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(file, forKey: .file)
        try measurement.encode(to: encoder)
    }
}
