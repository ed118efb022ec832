#!/usr/bin/env python3
"""pageimg_bench.py - bytes and time of a page's image in the page view:
the full-resolution PNG against the scaled JPEG (issue #22; a measurement,
not a timed test).

Starts `dangan serve` on a database `dangan run` made, adds the operator
alice if she is missing, and GETs each image R times (median reported).

usage: pageimg_bench.py DANGAN DB WORKDIR [PAGE] [R]
"""
import os
import subprocess
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "tests", "web"))
import webfix  # noqa: E402
from serve_http import Client  # noqa: E402


def main():
    dangan, db, work = sys.argv[1:4]
    page = int(sys.argv[4]) if len(sys.argv) > 4 else 1
    runs = int(sys.argv[5]) if len(sys.argv) > 5 else 3
    subprocess.run([dangan, "--db", db, "user", "add", "alice", "--role", "operator"],
                   input="alice-secret\n", text=True, stdout=subprocess.DEVNULL,
                   stderr=subprocess.DEVNULL)
    os.makedirs(work, exist_ok=True)
    srv = webfix.Server(dangan, db, work)
    try:
        c = Client(srv.url)
        c.login("alice", "alice-secret")
        for u in ("/pageimg/%d.png" % page, "/pageimg/%d.jpg?w=1600" % page,
                  "/pageimg/%d.jpg?w=800" % page):
            t = []
            for _ in range(runs):
                s = time.perf_counter()
                st, h, b = c.get_bytes(u)
                t.append((time.perf_counter() - s) * 1000)
            t.sort()
            print("%-24s %-10s %9d bytes, median %.0f ms" % (u, h.get("Content-Type"), len(b),
                                                            t[len(t) // 2]))
    finally:
        srv.stop()


if __name__ == "__main__":
    main()
