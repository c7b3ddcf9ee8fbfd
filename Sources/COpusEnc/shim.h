#pragma once
#include <opusenc.h>

/* ope_encoder_ctl is variadic, which Swift cannot call: one fixed-signature wrapper per request
   Podsmith uses. */
static inline int podsmith_ope_set_bitrate(OggOpusEnc *enc, opus_int32 bitsPerSecond) {
    return ope_encoder_ctl(enc, OPUS_SET_BITRATE(bitsPerSecond));
}

static inline int podsmith_ope_set_serialno(OggOpusEnc *enc, opus_int32 serial) {
    return ope_encoder_ctl(enc, OPE_SET_SERIALNO(serial));
}

static inline int podsmith_ope_set_comment_padding(OggOpusEnc *enc, opus_int32 bytes) {
    return ope_encoder_ctl(enc, OPE_SET_COMMENT_PADDING(bytes));
}
