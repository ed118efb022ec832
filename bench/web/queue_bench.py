#!/usr/bin/env python3
"""queue_bench.py - the workbench with a big review queue (issue #22's
numbers; a measurement, not a timed test).

Builds the review fixture, adds N open field items (default 100,000) on its
pages, starts `dangan serve`, logs in, and times the queue page, an item
page and a decision round trip (accept + undo pairs), reporting the median
and p95 of R runs and the server's peak resident memory.

usage: queue_bench.py DANGAN TEST_REVIEW WORKDIR [N] [R]
"""
import os
import re
import sqlite3
import statistics
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "tests", "web"))
import webfix  # noqa: E402
from serve_http import Client  # noqa: E402


def grow(db, n):
    con = sqlite3.connect(db)
    con.execute("BEGIN")
    con.executemany("INSERT INTO record (id, page_id, row_no, template, run_id, state) "
                    "VALUES (?, 2, ?, 'ledger_a', 2, 'normalized')",
                    ((1000 + i, 10 + i) for i in range(n)))
    con.executemany("INSERT INTO field (record_id, key, raw, value, state, conf_min, conf_mean, "
                    "x, y, w, h, words, rule, flag, norm_run, p) VALUES (?, 'name', ?, ?, "
                    "'review', 50, 50, 10, 100, 60, 20, '[]', 'ledger_a:c1', "
                    "'low_confidence 50 < 60', 3, ?)",
                    ((1000 + i, "王%d" % i, "王%d" % i, (i % 97) / 97.0) for i in range(n)))
    con.commit()
    con.close()


def cpu_ms(pid):
    """The server's user + system CPU time so far, in ms (all threads)."""
    with open("/proc/%d/stat" % pid) as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) * 1000.0 / os.sysconf("SC_CLK_TCK")


def timed(f, runs, pid):
    """Median and p95 wall time, and the server's mean CPU time per call:
    on a shared machine the wall time includes waiting for a core."""
    t = []
    c0 = cpu_ms(pid)
    for _ in range(runs):
        s = time.perf_counter()
        f()
        t.append((time.perf_counter() - s) * 1000)
    cpu = (cpu_ms(pid) - c0) / runs
    t.sort()
    return statistics.median(t), t[int(0.95 * (len(t) - 1))], cpu


def rss_peak(pid):
    with open("/proc/%d/status" % pid) as f:
        m = re.search(r"VmHWM:\s+(\d+) kB", f.read())
    return int(m.group(1)) / 1024 if m else -1


def main():
    dangan, fixture, work = sys.argv[1:4]
    n = int(sys.argv[4]) if len(sys.argv) > 4 else 100000
    runs = int(sys.argv[5]) if len(sys.argv) > 5 else 20
    db = webfix.build(dangan, fixture, work)
    grow(db, n)
    srv = webfix.Server(dangan, db, work)
    try:
        c = Client(srv.url)
        c.login("alice", "alice-secret")
        st, _, body, _ = c.req("GET", "/queue")  # refreshes the queue once
        assert st == 200, st
        items = [r[0] for r in webfix.query(db, "SELECT id FROM review_item WHERE state = 'open' "
                                                "ORDER BY id LIMIT 1 OFFSET 5000")]
        item = items[0]
        csrf = c.csrf()
        pid = srv.proc.pid
        q = timed(lambda: c.req("GET", "/queue"), runs, pid)
        qp = timed(lambda: c.req("GET", "/queue?sort=p"), runs, pid)
        it = timed(lambda: c.req("GET", "/item/%d" % item), runs, pid)

        def round_trip():
            st, _, body, _ = c.req("POST", "/api/decide", {"item": item, "verb": "accept",
                                                           "csrf": csrf})
            assert st == 200, body
            st, _, body, _ = c.req("POST", "/api/decide", {"item": item, "verb": "undo",
                                                           "csrf": csrf})
            assert st == 200, body
        dec = timed(round_trip, runs, pid)
        mem = rss_peak(srv.proc.pid)
    finally:
        srv.stop()
    print("open items: %d" % webfix.query(db, "SELECT count(*) FROM review_item "
                                              "WHERE state = 'open'")[0][0])
    with open("/proc/loadavg") as f:
        print("load average: %s" % " ".join(f.read().split()[:3]))
    fmt = "median %.1f ms, p95 %.1f ms wall; server CPU %.1f ms a call"
    print("queue page (grouped, first 1000 rows): " + fmt % q)
    print("queue page (by p, first 1000 rows):    " + fmt % qp)
    print("item page:                             " + fmt % it)
    print("decision + undo (two round trips):     " + fmt % dec)
    print("server peak RSS: %.1f MB" % mem)


if __name__ == "__main__":
    main()
