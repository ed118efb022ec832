#!/usr/bin/env python3
"""normalize.py KIND < export: what must be equal between a merged archive and a
single-process run of the same scans (docs/scale.md, "What equal means").

records, archive (JSON lines): the "record" member (a row id) dropped at every
level, keys sorted, lines sorted.  status (one JSON object): lists ordered by
file id (low_dpi, quarantine) sorted by content; the QA batches (one per ingest
batch: a shard is a batch of its own) summed into one."""
import json
import sys


def strip(o):
    if isinstance(o, dict):
        return {k: strip(v) for k, v in o.items() if k != "record"}
    if isinstance(o, list):
        return [strip(x) for x in o]
    return o


def key(x):
    return json.dumps(x, sort_keys=True, ensure_ascii=False)


kind = sys.argv[1]
if kind in ("records", "archive"):
    lines = [key(strip(json.loads(l))) for l in sys.stdin if l.strip()]
    print("\n".join(sorted(lines)))
elif kind == "status":
    s = json.load(sys.stdin)
    for k in ("low_dpi", "quarantine", "skewed", "failed"):
        if isinstance(s.get(k), list):
            s[k] = sorted(s[k], key=key)
    batches = s.get("qa", {}).get("batches", [])
    s["qa"]["batches"] = {k: sum(b[k] for b in batches)
                          for k in ("auto_verified", "sampled", "settled", "wrong",
                                    "archived_wrong")}
    print(json.dumps(s, sort_keys=True, ensure_ascii=False, indent=1))
else:
    sys.exit("normalize.py: KIND is records, archive or status")
