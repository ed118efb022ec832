/*
 * fuzz_cfgdir.h - for the fuzz targets of loaders that read a folder of
 * files (catalogs, normalize tables, .conf files): a private copy of a
 * configs sub-folder, one of whose files an input replaces, the original
 * put back after each run so every input meets the same folder.
 */
#ifndef DANGAN_FUZZ_CFGDIR_H
#define DANGAN_FUZZ_CFGDIR_H

#include <stddef.h>
#include <stdint.h>

typedef struct fz_dir {
    char dir[512];     /* the copy */
    char *name[32];    /* its files, sorted */
    unsigned char *orig[32];
    size_t len[32];
    size_t n;
} fz_dir;

/* Copy the files of src ending in suffix ("" for all) into a fresh
 * /tmp/fuzz_<tag>_<pid>/<sub> (sub may be ""); 0 on success. */
int fz_dir_init(fz_dir *d, const char *tag, const char *src, const char *sub,
                const char *suffix);
/* The path of d's file i after writing data over it. */
const char *fz_dir_put(fz_dir *d, size_t i, const uint8_t *data, size_t n);
/* File i as it was copied. */
void fz_dir_restore(fz_dir *d, size_t i);
/* The folder above d->dir (the copy's root: a configs folder when sub is a
 * configs sub-folder). */
const char *fz_dir_root(const fz_dir *d);

/* Remove path (a folder and all below it) when the process exits. */
void fz_remove_at_exit(const char *path);

/* Write data to a per-process file named /tmp/fuzz_<tag>_<pid><ext>; its
 * path, or NULL. */
const char *fz_tmp_file(const char *tag, const char *ext, const uint8_t *data, size_t n);

#endif
