#!/usr/bin/env python3
"""rewrite_chain.py DB: forge the date of the first merged shard event's
original (content.merged.at) and rewrite every hash from there on, as someone
who can write the database could (docs/audit.md: a consistent rewrite): the
archive's chain is whole again, only the shard's own hashes still tell."""
import hashlib
import re
import sqlite3
import sys


def js(s):
    out = ['"']
    for ch in s:
        if ch in '"\\':
            out.append('\\' + ch)
        elif ord(ch) < 0x20:
            out.append({'\n': '\\n', '\r': '\\r', '\t': '\\t', '\b': '\\b', '\f': '\\f'}.get(
                ch, '\\u%04x' % ord(ch)))
        else:
            out.append(ch)
    return ''.join(out) + '"'


db = sqlite3.connect(sys.argv[1])
db.execute("DROP TRIGGER audit_event_no_update")
rows = db.execute("SELECT seq, at, who, kind, subject, content, prev_hash FROM audit_event "
                  "ORDER BY seq").fetchall()
start = next(r[0] for r in rows if '"merged":{' in r[5])
prev = None
for seq, at, who, kind, subject, content, prev_hash in rows:
    if seq < start:
        continue
    if seq == start:
        content = re.sub(r'"at":"(\d)', r'"at":"1\1', content, count=1)
        prev = prev_hash
    env = '{"at":%s,"content":%s,"kind":%s,"seq":%d,"subject":%s,"who":%s}' % (
        js(at), content, js(kind), seq, js(subject), js(who))
    h = hashlib.sha256((prev + env).encode()).hexdigest()
    db.execute("UPDATE audit_event SET content = ?, prev_hash = ?, hash = ? WHERE seq = ?",
               (content, prev, h, seq))
    prev = h
db.execute("CREATE TRIGGER audit_event_no_update BEFORE UPDATE ON audit_event "
           "BEGIN SELECT RAISE(ABORT, 'audit_event is append-only'); END")
db.commit()
