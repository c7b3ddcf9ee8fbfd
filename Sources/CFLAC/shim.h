#pragma once
#include <FLAC/metadata.h>
#include <FLAC/stream_encoder.h>

/* FLAC__VERSION_STRING is a mutable global, which Swift 6 will not read without isolation. */
static inline const char *podsmith_flac_version(void) { return FLAC__VERSION_STRING; }
static inline const char *podsmith_flac_init_status_string(FLAC__StreamEncoderInitStatus status) {
    return FLAC__StreamEncoderInitStatusString[status];
}
