/*
 * review_fixture.c - a small workspace as extraction and normalization leave it,
 * for the review / load / provenance tests: three scans (a card, a ledger
 * page, an unknown form) generated with Leptonica so crops can be checked,
 * OCR words for the card's name, and three records:
 *
 *   record 1  card    张三 (raw 張三) 1962-03, no. 8501, sex in review
 *             (low confidence), major 计算机软件 with match in review
 *             (candidates 0812 and 0835)
 *   record 2  ledger  张三 1962-03, no student number, major matched 0812,
 *             certificate no. 123
 *   record 3  ledger  李四 1963-01, no. 8502, grad_date invalid
 *   page 3    unknown form
 */
#include "review_fixture.h"

#include <leptonica/allheaders.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "archive.h"

/* A white page with a dark block where the card's name is "written". */
static int make_png(const char *path, int w, int h, int shade)
{
    PIX *pix = pixCreate(w, h, 8);
    if (!pix)
        return -1;
    pixSetAllArbitrary(pix, 255);
    BOX *box = boxCreate(100, 50, 80, 30);
    pixSetInRectArbitrary(pix, box, (l_uint32)shade);
    boxDestroy(&box);
    int rc = pixWrite(path, pix, IFF_PNG);
    pixDestroy(&pix);
    return rc;
}

