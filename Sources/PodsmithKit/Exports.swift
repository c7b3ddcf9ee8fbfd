// PodsmithKit is the whole toolkit for one episode: the core (meter, limiter, I/O, resampler), the
// codecs (MP3, FLAC, Opus, WAV, tags) and the normalizer and linter built on them. A host that needs
// only a meter or a limiter depends on PodsmithCore instead and links none of the encoders.
@_exported import PodsmithCodecs
@_exported import PodsmithCore
