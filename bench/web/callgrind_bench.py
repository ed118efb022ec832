#!/usr/bin/env python3
"""callgrind_bench.py - instructions per request of the workbench with a big
review queue, counted by valgrind's callgrind: unlike wall time, the count
does not depend on how loaded the machine is, so two builds can be compared
on a busy machine (issue #22's targets are wall times; see docs/workbench.md).

Builds the review fixture with N more open field items (queue_bench.grow),
runs `dangan serve` under callgrind, logs in, then for each kind of request
zeroes the counters, makes it R times and dumps: the dump's total over R is
the instructions (Ir) of one request, all threads of the server included.

usage: callgrind_bench.py DANGAN TEST_REVIEW WORKDIR [N] [R]
"""
import glob
import os
import re
import subprocess
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "tests", "web"))
sys.path.insert(0, os.path.dirname(__file__))
import webfix  # noqa: E402
from queue_bench import grow  # noqa: E402
from serve_http import Client  # noqa: E402


def server(dangan, db, work):
    """dangan serve under callgrind; its counters are written to WORK/cg.out.*"""
    out = os.path.join(work, "cg.out")
    srv = webfix.Server(dangan, db, work, prefix=("valgrind", "--tool=callgrind",
                                                  "--callgrind-out-file=" + out),
                        start_timeout=600)
    srv.out = out
    return srv


def dump(pid, out, name):
    """Dump the counters and return the new dump's total Ir."""
    before = set(glob.glob(out + ".*"))
    subprocess.run(["callgrind_control", "-d", name, str(pid)], check=True,
                   stdout=subprocess.DEVNULL)
    for _ in range(600):
        new = set(glob.glob(out + ".*")) - before
        if new:
            time.sleep(0.5)
            with open(new.pop()) as f:
                m = re.search(r"^(?:summary|totals): (\d+)", f.read(), re.M)
            return int(m.group(1)) if m else -1
        time.sleep(0.1)
    return -1


def main():
    # dangan re-execs itself through /proc/self/exe unless this is set,
    # which valgrind cannot follow
    os.environ["OMP_THREAD_LIMIT"] = "1"
    dangan, fixture, work = sys.argv[1:4]
    n = int(sys.argv[4]) if len(sys.argv) > 4 else 100000
    runs = int(sys.argv[5]) if len(sys.argv) > 5 else 3
    db = webfix.build(dangan, fixture, work)
    grow(db, n)
    # the queue made natively first: 100,000 items under callgrind take minutes
    subprocess.run([dangan, "--db", db, "review", "list"], check=True,
                   stdout=subprocess.DEVNULL)
    srv = server(dangan, db, work)
    try:
        pid = srv.proc.pid
        c = Client(srv.url)
        c.login("alice", "alice-secret")
        st, _, body, _ = c.req("GET", "/queue")  # refreshes the queue once
        assert st == 200, st
        item = webfix.query(db, "SELECT id FROM review_item WHERE state = 'open' "
                                "ORDER BY id LIMIT 1 OFFSET 5000")[0][0]
        csrf = c.csrf()

        def decide():
            for verb in ("accept", "undo"):
                st, _, body, _ = c.req("POST", "/api/decide", {"item": item, "verb": verb,
                                                               "csrf": csrf})
                assert st == 200, body
        phases = [("queue page (grouped, first 1000 rows)", lambda: c.req("GET", "/queue"), 1),
                  ("queue page (by p, first 1000 rows)", lambda: c.req("GET", "/queue?sort=p"), 1),
                  ("item page", lambda: c.req("GET", "/item/%d" % item), 1),
                  ("decision (accept + undo, per decision)", decide, 2)]
        res = []
        for name, f, per in phases:
            subprocess.run(["callgrind_control", "-z", str(pid)], check=True,
                           stdout=subprocess.DEVNULL)
            for _ in range(runs):
                f()
            total = dump(pid, srv.out, name.split()[0])
            res.append((name, total / (runs * per)))
    finally:
        srv.stop()
    print("open items: %d, %d runs each" % (webfix.query(
        db, "SELECT count(*) FROM review_item WHERE state = 'open'")[0][0], runs))
    for name, ir in res:
        print("%-42s %8.1f M instructions a request" % (name + ":", ir / 1e6))


if __name__ == "__main__":
    main()
