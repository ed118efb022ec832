/*
 * xmlconf.h - reading XML configuration files (OCR settings, form
 * templates) safely.  These files come from archivists, so they are
 * outside input: a DOCTYPE is refused before parsing, and libxml2 never
 * fetches from the network, loads a DTD or expands entities.  No SQLite
 * here: the OCR library and the extraction library load their settings
 * without the database.
 */
#ifndef DANGAN_XMLCONF_H
#define DANGAN_XMLCONF_H

#include <stddef.h>

#include "common.h"

/* libxml2's document type; callers walk it with libxml2's tree API. */
typedef struct _xmlDoc xmlconf_doc;

/*
 * Parse the XML file held in data (read from path) as a `what` ("template",
 * "OCR settings") and validate it against the RELAX NG grammar rng.
 * On success *out is the document (caller frees with xmlconf_free); on
 * failure err reads "invalid WHAT 'PATH':LINE: what is wrong".
 */
int xmlconf_load(const char *path, const unsigned char *data, size_t len, const char *what,
                 const char *rng, size_t rng_len, xmlconf_doc **out, dg_err *err);
void xmlconf_free(xmlconf_doc **doc);

#endif
