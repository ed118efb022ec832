/*
 * person_readings.c - the other pinyin keys of a person's name (migration
 * 015: person_reading), written wherever the person's keys are written
 * (load, load's rekey, amend) so lookup finds 张长江 as "zhang zhangjiang"
 * as well as "zhang changjiang".
 */
#include "archive_internal.h"
#include "normalize.h"

#include <sqlite3.h>

int arc_person_readings(sqlite3 *db, int64_t person, const norm_keys *k, int fresh, dg_err *err)
{
    if (fresh && !k->nalt)
        return DG_OK; /* most names: one reading, nothing to write */
    sqlite3_stmt *del = NULL, *ins = NULL;
    int rc = db_prepare(db, "DELETE FROM person_reading WHERE person_id = ?1", &del, err);
    rc = rc ? rc
            : db_prepare(db, "INSERT INTO person_reading (person_id, pinyin) VALUES (?1, ?2)",
                         &ins, err);
    if (!rc) {
        sqlite3_bind_int64(del, 1, person);
        rc = arc_step_done(db, del, "cannot replace the readings of a name", err);
        del = NULL;
    }
    for (size_t i = 0; !rc && i < k->nalt; i++) {
        sqlite3_reset(ins);
        sqlite3_bind_int64(ins, 1, person);
        sqlite3_bind_text(ins, 2, k->alt[i], -1, SQLITE_STATIC);
        if (sqlite3_step(ins) != SQLITE_DONE)
            rc = db_fail(db, err, "cannot store a reading of a name");
    }
    sqlite3_finalize(del);
    sqlite3_finalize(ins);
    return rc;
}
