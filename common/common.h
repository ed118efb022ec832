/*
 * common.h - the small vocabulary every dangan module shares: an error
 * struct that carries one complete message, a growable byte buffer with a
 * size cap (for strings built from OCR output or user input), and JSON
 * string escaping.  No third-party types appear here.
 */
#ifndef DANGAN_COMMON_H
#define DANGAN_COMMON_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

/* Status codes returned by fallible functions (0 = ok). */
enum {
    DG_OK = 0,
    DG_ERR = -1,         /* generic failure, message in dg_err */
    DG_ENOMEM = -2,      /* allocation failed */
    DG_EINPUT = -3,      /* the input (file, text, XML) is bad */
    DG_EDB = -4,         /* database error */
    DG_ENOTFOUND = -5,   /* the named thing does not exist */
    DG_ECONFLICT = -6,   /* someone else changed it first */
    DG_EUSAGE = -7,      /* caller passed bad arguments */
};

#define DG_ERR_MSG_MAX 1024

/*
 * An error report.  The callee fills it on failure and leaves it untouched
 * on success; callers pass it on without adding noise.  Any function
 * taking a dg_err * accepts NULL.
 */
typedef struct dg_err {
    int code;
    char msg[DG_ERR_MSG_MAX];
} dg_err;

/* Fill err (if non-NULL) with code and a printf-style message; returns code. */
int dg_err_set(dg_err *err, int code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
void dg_err_clear(dg_err *err);

/*
 * A growable buffer, always NUL-terminated.  Appends beyond `cap` bytes
 * fail with DG_ENOMEM and leave the buffer as it was (curl's dynbuf idea):
 * a runaway OCR string cannot eat the machine.
 */
typedef struct dg_buf {
    char *data;
    size_t len;
    size_t alloc;
    size_t cap;
} dg_buf;

#define DG_BUF_DEFAULT_CAP ((size_t)64 << 20)

void dg_buf_init(dg_buf *b, size_t cap); /* cap 0 means DG_BUF_DEFAULT_CAP */
void dg_buf_release(dg_buf *b);
void dg_buf_reset(dg_buf *b);
int dg_buf_add(dg_buf *b, const void *data, size_t len);
int dg_buf_adds(dg_buf *b, const char *s);
int dg_buf_addc(dg_buf *b, char c);
int dg_buf_addf(dg_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
int dg_buf_vaddf(dg_buf *b, const char *fmt, va_list ap);
/* Hand the string to the caller (caller frees); the buffer is reset. */
char *dg_buf_detach(dg_buf *b);
/* Remove trailing whitespace. */
void dg_buf_rtrim(dg_buf *b);

/* UTF-8, by ICU's U8_NEXT / U8_APPEND (header-only macros): the next code
 * point of s (len bytes) at *i, advancing *i past it, U+FFFD for an
 * ill-formed sequence; c written to out (room for 4 bytes), returning the
 * bytes written; c appended to b. */
uint32_t dg_utf8_next(const char *s, size_t len, size_t *i);
size_t dg_utf8_put(char *out, uint32_t c);
int dg_utf8_add(dg_buf *b, uint32_t c);
/* 1 when c is a Han ideograph (ICU's Script property: the CJK blocks and
 * their extensions, compatibility ideographs, 〇). */
int dg_is_han(uint32_t c);
/* 1 when the UTF-8 string s holds a Han ideograph (NULL: 0). */
int dg_has_han(const char *s);

/*
 * Edit distance between sequences of na and nb items: inserting or deleting
 * an item costs 1, substituting item j of the second for item i of the
 * first costs sub(user, i, j) (0 when they are the same).  rows holds
 * 2 * (nb + 1) doubles of scratch space.
 */
typedef double (*dg_sub_cost)(const void *user, size_t i, size_t j);
double dg_edit_distance(size_t na, size_t nb, dg_sub_cost sub, const void *user, double *rows);
/* Plain Levenshtein distance over code points (every substitution costs 1);
 * max(na, nb) when memory runs out. */
size_t dg_levenshtein(const uint32_t *a, size_t na, const uint32_t *b, size_t nb);

/* Append s as a quoted JSON string; NULL becomes null.  Every ill-formed
 * UTF-8 sequence (a file name from a GBK share) becomes U+FFFD, so the
 * JSON is valid whatever the bytes. */
int dg_buf_json_str(dg_buf *b, const char *s);
/* Append s (JSON SQLite built, text) with each ill-formed UTF-8 sequence
 * replaced by U+FFFD and the rest byte for byte; NULL appends nothing. */
int dg_buf_add_utf8(dg_buf *b, const char *s);

/*
 * Read a whole regular file into memory: *data (caller frees) and *len.
 * Files over max_bytes are refused (a config or scan has a sane size).
 */
int dg_read_file(const char *path, size_t max_bytes, unsigned char **data, size_t *len,
                 dg_err *err);

/*
 * key = value configuration files (configs/review.conf, load.conf,
 * normalize/matcher.conf): one setting a line, '#' starts a comment line,
 * blank lines are skipped, spaces and tabs around key and value (and a CR
 * at the end) are dropped.  fn is called for each setting with its file
 * and line; it returns 0 or an error code after filling err (dg_kv_fail
 * names the file and line).  A line without '=' is DG_EINPUT.
 */
typedef struct dg_kv {
    const char *path; /* as given, for messages */
    int line;         /* 1-based */
    const char *key;
    const char *value;
} dg_kv;

typedef int (*dg_kv_fn)(void *user, const dg_kv *kv, dg_err *err);

int dg_kv_parse(const char *text, size_t len, const char *path, dg_kv_fn fn, void *user,
                dg_err *err);
/*
 * The settings file at path (at most DG_KV_MAX_BYTES) read and parsed as
 * above: the one way a <name>.conf is loaded.  sha (may be NULL) gets the
 * file's SHA-256 before the first setting is applied (a run records which
 * settings shaped it).  A file that cannot be read: when optional, returns
 * DG_ENOTFOUND with err untouched (the caller's defaults apply); otherwise
 * dg_read_file's error naming the file.  Errors in a line name file and line.
 */
enum { DG_KV_MAX_BYTES = 1 << 20 };
int dg_kv_load(const char *path, int optional, char sha[65], dg_kv_fn fn, void *user,
               dg_err *err);
/* Set err to "<msg> in 'path' line N" with code DG_EINPUT; returns DG_EINPUT. */
int dg_kv_fail(const dg_kv *kv, dg_err *err, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Lowercase hex SHA-256 of a buffer (OpenSSL). */
void dg_sha256_hex(const void *data, size_t len, char out[65]);
/* The same of a file, read in pieces (a database may not fit in memory);
 * *size (may be NULL) gets its length.  DG_ENOTFOUND when it does not exist. */
int dg_sha256_file(const char *path, char out[65], int64_t *size, dg_err *err);

/* strdup that returns NULL on NULL. Caller frees. */
char *dg_strdup(const char *s);
/* 1 when a and b are both NULL or the same string (a NULL column is not ""). */
int dg_str_same(const char *a, const char *b);
/* The OS user name of this process (the password database, not $USER: the
 * environment is the caller's to change, the uid is not) into out; never
 * fails ("uid:N" fallback). */
void dg_os_user(char *out, size_t size);
/* Current UTC time as ISO 8601 "YYYY-MM-DDTHH:MM:SSZ" into out[32]. */
void dg_now_iso(char out[32]);

#endif
