#!/usr/bin/env python3
"""gen_shard.py DB N SEED: add N synthetic archived records to DB, a shard
database made by `dangan ingest` of one scan (schema, a batch, a file, a
page): per record a ledger row, 9 fields, a person, a study record, its
source, 9 provenance rows and a chained "load" audit event carrying the
person and study rows as load writes them, so `dangan merge` and `dangan
audit verify` see what a real shard of that size holds (without OCR rows)."""
import hashlib
import sqlite3
import sys

db_path, n, seed = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
db = sqlite3.connect(db_path)
db.execute("PRAGMA journal_mode = WAL")
db.execute("BEGIN")
at = "2026-01-01T00:00:00Z"
page = db.execute("SELECT min(id) FROM page").fetchone()[0]
run = db.execute("INSERT INTO run (stage, version, started, finished, status) "
                 "VALUES ('load', 'bench', ?, ?, 'done')", (at, at)).lastrowid
keys = ["name", "sex", "birth_date", "student_no", "major", "enroll_date", "grad_date", "degree",
        "supervisor"]
sur = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
giv = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂"
db.execute("CREATE TEMP TABLE seq_n AS WITH RECURSIVE c(i) AS (SELECT 1 UNION ALL SELECT i + 1 "
           "FROM c WHERE i < ?) SELECT i FROM c", (n,))
db.execute("INSERT INTO record (page_id, row_no, template, run_id, state) "
           "SELECT ?, i, 'graduate_ledger', ?, 'loaded' FROM temp.seq_n", (page, run))
r0 = db.execute("SELECT min(id) FROM record WHERE run_id = ?", (run,)).fetchone()[0] - 1
name = ("substr(?3, (i * 7 + ?4) % 20 + 1, 1) || substr(?5, (i * 13 + ?4) % 24 + 1, 1) "
        "|| substr(?5, (i / 24 + ?4) % 24 + 1, 1)")
vals = {"name": name, "sex": "CASE i % 2 WHEN 0 THEN '男' ELSE '女' END",
        "birth_date": "printf('%d-%02d', 1940 + i % 40, 1 + i % 12)", "major": "'应用数学'",
        # distinct graduates: a number of its own each, so the merge's
        # relinking (load's rule across shards) finds no pair among them
        "student_no": "printf('S%d-%07d', " + str(seed) + ", i)",
        "enroll_date": "printf('%d-09', 1978 + i % 20)",
        "grad_date": "printf('%d-07', 1981 + i % 20)", "degree": "'理学硕士'",
        "supervisor": "'张敏'"}
for k in keys:
    db.execute(("INSERT INTO field (record_id, key, raw, value, state, p) SELECT ?1 + i, '%s', "
                "%s, %s, 'auto', 0.99 FROM temp.seq_n") % (k, vals[k], vals[k]),
               (r0, k, sur, seed, giv) if k == "name" else (r0,))
db.execute("INSERT INTO person (name_written, name_simplified, pinyin, lookalike_key, birth, sex) "
           "SELECT n.value, n.value, 'x' || i, n.value, b.value, s.value FROM temp.seq_n "
           "JOIN field n ON n.record_id = ?1 + i AND n.key = 'name' "
           "JOIN field b ON b.record_id = ?1 + i AND b.key = 'birth_date' "
           "JOIN field s ON s.record_id = ?1 + i AND s.key = 'sex' ORDER BY i", (r0,))
p0 = db.execute("SELECT max(id) FROM person").fetchone()[0] - n
db.execute("INSERT INTO study_record (person_id, university, student_no, major_hist, code_2022, "
           "name_2022, enroll, grad, degree, supervisor, load_run, loaded) "
           "SELECT ?1 + i, '杭州大学', printf('S%d-%07d', ?4, i), '应用数学', '0701', '数学', "
           "printf('%d-09', 1978 + i % 20), printf('%d-07', 1981 + i % 20), '理学硕士', '张敏', "
           "?2, ?3 FROM temp.seq_n ORDER BY i", (p0, run, at, seed))
s0 = db.execute("SELECT max(id) FROM study_record").fetchone()[0] - n
db.execute("INSERT INTO study_source (study_id, record_id, role, load_run) "
           "SELECT ?1 + i, ?2 + i, 'primary', ?3 FROM temp.seq_n", (s0, r0, run))
db.execute("INSERT INTO provenance (study_id, key, field_id, value) "
           "SELECT ?1 + f.record_id - ?2, f.key, f.id, f.value FROM field f "
           "WHERE f.record_id > ?2 AND f.record_id <= ?2 + ?3", (s0, r0, n))
# the load events: content built canonically (members in byte order)
rows = db.execute(
    "SELECT s.id, json_object('record', ?2 + i, 'rows', json_object("
    "'person', json_object('birth', p.birth, 'id', p.id, 'lookalike_key', p.lookalike_key, "
    "'name_simplified', p.name_simplified, 'name_written', p.name_written, 'pinyin', p.pinyin, "
    "'sex', p.sex), "
    "'study_record', json_object('certificate_no', s.certificate_no, 'code_2022', s.code_2022, "
    "'degree', s.degree, 'department', s.department, 'enroll', s.enroll, 'grad', s.grad, "
    "'id', s.id, 'load_run', s.load_run, 'loaded', s.loaded, 'major_code_hist', s.major_code_hist, "
    "'major_edition', s.major_edition, 'major_hist', s.major_hist, 'name_2022', s.name_2022, "
    "'person_id', s.person_id, 'student_no', s.student_no, 'supervisor', s.supervisor, "
    "'university', s.university)), 'run', ?3) "
    "FROM temp.seq_n JOIN study_record s ON s.id = ?1 + i JOIN person p ON p.id = s.person_id "
    "ORDER BY i", (s0, r0, run)).fetchall()
seq, prev = db.execute("SELECT seq, hash FROM audit_event ORDER BY seq DESC LIMIT 1").fetchone()
out = []
for sid, content in rows:
    seq += 1
    subject = "study_record:%d" % sid
    env = ('{"at":"%s","content":%s,"kind":"load","seq":%d,"subject":"%s","who":"bench"}'
           % (at, content, seq, subject))
    h = hashlib.sha256((prev + env).encode()).hexdigest()
    out.append((seq, at, "bench", "load", subject, content, prev, h))
    prev = h
db.executemany("INSERT INTO audit_event (seq, at, who, kind, subject, content, prev_hash, hash) "
               "VALUES (?, ?, ?, ?, ?, ?, ?, ?)", out)
db.execute("COMMIT")
