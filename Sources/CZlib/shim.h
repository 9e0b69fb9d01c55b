// zlib for Warrant's gzip reader (Evidence/GzipDecoder.swift). zlib's init functions are
// macros that Swift cannot call, so they are wrapped here.
#ifndef WARRANT_CZLIB_SHIM_H
#define WARRANT_CZLIB_SHIM_H
#include <zlib.h>

/// inflateInit2 for gzip input only (15 window bits + 16: a gzip header and trailer are required).
static inline int warrant_inflate_init_gzip(z_stream *stream) {
    return inflateInit2(stream, 15 + 16);
}

/// deflateInit2 writing gzip (for tests and the benchmark's generator).
static inline int warrant_deflate_init_gzip(z_stream *stream, int level) {
    return deflateInit2(stream, level, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY);
}
#endif
