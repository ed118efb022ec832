#!/usr/bin/env python3
"""bench/trust_agreed.py - names the page reader and the second reader agree on, and
which of them are wrong (docs/trust.md, "A third reading of name boxes").

For every name and supervisor value of a workspace with truth, the truth's value
beside Tesseract's page reading (field.raw), the second reader's (rec2), the third's
(tess3) and the value chosen; prints how many values both first readers agree on,
how many of those are wrong, and each wrong one with its readings and the
characters of the truth outside the second reader's dictionary.

usage: bench/trust_agreed.py DB TRUTH_DIR [--dict models/ppocr_keys_v1.txt]
  e.g. bench/trust_agreed.py DIR/train.db DIR/train   (a bench/trust --keep DIR)
Records are matched to the truth as `dangan eval` matches them (eval_fields.c).
"""
import argparse
import glob
import json
import os
import sqlite3

HERE = os.path.dirname(os.path.abspath(__file__))

MATCH = [
    "CREATE TEMP TABLE ev_truth(name TEXT, doc TEXT)",
    "CREATE TEMP TABLE ev_page AS SELECT pg.id AS page_id, p.value AS pj, t.name AS tname "
    " FROM ev_truth t, json_each(t.doc, '$.pages') p JOIN file f ON f.path = "
    " json_extract(t.doc, '$.image') OR f.path LIKE '%/' || json_extract(t.doc, '$.image') "
    " JOIN page pg ON pg.file_id = f.id AND pg.page_index = json_extract(p.value, '$.page_index')",
    "CREATE TEMP TABLE ev_rec(id INTEGER PRIMARY KEY, page_id INT, y0 INT, y1 INT, fields TEXT, "
    " record_id INT, tname TEXT)",
    "INSERT INTO ev_rec(page_id, fields, tname) SELECT page_id, json_extract(pj, '$.fields'), "
    " tname FROM ev_page WHERE json_type(pj, '$.fields') = 'object'",
    "INSERT INTO ev_rec(page_id, y0, y1, fields, tname) SELECT page_id, "
    " json_extract(r.value, '$.bbox[1]'), json_extract(r.value, '$.bbox[3]'), "
    " json_extract(r.value, '$.fields'), tname FROM ev_page, json_each(pj, '$.rows') r",
    "UPDATE ev_rec SET record_id = (SELECT id FROM (SELECT r.id AS id, "
    " abs(r.y + r.h / 2 - (coalesce(ev_rec.y0, 0) + coalesce(ev_rec.y1, 0)) / 2) AS d "
    " FROM record r WHERE r.page_id = ev_rec.page_id AND ((ev_rec.y0 IS NULL AND r.row_no = 0) "
    " OR (ev_rec.y0 IS NOT NULL AND r.row_no > 0 AND r.y + r.h / 2 BETWEEN ev_rec.y0 "
    " AND ev_rec.y1))) ORDER BY d LIMIT 1)",
]
READ = ("SELECT r.tname, f.key, json_extract(f.value, '$.normalized'), x.raw, x.value, x.evidence, "
        "(SELECT text FROM field_reading fr WHERE fr.field_id = x.id AND fr.reader = 'rec2'), "
        "(SELECT text FROM field_reading fr WHERE fr.field_id = x.id AND fr.reader = 'tess3') "
        "FROM ev_rec r, json_each(r.fields) f JOIN field x ON x.record_id = r.record_id "
        "AND x.key = f.key WHERE f.key IN ('name', 'supervisor') AND r.record_id IS NOT NULL")


def ws(s):
    return (s or '').replace(' ', '').replace('\u3000', '')


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('db')
    ap.add_argument('truth')
    ap.add_argument('--dict', default=os.path.join(HERE, '..', 'models', 'ppocr_keys_v1.txt'))
    a = ap.parse_args()
    keys = set()
    if os.path.exists(a.dict):
        keys = {l.rstrip('\n') for l in open(a.dict, encoding='utf-8')}
    c = sqlite3.connect(a.db)
    c.execute(MATCH[0])
    for f in glob.glob(os.path.join(a.truth, '*.truth.json')):
        c.execute("INSERT INTO ev_truth VALUES (?, ?)", (os.path.basename(f), open(f).read()))
    for sql in MATCH[1:]:
        c.execute(sql)
    n = agreed = 0
    wrong = []
    for tname, key, want, raw, val, ev, rec2, t3 in c.execute(READ):
        if not ev:
            continue
        n += 1
        top = json.loads(ev)['candidates'][0]
        if not top['features'].get('agree'):
            continue
        agreed += 1
        if ws(val) != ws(want):
            wrong.append((tname, key, want, val, raw, rec2, t3,
                          ''.join(ch for ch in want if keys and ch not in keys)))
    print('%d name values, %d both readers agree on, %d of those wrong' % (n, agreed, len(wrong)))
    for w in wrong:
        print('%s %s: truth %s, chosen %s (page %s, second %s, third %s)%s' % (
            w[0].replace('.truth.json', ''), w[1], w[2], w[3], w[4], w[5], w[6],
            ', outside the dictionary: ' + w[7] if w[7] else ''))


if __name__ == '__main__':
    main()
