/*
 * commands.c - the table of subcommands.  Each lives in its own cmd_*.c.
 */
#include <string.h>

#include "cli.h"

extern const cli_command cmd_ingest, cmd_ocr, cmd_status, cmd_export;
extern const cli_command cmd_extract, cmd_reread, cmd_eval;
extern const cli_command cmd_run, cmd_lookup, cmd_log;
extern const cli_command cmd_normalize, cmd_match, cmd_catalog;
extern const cli_command cmd_review, cmd_load, cmd_provenance, cmd_qa, cmd_amend;
extern const cli_command cmd_key, cmd_certify, cmd_verify;
extern const cli_command cmd_store, cmd_fixity, cmd_backup, cmd_restore, cmd_audit;
extern const cli_command cmd_serve, cmd_user, cmd_report;
extern const cli_command cmd_shard, cmd_merge;

const cli_command *const cli_commands[] = {
    &cmd_run,
    &cmd_ingest,
    &cmd_ocr,
    &cmd_status,
    &cmd_export,
    &cmd_extract,
    &cmd_reread,
    &cmd_eval,
    &cmd_normalize,
    &cmd_match,
    &cmd_catalog,
    &cmd_review,
    &cmd_qa,
    &cmd_load,
    &cmd_provenance,
    &cmd_amend,
    &cmd_lookup,
    &cmd_certify,
    &cmd_verify,
    &cmd_key,
    &cmd_log,
    &cmd_store,
    &cmd_fixity,
    &cmd_backup,
    &cmd_restore,
    &cmd_audit,
    &cmd_serve,
    &cmd_report,
    &cmd_user,
    &cmd_shard,
    &cmd_merge,
    NULL,
};

const cli_command *cli_find(const char *name)
{
    for (const cli_command *const *c = cli_commands; *c; c++)
        if (strcmp((*c)->name, name) == 0)
            return *c;
    return NULL;
}
