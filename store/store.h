/*
 * store.h - the scan store: a directory of files named by the SHA-256 of
 * their bytes (DIR/ab/cd/<sha256>.<ext>), and the durable file writes it
 * and the backup are made of.
 *
 * An object is written once, atomically (a temporary file in the same
 * directory, fsync, rename, fsync of the directory), so a crash leaves
 * either no object or a whole one, never a torn one.  Reading checks the
 * bytes against the name.  A store opened read-only is never written to
 * (a store filled elsewhere and mounted read-only, or one under audit).
 * Files are created 0600 and directories 0700: scans are personal data.
 * No SQLite here: the workspace's use of the store is archive/'s.
 */
#ifndef DANGAN_STORE_H
#define DANGAN_STORE_H

#include <stddef.h>
#include <stdint.h>

#include "common.h"

typedef struct sto_store sto_store;

enum {
    STO_CREATE = 1,   /* create the directory (and parents) if missing */
    STO_READONLY = 2, /* never write */
};

/* Scans over this size are refused (as at ingest: no page is 1 GiB). */
#define STO_MAX_OBJECT ((size_t)1 << 30)

/* Open the store at dir (made absolute).  *out is the caller's: sto_free. */
int sto_open(const char *dir, int flags, sto_store **out, dg_err *err);
void sto_free(sto_store **s);
/* The store's absolute directory (owned by s). */
const char *sto_dir(const sto_store *s);
int sto_readonly(const sto_store *s);

/* "ab/cd/<sha>.<ext>" into buf: sha must be 64 lowercase hex digits, ext 1-8
 * letters or digits (DG_EUSAGE otherwise, or when buf is too small). */
int sto_object_name(const char *sha, const char *ext, char *buf, size_t n, dg_err *err);
/* The same under the store's directory. */
int sto_object_path(const sto_store *s, const char *sha, const char *ext, char *buf, size_t n,
                    dg_err *err);

/*
 * Put data (whose SHA-256 the caller computed as sha) in the store.  An
 * intact object already there is kept (*added 0); a missing or damaged one
 * is written (*added 1).  The bytes are hashed again here: a caller's
 * mistake must not file bytes under another name.  DG_EUSAGE on a
 * read-only store.
 */
int sto_put(sto_store *s, const char *sha, const char *ext, const void *data, size_t len,
            int *added, dg_err *err);

/* Read an object, checking its bytes: DG_ENOTFOUND when it is not there,
 * DG_EINPUT naming both hashes when it changed.  *data is the caller's. */
int sto_get(const sto_store *s, const char *sha, const char *ext, unsigned char **data,
            size_t *len, dg_err *err);

/*
 * Check the file at path against sha without holding it in memory: DG_OK
 * when it hashes to sha, DG_ENOTFOUND when missing, DG_ECONFLICT when its
 * bytes changed (found gets their SHA-256), DG_EINPUT when unreadable.
 * *size (may be NULL) gets its length when read.
 */
int sto_check_file(const char *path, const char *sha, char found[65], int64_t *size,
                   dg_err *err);

/* ---- durable files (also used by the backup) --------------------------------- */

/* mkdir -p with mode 0700 for what it creates. */
int sto_mkdirs(const char *dir, dg_err *err);

/* Write data to path atomically (temporary file beside it, fsync, rename,
 * fsync of the directory), mode 0600. */
int sto_write_atomic(const char *path, const void *data, size_t len, dg_err *err);

/* Copy src to dst the same way, streamed; sha (may be NULL) gets the
 * SHA-256 of the bytes written. */
int sto_copy_atomic(const char *src, const char *dst, char sha[65], dg_err *err);

/* fsync a directory (after a rename into it). */
int sto_sync_dir(const char *dir, dg_err *err);

#endif
