#!/usr/bin/env python3
"""gen_normalized.py DB N SEED: add N synthetic records ready for `dangan
load` to DB, a workspace made by `dangan ingest` of one scan: per record a
ledger row in state 'normalized' and 9 fields in state 'auto' (the major
with a settled catalog match), as the normalize stage leaves them.  Names
repeat (20 surnames x 24 x 24 given characters) and so do birth months, so
load's search for a second source of the same graduate finds namesakes;
each record has a student number of its own, so none links.  Twenty
records a page, as on a ledger."""
import sqlite3
import sys

db_path, n, seed = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
db = sqlite3.connect(db_path)
db.execute("PRAGMA journal_mode = WAL")
db.execute("BEGIN")
at = "2026-01-01T00:00:00Z"
page = db.execute("SELECT min(id) FROM page").fetchone()[0]
run = db.execute("INSERT INTO run (stage, version, started, finished, status) "
                 "VALUES ('normalize', 'bench', ?, ?, 'done')", (at, at)).lastrowid
keys = ["name", "sex", "birth_date", "student_no", "major", "enroll_date", "grad_date", "degree",
        "supervisor"]
sur = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
giv = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂"
db.execute("CREATE TEMP TABLE seq_n AS WITH RECURSIVE c(i) AS (SELECT 1 UNION ALL SELECT i + 1 "
           "FROM c WHERE i < ?) SELECT i FROM c", (n,))
# 20 ledger rows a page, as a real ledger has them (pages of the one file)
db.execute("INSERT INTO page (file_id, page_index, width, height, state) "
           "SELECT file_id, page_index + i, width, height, 'extracted' FROM page, temp.seq_n "
           "WHERE page.id = ? AND i <= (? + 19) / 20", (page, n))
db.execute("INSERT INTO record (page_id, row_no, template, run_id, state) "
           "SELECT ? + (i - 1) / 20, (i - 1) % 20 + 1, 'graduate_ledger', ?, 'normalized' "
           "FROM temp.seq_n", (db.execute("SELECT max(id) FROM page").fetchone()[0]
                                - (n + 19) // 20 + 1, run))
r0 = db.execute("SELECT min(id) FROM record WHERE run_id = ?", (run,)).fetchone()[0] - 1
name = ("substr(?3, (i * 7 + ?4) % 20 + 1, 1) || substr(?5, (i * 13 + ?4) % 24 + 1, 1) "
        "|| substr(?5, (i / 24 + ?4) % 24 + 1, 1)")
vals = {"name": name, "sex": "CASE i % 2 WHEN 0 THEN '男' ELSE '女' END",
        "birth_date": "printf('%d-%02d', 1940 + i % 40, 1 + i % 12)", "major": "'应用数学'",
        "student_no": "printf('S%d-%07d', " + str(seed) + ", i)",
        "enroll_date": "printf('%d-09', 1978 + i % 20)",
        "grad_date": "printf('%d-07', 1981 + i % 20)", "degree": "'理学硕士'",
        "supervisor": "'张敏'"}
for k in keys:
    match = ("'0701', '数学', 'auto'" if k == "major" else "NULL, NULL, NULL")
    db.execute(("INSERT INTO field (record_id, key, raw, value, state, p, match_code, match_name, "
                "match_decision) SELECT ?1 + i, '%s', %s, %s, 'auto', 0.99, %s FROM temp.seq_n")
               % (k, vals[k], vals[k], match),
               (r0, k, sur, seed, giv) if k == "name" else (r0,))
db.execute("COMMIT")