static int add_file(sqlite3 *db, int id, const char *path)
{
    unsigned char *data;
    size_t len;
    char sha[65], rel[32];
    if (arc_read_file(path, &data, &len, NULL))
        return -1;
    dg_sha256_hex(data, len, sha);
    free(data);
    snprintf(rel, sizeof rel, "scans/scan%d.png", id);
    sqlite3_stmt *st;
    if (db_prepare(db, "INSERT INTO file (id, sha256, size, format, path, abspath, page_count, "
                       "batch_id, added) VALUES (?1, ?2, ?3, 'png', ?4, ?5, 1, 1, 'now')", &st,
                   NULL))
        return -1;
    sqlite3_bind_int(st, 1, id);
    sqlite3_bind_text(st, 2, sha, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int64(st, 3, (sqlite3_int64)len);
    sqlite3_bind_text(st, 4, rel, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 5, path, -1, SQLITE_TRANSIENT);
    int rc = sqlite3_step(st);
    sqlite3_finalize(st);
    return rc == SQLITE_DONE ? 0 : -1;
}

static const char fixture_sql[] =
    "INSERT INTO run (id, stage, version, params, started, status) VALUES "
    " (1, 'ocr', 't', '{\"lang\":\"chi_sim+eng\",\"psm\":6}', 'now', 'done'),"
    " (2, 'extract', 't', '{}', 'now', 'done'), (3, 'normalize', 't', '{}', 'now', 'done');"
    "INSERT INTO page (id, file_id, page_index, width, height, dpi, state) VALUES "
    " (1, 1, 0, 400, 300, 300, 'extracted'), (2, 2, 0, 420, 300, 300, 'extracted'),"
    " (3, 3, 0, 440, 300, 300, 'unknown_form');"
    "INSERT INTO ocr_page (page_id, run_id, lang) VALUES (1, 1, 'chi_sim+eng');"
    "INSERT INTO ocr_line (id, page_id, seq, block_no, text, conf, x, y, w, h) VALUES "
    " (1, 1, 0, 0, '張三', 91, 100, 50, 80, 30);"
    "INSERT INTO ocr_word (id, page_id, line_id, block_no, line_no, word_no, text, conf, "
    " x, y, w, h) VALUES (1, 1, 1, 0, 0, 0, '張', 93, 100, 50, 38, 30),"
    " (2, 1, 1, 0, 0, 1, '三', 89, 142, 50, 38, 30);"
    "INSERT INTO page_form (page_id, run_id, template, header) VALUES "
    " (1, 2, 'card_a', '{\"university\":\"北京大学\"}'),"
    " (2, 2, 'ledger_a', '{\"university\":{\"raw\":\"北京大學\",\"value\":\"北京大学\"}}'),"
    " (3, 2, NULL, '{}');"
    "INSERT INTO record (id, page_id, row_no, template, run_id, state) VALUES "
    " (1, 1, 0, 'card_a', 2, 'normalized'), (2, 2, 1, 'ledger_a', 2, 'normalized'),"
    " (3, 2, 2, 'ledger_a', 2, 'normalized');"
    "INSERT INTO field (id, record_id, key, raw, value, state, conf_min, conf_mean, "
    " x, y, w, h, words, rule, flag, norm_run, match_decision, match_code, match_name, "
    " match_score) VALUES "
    " (1, 1, 'name', '張三', '张三', 'auto', 89, 91, 100, 50, 80, 30, '[1,2]', 'card_a:name', "
    "  NULL, 3, NULL, NULL, NULL, NULL),"
    " (2, 1, 'birth_date', '1962年3月', '1962-03', 'auto', 90, 92, 200, 50, 80, 30, '[]', "
    "  'card_a:birth', NULL, 3, NULL, NULL, NULL, NULL),"
    " (3, 1, 'student_no', '8501', '8501', 'auto', 95, 95, 100, 90, 60, 30, '[]', "
    "  'card_a:no', NULL, 3, NULL, NULL, NULL, NULL),"
    " (4, 1, 'sex', '男', '男', 'review', 43, 43, 200, 90, 30, 30, '[]', 'card_a:sex', "
    "  'low_confidence 43 < 60', 3, NULL, NULL, NULL, NULL),"
    " (5, 1, 'major', '计算机软件', '计算机软件', 'auto', 88, 90, 100, 130, 150, 30, '[]', "
    "  'card_a:major', NULL, 3, 'review', NULL, NULL, NULL),"
    " (6, 1, 'enroll_date', '1985.9', '1985-09', 'auto', 90, 90, 100, 170, 80, 30, '[]', "
    "  'card_a:enroll', NULL, 3, NULL, NULL, NULL, NULL),"
    " (11, 2, 'name', '张三', '张三', 'auto', 90, 90, 10, 100, 60, 20, '[]', 'ledger_a:c1', "
    "  NULL, 3, NULL, NULL, NULL, NULL),"
    " (12, 2, 'birth_date', '62.3', '1962-03', 'auto', 90, 90, 80, 100, 60, 20, '[]', "
    "  'ledger_a:c2', NULL, 3, NULL, NULL, NULL, NULL),"
    " (13, 2, 'student_no', NULL, NULL, 'missing', 0, 0, 0, 0, 0, 0, '[]', 'ledger_a:c3', "
    "  NULL, 3, NULL, NULL, NULL, NULL),"
    " (14, 2, 'major', '计算机软件', '计算机软件', 'auto', 90, 90, 150, 100, 100, 20, '[]', "
    "  'ledger_a:c4', NULL, 3, 'auto', '0812', '计算机科学与技术', 0.93),"
    " (15, 2, 'certificate_no', '123', '123', 'auto', 90, 90, 260, 100, 60, 20, '[]', "
    "  'ledger_a:c5', NULL, 3, NULL, NULL, NULL, NULL),"
    " (16, 2, 'enroll_date', '85.9', '1985-09', 'auto', 90, 90, 330, 100, 60, 20, '[]', "
    "  'ledger_a:c6', NULL, 3, NULL, NULL, NULL, NULL),"
    " (21, 3, 'name', '李四', '李四', 'auto', 90, 90, 10, 130, 60, 20, '[]', 'ledger_a:c1', "
    "  NULL, 3, NULL, NULL, NULL, NULL),"
    " (22, 3, 'birth_date', '63.1', '1963-01', 'auto', 90, 90, 80, 130, 60, 20, '[]', "
    "  'ledger_a:c2', NULL, 3, NULL, NULL, NULL, NULL),"
    " (23, 3, 'student_no', '8502', '8502', 'auto', 90, 90, 150, 130, 60, 20, '[]', "
    "  'ledger_a:c3', NULL, 3, NULL, NULL, NULL, NULL),"
    " (24, 3, 'major', '物理', '物理', 'auto', 90, 90, 150, 130, 100, 20, '[]', "
    "  'ledger_a:c4', NULL, 3, 'auto', '0702', '物理学', 0.97),"
    " (25, 3, 'grad_date', '85.13', NULL, 'invalid', 90, 90, 330, 130, 60, 20, '[]', "
    "  'ledger_a:c7', 'month 13', 3, NULL, NULL, NULL, NULL);"
    "INSERT INTO match_candidate (field_id, rank, code, name, score, edition, path, evidence) "
    "VALUES (5, 1, '0812', '计算机科学与技术', 0.71, '1997', "
    " '1997:081202 计算机软件与理论 → 2022:0812 计算机科学与技术', '[\"name close\"]'),"
    " (5, 2, '0835', '软件工程', 0.66, '1997', '1997:081202 计算机软件与理论 → 2022:0835 软件工程', "
    " '[\"word overlap\"]');"
    "INSERT INTO field_step (field_id, seq, rule, before, after) VALUES "
    " (1, 1, 'hant_hans', '張三', '张三');"
    /* the target catalog the candidates come from: a decision's mapping
     * rule is checked against it, as `dangan match --rule` is */
    "INSERT INTO catalog_edition (edition, year_from, title, target, imported) VALUES "
    " ('2022', 2022, 'fixture', 1, 'now');"
    "INSERT INTO discipline (edition, code, name, bare_name, level, parent_code) VALUES "
    " ('2022', '08', '工学', '工学', 'category', NULL),"
    " ('2022', '0812', '计算机科学与技术', '计算机科学与技术', 'first', '08'),"
    " ('2022', '0835', '软件工程', '软件工程', 'first', '08'),"
    " ('2022', '07', '理学', '理学', 'category', NULL),"
    " ('2022', '0702', '物理学', '物理学', 'first', '07');";

int fixture_build(const char *db_path, const char *dir)
{
    char png[3][1024];
    sqlite3 *db;
    dg_err err = {0};
    remove(db_path);
    if (db_open(db_path, DB_OPEN_CREATE, &db, &err)) {
        fprintf(stderr, "fixture: %s\n", err.msg);
        return -1;
    }
    /* the batch row references run 1, which the fixture SQL creates later */
    int rc = db_exec(db, "PRAGMA foreign_keys = OFF", &err);
    rc = rc ? rc : db_exec(db, "INSERT OR IGNORE INTO batch (id, run_id, paths, started) "
                               "VALUES (1, 1, '[]', 'now')", &err);
    for (int i = 0; rc == 0 && i < 3; i++) {
        snprintf(png[i], sizeof png[i], "%s/scan%d.png", dir, i + 1);
        rc = make_png(png[i], 400 + 20 * i, 300, 40 * i) || add_file(db, i + 1, png[i]);
    }
    rc = rc ? rc : db_exec(db, fixture_sql, &err);
    rc = rc ? rc : db_exec(db, "PRAGMA foreign_keys = ON", &err);
    if (rc)
        fprintf(stderr, "fixture: %s\n", err.msg);
    db_close(&db);
    return rc ? -1 : 0;
}
