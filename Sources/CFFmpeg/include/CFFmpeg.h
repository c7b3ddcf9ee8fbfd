#pragma once
/* FFmpeg's libavformat, libavcodec and libavutil, loaded when Podsmith first reads or writes an M4A file
   (dlopen), not linked: linking them maps about 120 libraries (codecs, TLS, SVG, ...) into every podsmith
   process, about 21 MiB of resident memory and their start-up relocations, for a format most runs never
   touch. The headers give the types and the major versions; the table below gives the functions, filled
   from the loaded library by name and checked against the versions compiled against. */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <libavcodec/avcodec.h>
#include <libavcodec/version.h>
#include <libavformat/avformat.h>
#include <libavformat/version.h>
#include <libavutil/channel_layout.h>
#include <libavutil/dict.h>
#include <libavutil/mem.h>
#include <libavutil/opt.h>
#include <libavutil/version.h>

/* Every FFmpeg function Podsmith calls (the Swift wrappers and the helpers below). */
#define PODSMITH_FFMPEG_FUNCTIONS(X)                                                                          \
    X(avutil_version) X(avcodec_version) X(avformat_version) X(av_version_info) X(av_log_set_level)          \
    X(av_strerror) X(av_malloc) X(av_mallocz) X(av_free) X(av_freep) X(av_dynarray_add_nofree)             \
    X(av_dict_set) X(av_dict_get) X(av_dict_free) X(av_channel_layout_default) X(av_channel_layout_copy)   \
    X(av_rescale_q) X(av_sample_fmt_is_planar) X(av_get_packed_sample_fmt) X(av_frame_alloc)               \
    X(av_frame_free) X(av_frame_get_buffer) X(av_frame_make_writable) X(av_packet_alloc) X(av_packet_free) \
    X(av_packet_unref) X(av_new_packet) X(av_packet_rescale_ts) X(avcodec_find_encoder_by_name)            \
    X(avcodec_alloc_context3) X(avcodec_free_context) X(avcodec_open2) X(avcodec_get_name)                 \
    X(avcodec_parameters_from_context) X(avcodec_parameters_to_context) X(avcodec_send_frame)              \
    X(avcodec_receive_packet) X(avcodec_send_packet) X(avcodec_receive_frame) X(avio_alloc_context)        \
    X(avio_flush) X(avio_context_free) X(avformat_alloc_output_context2) X(avformat_free_context)          \
    X(avformat_new_stream) X(avformat_write_header) X(av_write_frame) X(av_write_trailer)                  \
    X(avformat_open_input) X(avformat_find_stream_info) X(av_find_best_stream) X(av_read_frame)            \
    X(avformat_close_input)

/* The functions, each a pointer of the exact type the headers declare. */
typedef struct podsmith_ffmpeg {
#define PODSMITH_FFMPEG_FIELD(name) __typeof__(name) *name;
    PODSMITH_FFMPEG_FUNCTIONS(PODSMITH_FFMPEG_FIELD)
#undef PODSMITH_FFMPEG_FIELD
} podsmith_ffmpeg;

/* Loads the libraries once per process (thread-safe) and returns the table, or NULL with `*error` set to
   why (the loader's message, a missing function, or a major version other than the headers'). The name
   is libavformat.so.MAJOR, or $PODSMITH_FFMPEG_LIBRARY when set (a build of the same major version). */
const podsmith_ffmpeg *podsmith_ffmpeg_load(const char **error);

/* The table podsmith_ffmpeg_load filled; only valid after it succeeded. */
const podsmith_ffmpeg *podsmith_ffmpeg_functions(void);

/* AVERROR(EAGAIN) and AVERROR_EOF are function-like or tag macros, which Swift does not import. */
static inline int podsmith_averror_eagain(void) { return AVERROR(EAGAIN); }
static inline int podsmith_averror_eof(void) { return AVERROR_EOF; }

/* An AVIOContext on a descriptor Podsmith opened itself, with its own position (pread/pwrite), so that
   the MP4 muxer's writer and its faststart reader can share one descriptor without disturbing each
   other, and nothing in libavformat opens the file by name. */
typedef struct {
    int fd;
    int64_t position;
} podsmith_fd_io;

static inline int podsmith_fd_read(void *opaque, uint8_t *buf, int size) {
    podsmith_fd_io *io = (podsmith_fd_io *)opaque;
    ssize_t n = pread(io->fd, buf, (size_t)size, (off_t)io->position);
    if (n < 0) return AVERROR(errno);
    if (n == 0) return AVERROR_EOF;
    io->position += n;
    return (int)n;
}

static inline int podsmith_fd_write(void *opaque, uint8_t *buf, int size) {
    podsmith_fd_io *io = (podsmith_fd_io *)opaque;
    int done = 0;
    while (done < size) {
        ssize_t n = pwrite(io->fd, buf + done, (size_t)(size - done), (off_t)(io->position + done));
        if (n < 0) {
            if (errno == EINTR) continue;
            return AVERROR(errno);
        }
        done += (int)n;
    }
    io->position += done;
    return done;
}

