#!/usr/bin/env python3
"""rewrite_chain.py DB [kept|chain]: forge a merged shard's history and
rewrite every hash after the forgery, as someone who can write the database
could (docs/audit.md: a consistent rewrite).

kept (the default; archives merged since migration 023): the date of the
first shard's first event kept in audit_merged, and every hash of that
shard's chain after it: the shard's kept chain is whole again, only the head
its merge event names (in the archive's chain) still tells.
chain (archives merged before 023): the date of the first merged event's
original (content.merged.at), and the archive's chain from there on: only
the shard's own hashes inside the events still tell."""
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


def envelope(at, content, kind, seq, subject, who):
    return '{"at":%s,"content":%s,"kind":%s,"seq":%d,"subject":%s,"who":%s}' % (
        js(at), content, js(kind), seq, js(subject), js(who))


db = sqlite3.connect(sys.argv[1])
if (sys.argv[2] if len(sys.argv) > 2 else "kept") == "kept":
    shard = db.execute("SELECT min(shard) FROM audit_merged").fetchone()[0]
    db.execute("DROP TRIGGER audit_merged_no_update")
    prev = None
    for seq, at, who, kind, subject, content, prev_hash in db.execute(
            "SELECT seq, at, who, kind, subject, content, prev_hash FROM audit_merged "
            "WHERE shard = ? ORDER BY seq", (shard,)).fetchall():
        if prev is None:
            at = "1" + at
            prev = prev_hash
        h = hashlib.sha256((prev + envelope(at, content, kind, seq, subject, who)).encode()
                           ).hexdigest()
        db.execute("UPDATE audit_merged SET at = ?, prev_hash = ?, hash = ? WHERE shard = ? "
                   "AND seq = ?", (at, prev, h, shard, seq))
        prev = h
    db.execute("CREATE TRIGGER audit_merged_no_update BEFORE UPDATE ON audit_merged "
               "BEGIN SELECT RAISE(ABORT, 'audit_merged is append-only'); END")
    db.commit()
    sys.exit(0)
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
    env = envelope(at, content, kind, seq, subject, who)
    h = hashlib.sha256((prev + env).encode()).hexdigest()
    db.execute("UPDATE audit_event SET content = ?, prev_hash = ?, hash = ? WHERE seq = ?",
               (content, prev, h, seq))
    prev = h
db.execute("CREATE TRIGGER audit_event_no_update BEFORE UPDATE ON audit_event "
           "BEGIN SELECT RAISE(ABORT, 'audit_event is append-only'); END")
db.commit()
