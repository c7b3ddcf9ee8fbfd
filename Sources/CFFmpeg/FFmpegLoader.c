#include "CFFmpeg.h"

#include <dlfcn.h>
#include <pthread.h>
#include <stdio.h>

#define PODSMITH_STRINGIFY_(x) #x
#define PODSMITH_STRINGIFY(x) PODSMITH_STRINGIFY_(x)

static podsmith_ffmpeg loaded_table;
static const char *load_error;
static char load_error_text[640];
static pthread_once_t load_once = PTHREAD_ONCE_INIT;

static void fail(const char *format, const char *a, const char *b) {
    snprintf(load_error_text, sizeof load_error_text, format, a, b);
    load_error = load_error_text;
}

static void load(void) {
    const char *name = getenv("PODSMITH_FFMPEG_LIBRARY");
    if (name == NULL || *name == '\0') name = "libavformat.so." PODSMITH_STRINGIFY(LIBAVFORMAT_VERSION_MAJOR);
    /* Never closed: the table points into it for the rest of the process. RTLD_LOCAL keeps FFmpeg's
       symbols out of the global namespace; dlsym on the handle searches libavformat and the libraries it
       depends on (libavcodec, libavutil). */
    void *handle = dlopen(name, RTLD_NOW | RTLD_LOCAL);
    if (handle == NULL) {
        const char *reason = dlerror();
        fail("%s%s", reason ? reason : name, reason ? "" : ": cannot be opened");
        return;
    }
    podsmith_ffmpeg table;
#define PODSMITH_FFMPEG_LOAD(function)                                      \
    table.function = (__typeof__(function) *)dlsym(handle, #function);     \
    if (table.function == NULL) {                                          \
        fail("%s has no function %s", name, #function);                    \
        return;                                                            \
    }
    PODSMITH_FFMPEG_FUNCTIONS(PODSMITH_FFMPEG_LOAD)
#undef PODSMITH_FFMPEG_LOAD
    /* The struct layouts Podsmith reads and writes (AVCodecContext, AVFrame, AVPacket, ...) are those of
       the headers' major versions; another major version has other layouts. */
    unsigned format = table.avformat_version() >> 16, codec = table.avcodec_version() >> 16,
             util = table.avutil_version() >> 16;
    if (format != LIBAVFORMAT_VERSION_MAJOR || codec != LIBAVCODEC_VERSION_MAJOR || util != LIBAVUTIL_VERSION_MAJOR) {
        char found[96];
        snprintf(found, sizeof found, "libavformat %u, libavcodec %u, libavutil %u", format, codec, util);
        fail("%s is %s; Podsmith was built against libavformat " PODSMITH_STRINGIFY(
                 LIBAVFORMAT_VERSION_MAJOR) ", libavcodec " PODSMITH_STRINGIFY(LIBAVCODEC_VERSION_MAJOR) ", libavutil "
                 PODSMITH_STRINGIFY(LIBAVUTIL_VERSION_MAJOR),
             name, found);
        return;
    }
    loaded_table = table;
}

const podsmith_ffmpeg *podsmith_ffmpeg_load(const char **error) {
    pthread_once(&load_once, load);
    if (load_error != NULL) {
        if (error != NULL) *error = load_error;
        return NULL;
    }
    return &loaded_table;
}

const podsmith_ffmpeg *podsmith_ffmpeg_functions(void) { return &loaded_table; }