static inline int64_t podsmith_fd_seek(void *opaque, int64_t offset, int whence) {
    podsmith_fd_io *io = (podsmith_fd_io *)opaque;
    struct stat st;
    switch (whence & ~AVSEEK_FORCE) {
    case AVSEEK_SIZE:
        if (fstat(io->fd, &st) != 0) return AVERROR(errno);
        return (int64_t)st.st_size;
    case SEEK_SET: io->position = offset; break;
    case SEEK_CUR: io->position += offset; break;
    case SEEK_END:
        if (fstat(io->fd, &st) != 0) return AVERROR(errno);
        io->position = (int64_t)st.st_size + offset;
        break;
    default: return AVERROR(EINVAL);
    }
    return io->position;
}

/* A seekable AVIOContext on `fd` (reading, or writing when `writable`); NULL when out of memory.
   Free it with podsmith_fd_io_free, which leaves the descriptor open. */
static inline AVIOContext *podsmith_fd_io_open(int fd, int writable) {
    podsmith_fd_io *io = (podsmith_fd_io *)calloc(1, sizeof(podsmith_fd_io));
    unsigned char *buffer = (unsigned char *)podsmith_ffmpeg_functions()->av_malloc(65536);
    if (!io || !buffer) {
        free(io);
        podsmith_ffmpeg_functions()->av_free(buffer);
        return NULL;
    }
    io->fd = fd;
    AVIOContext *ctx = podsmith_ffmpeg_functions()->avio_alloc_context(
        buffer, 65536, writable, io, podsmith_fd_read, writable ? podsmith_fd_write : NULL, podsmith_fd_seek);
    if (!ctx) {
        free(io);
        podsmith_ffmpeg_functions()->av_free(buffer);
    }
    return ctx;
}

static inline void podsmith_fd_io_free(AVIOContext **ctx) {
    if (!ctx || !*ctx) return;
    podsmith_ffmpeg_functions()->avio_flush(*ctx);
    free((*ctx)->opaque);
    podsmith_ffmpeg_functions()->av_freep(&(*ctx)->buffer);
    podsmith_ffmpeg_functions()->avio_context_free(ctx);
}

/* What the muxer calls for its faststart pass instead of opening the output again by name: a reader
   on the descriptor the muxer writes to (kept in AVFormatContext.opaque). */
static inline int podsmith_fd_io_reopen(struct AVFormatContext *s, AVIOContext **pb, const char *url, int flags,
                                        AVDictionary **options) {
    (void)url;
    (void)options;
    if (flags & AVIO_FLAG_WRITE) return AVERROR(EPERM);
    *pb = podsmith_fd_io_open((int)(intptr_t)s->opaque, 0);
    return *pb ? 0 : AVERROR(ENOMEM);
}

static inline int podsmith_fd_io_close(struct AVFormatContext *s, AVIOContext *pb) {
    (void)s;
    podsmith_fd_io_free(&pb);
    return 0;
}

/* Makes `s` write to `fd` (custom I/O) and read it back through the same descriptor. */
static inline int podsmith_format_use_fd(AVFormatContext *s, int fd) {
    s->pb = podsmith_fd_io_open(fd, 1);
    if (!s->pb) return AVERROR(ENOMEM);
    s->opaque = (void *)(intptr_t)fd;
    s->flags |= AVFMT_FLAG_CUSTOM_IO;
    s->io_open = podsmith_fd_io_reopen;
    s->io_close2 = podsmith_fd_io_close;
    return 0;
}

/* Adds a chapter (libavformat has no public call for a muxer's chapters; avformat_free_context frees
   what this allocates). */
static inline int podsmith_format_add_chapter(AVFormatContext *s, int64_t id, AVRational timeBase, int64_t start,
                                              int64_t end, const char *title) {
    AVChapter *chapter = (AVChapter *)podsmith_ffmpeg_functions()->av_mallocz(sizeof(AVChapter));
    if (!chapter) return AVERROR(ENOMEM);
    chapter->id = id;
    chapter->time_base = timeBase;
    chapter->start = start;
    chapter->end = end;
    if (title && podsmith_ffmpeg_functions()->av_dict_set(&chapter->metadata, "title", title, 0) < 0) {
        podsmith_ffmpeg_functions()->av_free(chapter);
        return AVERROR(ENOMEM);
    }
    int ret = podsmith_ffmpeg_functions()->av_dynarray_add_nofree(&s->chapters, (int *)&s->nb_chapters, chapter);
    if (ret < 0) {
        podsmith_ffmpeg_functions()->av_dict_free(&chapter->metadata);
        podsmith_ffmpeg_functions()->av_free(chapter);
    }
    return ret;
}

/* The channel layout FFmpeg uses by default for `channels` channels. */
static inline void podsmith_default_layout(AVChannelLayout *layout, int channels) {
    podsmith_ffmpeg_functions()->av_channel_layout_default(layout, channels);
}
