#!/usr/bin/env python3
"""campaign.py - the re-runnable fault campaign of issue #21 (docs/reliability.md,
"Fault campaign").

usage: campaign.py --dangan BIN --samples DIR --work DIR
                   [--trials N] [--seed S] [--stages a,b,...] [--extras a,b,...]
                   [--bad-trials N] [--disk-sizes F,...] [--quick] [--report FILE.json]

A clean reference run goes stage by stage over a card and a ledger (samples/
s003_reg_clean.jpg, s009_ledger_clean.jpg), keeping the database after each
stage (ingest, ocr, extract, reread, normalize, load, a review decision on a
loaded record, an amendment, an app user added, a decision by that user, a
QA sample drawn, a certificate issued; only as far as the stages asked for
need).  Each trial copies the database from before one
stage, starts that stage, kills it with SIGKILL after a random delay drawn
from [0, 1.1 x the stage's clean duration], and resumes: the same command
again, or (for the pipeline stages, one trial in three) `dangan run` over the
scans.  It then requires:

  * equal: every table's rows (as a multiset) equal the clean database's after
    that stage (after load when resumed with `run`), leaving out only what
    must differ between two runs: run ids and times (columns listed in
    VOLATILE), and the tables of runs, batches, the access log and the audit
    chain, which a killed run legitimately lengthens.  Row ids are compared:
    a resumed stage must not renumber anything.  Also `status --json` without
    "runs", `export records` and `export archive` (on a copy, so the access
    log they write does not leak into the next comparison) are equal;
  * nothing lost or duplicated: follows from the row multisets (each table's
    row count is reported separately when they differ);
  * `dangan audit verify` exits 0;
  * a killed run that had begun (a `run` row `running` in the database after
    the kill) is shown `aborted` by the next command (`status --json`), and
    no page keeps a lease.

--extras adds the other faults (each once per campaign):
  disk     the database on a small tmpfs (mount -t tmpfs; root needed, else
           skipped and said so) of a few sizes: `dangan run` must fail with a
           message and no signal, `audit verify` must pass on what is left,
           and after moving the files to a roomy disk `dangan run` must end
           equal to the clean run;
  scans    a scan deleted after ingest (its page fails at OCR naming the file,
           the other is read), a scan changed after OCR (reread and
           provenance name it), fixity reports both;
  concur   two `ingest`, two `ocr`, `ocr` beside `run`, two `extract`, two
           `reread`, `normalize` beside `run`, two `load` at once, two
           `normalize` (--normalize-pairs times), and when the stages reach
           them two `user add` of one name and two decisions on one item (one
           refused): each ends equal to the clean run;
  merge    two shard databases (`shard plan`, `run --shard K/2`) merged into an
           archive: `merge` killed at a random point and run again ends equal
           to one clean merge and verifies; merging again adds nothing;
  bad      the bad-input corpus (make_bad_corpus.py) with a good scan:
           `ingest` killed at a random point and resumed ends equal to a
           clean ingest of it (the same quarantine, reasons and files).

Exit 0 when every check held; 1 otherwise (each failure printed).  The
report (--report) holds every trial: stage, delay, whether the kill landed
mid-run, how it was resumed, and the verdicts.
"""
import argparse
from contextlib import closing
import http.client
import json
import os
import random
import shutil
import signal
import sqlite3
import subprocess
import sys
import threading
import time

CARD, LEDGER = "s003_reg_clean.jpg", "s009_ledger_clean.jpg"
PIPELINE = ["ingest", "ocr", "extract", "reread", "normalize", "load"]
# After the pipeline, the archive's other writers: a review decision on a
# loaded record (it amends the archive), an amendment, an app user added
# (from then on a command-line decision is one user's), a decision by that
# user, another by that user in the workbench (`dangan serve`, killed
# while it answers the POST), a QA sample drawn, a certificate issued.
STAGES = PIPELINE + ["review", "amend", "user", "decide", "web", "qa", "certify"]
# writers that are one command, not a pipeline stage: resumed by checking
# whether their one transaction committed, never by `run`
ONE_SHOT = ("review", "amend", "user", "decide", "web", "qa", "certify")
# Tables whose rows a killed-and-resumed run must not reproduce exactly: its
# own run rows and their audit events, the batch an ingest opens, and the
# access log the comparisons' own exports write; the workbench's sessions
# (random tokens; a killed server leaves its session behind).
SKIP_TABLES = {"run", "audit_event", "access_log", "batch", "sqlite_sequence", "fixity_event",
               "app_session"}
# Columns that name a run or a time: they differ between any two runs.
VOLATILE = {"run_id", "norm_run", "load_run", "claim_run", "claim_until", "batch_id",
            "at", "added", "started", "finished", "created", "decided", "amended",
            "loaded", "since", "imported", "updated", "changed", "drawn", "checked",
            "stored", "seconds", "last_login", "issued"}
# Columns that differ between two runs of one table only: a password hash's
# salt, a certificate's random code and the signed payload holding its time,
# the time lookup's name prior was made.
VOLATILE_IN = {"app_user": {"pwhash"}, "certificate": {"code", "payload"},
               "lookup_prior": {"built"}}
PASSWORD = b"campaign password 1\n"
AMEND_ARGS = ["1", "birth_date", "1952-11", "--reason", "fault campaign", "--operator", "campaign"]

failures = []
known = []  # faults found and reported (docs/reliability.md), not yet fixed


def note_known(msg):
    known.append(msg)
    print("KNOWN: " + msg, flush=True)


OCR_IDS = {"ocr_cell": "c", "ocr_line": "l", "ocr_word": "w"}
OCR_REFS = {"cell_id": "c", "line_id": "l"}


def ocr_ids(c):
    """OCR rows renamed page:rank.  Each page's cells, lines and words are
    written in one transaction, in an order fixed by the page alone, but
    which page's transaction comes first depends on which worker (or
    process) finished first: the same scans read twice get the same rows
    under other ids.  "equal" compares them by page and rank."""
    m = {}
    for t, k in OCR_IDS.items():
        per = {}
        for i, page in c.execute(f"SELECT id, page_id FROM {t} ORDER BY page_id, id"):
            per[page] = per.get(page, -1) + 1
            m[(k, i)] = f"{page}:{k}{per[page]}"
    # Review items are numbered in the order the queue was refreshed: pages
    # that finish in another order (ocr beside run) give the same items
    # other ids.  They are compared by what they are about.
    for i, kind, f, r, p in c.execute("SELECT id, kind, field_id, record_id, page_id FROM review_item"):
        m[("ri", i)] = f"{kind}:{f}:{r}:{p}"
    return m


def words_renamed(v, m):
    """Word ids inside JSON (field.words, page_form.header) renamed."""
    if isinstance(v, dict):
        return {k: (words_renamed(x, m) if k != "words" else [m.get(("w", w), w) for w in x])
                for k, x in v.items()}
    if isinstance(v, list):
        return [words_renamed(x, m) for x in v]
    return v


def steady(table, cols, row, m):
    """A row without what measures time (ocr_page.cleanup's "times" step,
    the seconds each part of the page took) and with OCR ids renamed."""
    row = list(row)
    if table == "ocr_page":
        i = cols.index("cleanup")
        try:
            row[i] = json.dumps([s for s in json.loads(row[i]) if s.get("step") != "times"])
        except (TypeError, ValueError):
            pass
    if table in OCR_IDS:
        row[cols.index("id")] = m.get((OCR_IDS[table], row[cols.index("id")]))
    if table == "review_item":
        row[cols.index("id")] = m.get(("ri", row[cols.index("id")]))
        if "qkey" in cols:  # the queue's sort key (013): batch id first, item id last
            q = row[cols.index("qkey")] or ""
            row[cols.index("qkey")] = "\x01".join(q.split("\x01")[1:-1])
    if table in ("review_decision", "qa_sample") and "item_id" in cols:
        row[cols.index("item_id")] = m.get(("ri", row[cols.index("item_id")]), row[cols.index("item_id")])
    for col, k in OCR_REFS.items():
        if col in cols and table != {"c": "ocr_cell", "l": "ocr_line"}[k]:
            row[cols.index(col)] = m.get((k, row[cols.index(col)]), row[cols.index(col)])
    for col in ("words", "header"):
        if col in cols and table in ("field", "page_form"):
            try:
                v = json.loads(row[cols.index(col)])
                v = [m.get(("w", w), w) for w in v] if col == "words" else words_renamed(v, m)
                row[cols.index(col)] = json.dumps(v, ensure_ascii=False, sort_keys=True)
            except (TypeError, ValueError):
                pass
    return tuple(row)


def fail(msg):
    failures.append(msg)
    print("FAIL: " + msg, file=sys.stderr, flush=True)


class Campaign:
    def __init__(self, a):
        self.bin, self.samples = os.path.abspath(a.dangan), os.path.abspath(a.samples)
        self.work = os.path.abspath(a.work)
        self.rng = random.Random(a.seed)
        self.snap = os.path.join(self.work, "snap")
        self.scans = os.path.join(self.work, "in")
        self.dur = {}
        self.ref = {}
        self.review_item = self.decide_item = self.web_item = self.cert_study = None
        self.pwfile = os.path.join(self.work, "clerk.pw")
        self.last_stage = a.last_stage
        self.env = dict(os.environ)
        self.quick = a.quick
        self.disk_sizes = [float(x) for x in a.disk_sizes.split(",") if x]

    # -- running dangan ---------------------------------------------------
    def dg(self, db, *args, check=None, cwd=None, stdin=None):
        p = subprocess.run([self.bin, "--db", db, *args], capture_output=True, input=stdin,
                           cwd=cwd or self.work, env=self.env)
        if check is not None and p.returncode not in check:
            fail(f"dangan {' '.join(args)} on {os.path.basename(db)}: exit {p.returncode}, "
                 f"want {check}: {p.stderr.decode(errors='replace')[:300]}")
        return p

    def stage_cmd(self, stage, db):
        if stage == "ingest":
            return ["ingest", self.scans]
        if stage == "ocr":
            return ["ocr", "--jobs", "2"]
        if stage == "review":
            return ["review", "accept", str(self.review_item), "--operator", "campaign"]
        if stage == "amend":
            return ["amend", *AMEND_ARGS]
        if stage == "user":
            return ["user", "add", "clerk", "--role", "operator"]  # the password on stdin
        if stage == "decide":
            return ["review", "accept", str(self.decide_item), "--user", "clerk",
                    "--password-file", self.pwfile]
        if stage == "qa":
            return ["qa", "sample", "--rate", "0.3", "--seed", "5", "--operator", "campaign"]
        if stage == "certify":
            return ["certify", str(self.cert_study), "--out", os.path.join(self.work, "cert.pdf"),
                    "--operator", "campaign"]
        if stage == "run":
            return ["run", self.scans]
        return [stage]

    def resume(self, stage, db):
        """Run STAGE again after a kill, as an operator would: a one-shot
        writer whose transaction committed before the kill is not repeated
        (the decision is shown made, the user listed, the sample drawn, the
        certificate registered and its PDF there)."""
        done = {"review": ("SELECT state <> 'open' FROM review_item WHERE id = ?", self.review_item),
                "decide": ("SELECT state <> 'open' FROM review_item WHERE id = ?", self.decide_item),
                "web": ("SELECT state <> 'open' FROM review_item WHERE id = ?", self.web_item),
                "user": ("SELECT count(*) FROM app_user WHERE name = ?", "clerk"),
                "qa": ("SELECT count(*) FROM qa_sample WHERE ? IS NOT NULL", 1),
                "certify": ("SELECT count(*) FROM certificate WHERE study_id = ?", self.cert_study)}
        if stage in done:
            with closing(sqlite3.connect(db)) as c:
                if c.execute(*((done[stage][0], (done[stage][1],)))).fetchone()[0]:
                    if stage == "certify" and not os.path.exists(os.path.join(self.work, "cert.pdf")):
                        fail("certify killed after its commit left no PDF")
                    return "done before the kill"
        if stage == "web":  # again in the workbench, as the clerk would
            srv, client = self.web_login(db)
            st = self.web_decide(client)[0]
            srv.stop()
            if st != 200:
                fail(f"web: the decision again in the workbench: HTTP {st}")
            return "again"
        self.dg(db, *self.stage_cmd(stage, db), check=(0, 1), stdin=self.stdin_for(stage))
        return "again"

    # -- the workbench (tests/web: webfix.py's server, serve_http.py's client)
    def web_login(self, db):
        """`dangan serve` on db and a browser logged in as the clerk."""
        sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "web"))
        import webfix
        from serve_http import Client
        d = os.path.join(self.work, "web")
        os.makedirs(d, exist_ok=True)
        srv = webfix.Server(self.bin, db, d)
        client = Client(srv.url)
        st = client.login("clerk", PASSWORD.decode().strip())[0]
        if st != 303:
            fail(f"web: the clerk's login: HTTP {st}")
        return srv, client

    def web_decide(self, client, csrf=None):
        return client.req("POST", "/api/decide", {"item": self.web_item, "verb": "accept",
                                                  "version": 0, "csrf": csrf or client.csrf()})

    def stdin_for(self, stage):
        return PASSWORD if stage == "user" else None

    # -- databases --------------------------------------------------------
    @staticmethod
    def copy_db(src, dst):
        """A consistent copy through SQLite's backup API (the -wal included)."""
        for ext in ("", "-wal", "-shm"):
            if os.path.exists(dst + ext):
                os.remove(dst + ext)
        s = sqlite3.connect(src)
        d = sqlite3.connect(dst)
        s.backup(d)
        d.close()
        s.close()
        os.chmod(dst, 0o600)

    def dump(self, db):
        """What 'equal' compares: every table's rows without volatile columns,
        status --json without runs, export records and export archive."""
        tmp = os.path.join(self.work, "dump.db")
        self.copy_db(db, tmp)
        out = {"tables": {}, "counts": {}}
        c = sqlite3.connect(tmp)
        c.text_factory = lambda b: b.decode("utf-8", "backslashreplace")  # a GBK file name
        m = ocr_ids(c)
        for (t,) in c.execute("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name"):
            if t in SKIP_TABLES:
                continue
            cols = [r[1] for r in c.execute(f"PRAGMA table_info({t})")
                    if r[1] not in VOLATILE and r[1] not in VOLATILE_IN.get(t, ())]
            rows = sorted(repr(steady(t, cols, r, m)) for r in c.execute(f"SELECT {', '.join(cols)} FROM {t}"))
            out["tables"][t] = rows
            out["counts"][t] = len(rows)
        c.close()
        st = json.loads(self.dg(tmp, "status", "--json").stdout or b"{}")
        st.pop("runs", None)
        for b in st.get("qa", {}).get("batches", []):
            b.pop("batch", None)  # a batch id: an ingest killed after opening its batch used one
        out["status"] = st
        out["records"] = self.dg(tmp, "export", "records").stdout.decode()
        out["archive"] = self.dg(tmp, "export", "archive").stdout.decode()
        return out

    def compare(self, what, got, want, report=True):
        bad = []
        for t in sorted(set(got["tables"]) | set(want["tables"])):
            g, w = got["tables"].get(t, []), want["tables"].get(t, [])
            if g != w:
                extra = sorted(set(g) - set(w))[:2]
                lost = sorted(set(w) - set(g))[:2]
                bad.append(f"table {t}: {len(g)} rows, clean {len(w)}; extra {extra} lost {lost}")
        for k in ("status", "records", "archive"):
            if got[k] != want[k]:
                bad.append(f"{k} differs")
        for b in bad if report else ():
            fail(f"{what}: not equal to the clean run: {b}"[:700])
        return not bad

    def verify(self, what, db):
        p = self.dg(db, "audit", "verify")
        if p.returncode != 0:
            fail(f"{what}: audit verify exit {p.returncode}: {p.stdout.decode()[:300]}")
        return p.returncode == 0

    # -- the clean run ----------------------------------------------------
    def reference(self):
        os.makedirs(self.snap)
        os.makedirs(self.scans)
        for f in (CARD, LEDGER):
            shutil.copy(os.path.join(self.samples, f), self.scans)
        db = os.path.join(self.work, "ref.db")
        self.copy_db_empty = os.path.join(self.snap, "before_ingest.db")
        prev = None
        with open(self.pwfile, "wb") as f:
            f.write(PASSWORD)
        os.chmod(self.pwfile, 0o600)
        for stage in STAGES[:STAGES.index(self.last_stage) + 1]:
            if stage == "decide":
                self.decide_item = self.open_item(db)
            if stage == "certify":
                self.cert_study = self.certifiable(db)
            if stage == "review":
                self.review_item = self.open_item(db)
            if stage == "web":
                self.web_item = self.open_item(db)
            if prev is not None:
                self.copy_db(db, os.path.join(self.snap, f"before_{stage}.db"))
            t0 = time.monotonic()
            if stage == "web":  # its time: the POST the server answers
                srv, client = self.web_login(db)
                csrf = client.csrf()
                t0 = time.monotonic()
                st = self.web_decide(client, csrf)[0]
                self.dur[stage] = time.monotonic() - t0
                if srv.stop() != 0 or st != 200:
                    fail(f"reference: the workbench's decision: HTTP {st}")
            else:
                self.dg(db, *self.stage_cmd(stage, db), check=(0,), stdin=self.stdin_for(stage))
                self.dur[stage] = time.monotonic() - t0
            self.copy_db(db, os.path.join(self.snap, f"after_{stage}.db"))
            self.ref[stage] = self.dump(db)
            if stage == "load":
                # the queue load leaves must be whole: `review list` (which
                # refreshes it) adds nothing (a record load set waiting on a
                # missing name got its item only at the next list or load)
                q = os.path.join(self.work, "queue.db")
                self.copy_db(db, q)
                self.dg(q, "review", "list")
                with closing(sqlite3.connect(q)) as c:
                    n = c.execute("SELECT count(*) FROM review_item").fetchone()[0]
                if n != self.ref[stage]["counts"]["review_item"]:
                    fail(f"after load the review queue has {self.ref[stage]['counts']['review_item']}"
                         f" items; `review list` makes it {n}")
            prev = stage
        self.verify("reference", db)
        t0 = time.monotonic()
        self.dg(db, "status")
        self.startup = time.monotonic() - t0  # opening and a query: what a stage costs before its work
        if self.quick:
            self.dur["run"] = sum(self.dur[s] for s in PIPELINE)
            print("clean run: " + ", ".join(f"{s} {self.dur[s]:.1f}s" for s in self.dur), flush=True)
            return
        # `run` from nothing: the whole pipeline in one command
        t0 = time.monotonic()
        self.dg(os.path.join(self.work, "ref_run.db"), "run", self.scans, check=(0,))
        self.dur["run"] = time.monotonic() - t0
        self.compare("clean `run` against the clean stages", self.dump(os.path.join(self.work, "ref_run.db")),
                     self.ref["load"])
        print("clean run: " + ", ".join(f"{s} {self.dur[s]:.1f}s" for s in self.dur), flush=True)

    @staticmethod
    def open_item(db):
        with closing(sqlite3.connect(db)) as c:
            row = c.execute(
                "SELECT ri.id FROM review_item ri JOIN record r ON r.id = ri.record_id "
                "WHERE ri.state = 'open' AND ri.kind = 'field' AND r.state = 'loaded' "
                "ORDER BY ri.id LIMIT 1").fetchone()
        if not row:
            fail("reference: no open review item on a loaded record")
            sys.exit(1)
        return row[0]

    def certifiable(self, db):
        """The first study record certify accepts (nothing of it in review),
        tried on a copy; the archive's signing key made once, next to the
        databases (`key init`), before the certify stage."""
        self.dg(db, "key", "init", check=(0,))
        trial = os.path.join(self.work, "certtry.db")
        self.copy_db(db, trial)
        with closing(sqlite3.connect(db)) as c:
            studies = [r[0] for r in c.execute("SELECT id FROM study_record ORDER BY id")]
        for s in studies:
            if self.dg(trial, "certify", str(s), "--out", os.path.join(self.work, "try.pdf"),
                       "--operator", "campaign").returncode == 0:
                return s
        fail("reference: no study record can be certified")
        sys.exit(1)

    def start_db(self, stage, db):
        for ext in ("", "-wal", "-shm"):
            if os.path.exists(db + ext):
                os.remove(db + ext)
        if stage not in ("ingest", "run"):
            self.copy_db(os.path.join(self.snap, f"before_{stage}.db"), db)

    # -- one kill -9 trial ------------------------------------------------
    @staticmethod
    def max_run(db, running=False):
        """The newest run row's id (of a running one with running=True), 0 if none."""
        if not os.path.exists(db):
            return 0
        try:
            c = sqlite3.connect(db, timeout=0.05)
            try:
                q = "SELECT coalesce(max(id), 0) FROM run" + (" WHERE status = 'running'" if running else "")
                return c.execute(q).fetchone()[0]
            finally:
                c.close()
        except sqlite3.Error:  # not created yet, or busy: look again
            return 0
    def trial(self, n, stage):
        db = os.path.join(self.work, "t.db")
        self.start_db(stage, db)
        delay = self.rng.uniform(0, 1.1 * self.dur[stage])
        by_run = stage == "run" or (stage in PIPELINE and not self.quick and self.rng.random() < 1 / 3)
        # Half the trials of stages that record a run watch the database: the
        # delay counts from the moment the stage's run row says `running`, so
        # short stages are killed inside their work, not only before it.
        watch = stage not in ONE_SHOT and self.rng.random() < 0.5
        if watch:  # within the stage's own work, its start-up left out
            delay = self.rng.uniform(0, max(0.02, self.dur[stage] - self.startup))
        last = self.max_run(db)
        if stage == "certify" and os.path.exists(os.path.join(self.work, "cert.pdf")):
            os.remove(os.path.join(self.work, "cert.pdf"))
        if stage == "web":
            # logged in, then the POST sent from a thread and the server
            # killed while it answers
            srv, client = self.web_login(db)
            csrf = client.csrf()
            def send():
                try:
                    self.web_decide(client, csrf)
                except (OSError, http.client.HTTPException):  # the server died under it
                    pass
            post = threading.Thread(target=send)
            post.start()
            proc = srv.proc
        else:
            proc = subprocess.Popen([self.bin, "--db", db, *self.stage_cmd(stage, db)], cwd=self.work,
                                    stdin=subprocess.PIPE, stdout=subprocess.DEVNULL,
                                    stderr=subprocess.DEVNULL, env=self.env)
            if self.stdin_for(stage):
                proc.stdin.write(self.stdin_for(stage))
            proc.stdin.close()
        if watch:
            while proc.poll() is None and self.max_run(db, running=True) <= last:
                time.sleep(0.005)
        time.sleep(delay)
        proc.send_signal(signal.SIGKILL)
        rc = proc.wait()
        killed = rc == -signal.SIGKILL
        if stage == "web":
            post.join()
            srv.log.close()
        running = 0
        if os.path.exists(db):
            with closing(sqlite3.connect(db)) as c:
                try:
                    running = c.execute("SELECT count(*) FROM run WHERE status = 'running'").fetchone()[0]
                except sqlite3.OperationalError:  # killed before its schema was made
                    pass
        rec = {"trial": n, "stage": stage, "delay": round(delay, 3), "watch": watch, "killed": killed,
               "mid_run": running > 0, "resume": "run" if by_run else "stage"}
        what = (f"trial {n} ({stage}, kill {delay:.2f}s after {'its run began' if watch else 'start'},"
                f" resumed by {rec['resume']})")
        ok = True
        if running:
            st = self.dg(db, "status", "--json").stdout.decode()
            # the run row's stage: `run` begins one run row per stage
            with closing(sqlite3.connect(db)) as c:
                rows = c.execute("SELECT stage, status FROM run WHERE status IN ('running', 'aborted')").fetchall()
                leases = c.execute("SELECT count(*) FROM page WHERE claim_run IS NOT NULL").fetchone()[0]
            if any(s != "aborted" for _, s in rows) or f'"{rows[0][0]} aborted":' not in st:
                ok = False
                fail(f"{what}: the killed run is not shown aborted: {rows} / {st[-200:]}")
            if leases:
                ok = False
                fail(f"{what}: {leases} page leases still held after the reap")
        if by_run:
            self.dg(db, "run", self.scans, check=(0,))
            want = self.ref["load"]
        else:
            rec["resume_how"] = self.resume(stage, db)
            want = self.ref[stage]
        ok = self.compare(what, self.dump(db), want) and ok
        ok = self.verify(what, db) and ok
        rec["equal_and_verified"] = ok
        print(f"{what}: {'killed mid-run' if running else ('killed' if killed else 'had finished')}"
              f" -> {'ok' if ok else 'FAILED'}", flush=True)
        return rec

    # -- other faults -----------------------------------------------------
    def extra_disk(self):
        res = []
        mnt = os.path.join(self.work, "tmpfs")
        os.makedirs(mnt, exist_ok=True)
        final = os.path.getsize(os.path.join(self.snap, "after_load.db"))
        for frac in self.disk_sizes:
            size_kb = max(64, int(final * frac / 1024))
            m = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size_kb}k", "tmpfs", mnt],
                               capture_output=True)
            if m.returncode != 0:
                res.append({"size_kb": size_kb, "skipped": "mount -t tmpfs failed (not root?): "
                            + m.stderr.decode().strip()})
                print("disk full: skipped, cannot mount a tmpfs", flush=True)
                return res
            try:
                db = os.path.join(mnt, "full.db")
                p = self.dg(db, "run", self.scans)
                err = p.stderr.decode(errors="replace").strip()
                r = {"size_kb": size_kb, "exit": p.returncode, "message": err.splitlines()[-1] if err else ""}
                if os.path.exists(db):
                    with closing(sqlite3.connect(db)) as c:
                        try:  # the stage the disk filled in
                            r["stage"] = c.execute("SELECT stage || ' ' || status FROM run ORDER BY id DESC "
                                                   "LIMIT 1").fetchone()
                        except sqlite3.Error:
                            r["stage"] = None
                what = f"disk full at {size_kb} KB"
                if p.returncode < 0 or p.returncode in (0, 1):
                    fail(f"{what}: `run` exit {p.returncode}, want a failure without a signal")
                elif not err:
                    fail(f"{what}: `run` failed without a message")
                if os.path.exists(db):
                    # verify opens the database read-only: it must verify on
                    # the full disk, or refuse (exit 3, naming the -wal) only
                    # when the -wal holds changes and the -shm cannot be made
                    v = self.dg(db, "audit", "verify")
                    r["verify_when_full"] = v.returncode
                    r["verify_says"] = (v.stdout + v.stderr).decode(errors="replace").strip()[-160:]
                    if v.returncode != 0 and not (v.returncode == 3 and "-wal" in r["verify_says"]):
                        fail(f"{what}: audit verify on the full disk exit {v.returncode}: {r['verify_says']}")
                    for ext in ("", "-wal", "-shm"):
                        if os.path.exists(db + ext):
                            shutil.copy(db + ext, os.path.join(self.work, "moved.db" + ext))
                    moved = os.path.join(self.work, "moved.db")
                    self.dg(moved, "run", self.scans, check=(0,))
                    r["equal_after_move"] = self.compare(what + ", moved and resumed", self.dump(moved),
                                                         self.ref["load"]) and self.verify(what, moved)
                    for ext in ("", "-wal", "-shm"):
                        if os.path.exists(moved + ext):
                            os.remove(moved + ext)
                res.append(r)
                print(f"{what}: {r}", flush=True)
            finally:
                subprocess.run(["umount", mnt])
        return res

    def extra_scans(self):
        res = {}
        d = os.path.join(self.work, "scanfault")
        shutil.rmtree(d, ignore_errors=True)
        os.makedirs(d)
        for f in (CARD, LEDGER):
            shutil.copy(os.path.join(self.samples, f), d)
        db = os.path.join(self.work, "scan.db")
        self.start_db("ingest", db)
        self.dg(db, "ingest", d, check=(0,))
        os.remove(os.path.join(d, CARD))                          # deleted before OCR
        p = self.dg(db, "ocr", check=(1,))
        with closing(sqlite3.connect(db)) as c:
            rows = c.execute("SELECT f.path, p.state, coalesce(p.error, '') FROM page p "
                             "JOIN file f ON f.id = p.file_id ORDER BY f.path").fetchall()
        res["deleted_before_ocr"] = {"exit": p.returncode, "pages": rows}
        card = [r for r in rows if r[0].endswith(CARD)]
        ledger = [r for r in rows if r[0].endswith(LEDGER)]
        if not card or card[0][1] != "failed" or CARD not in card[0][2]:
            fail(f"scan deleted before ocr: the card's page should fail naming the file: {card}")
        if not ledger or ledger[0][1] != "read":
            fail(f"scan deleted before ocr: the ledger should be read: {ledger}")
        # the ledger goes on to the archive; then its scan changes under it
        for s in ("extract", "reread", "normalize", "load"):
            self.dg(db, s, check=(0, 1))
        with open(os.path.join(d, LEDGER), "r+b") as f:         # changed after load
            f.seek(5000)
            f.write(b"\x00" * 64)
        p = self.dg(db, "provenance", "1", "name")
        out = (p.stdout + p.stderr).decode(errors="replace")
        res["changed_provenance"] = {"exit": p.returncode, "says": [l for l in out.splitlines()
                                                                     if "chang" in l or "differ" in l or "sha" in l.lower()][:3]}
        if LEDGER not in out or "SCAN CHANGED OR MISSING" not in out or "changed since ingest" not in out:
            fail(f"scan changed after load: `provenance` should say the file no longer matches "
                 f"its SHA-256: {out[:300]}")
        p = self.dg(db, "fixity")
        out = (p.stdout + p.stderr).decode(errors="replace")
        res["fixity"] = {"exit": p.returncode, "out": out.strip().splitlines()[-3:]}
        if p.returncode != 1 or CARD not in out or LEDGER not in out:
            fail(f"fixity should report the deleted card and the changed ledger (exit 1): {out[-400:]}")
        self.verify("scans deleted/changed", db)
        # a scan changed between ocr and reread: reread must not read the new bytes
        db2 = os.path.join(self.work, "scan2.db")
        shutil.copy(os.path.join(self.samples, LEDGER), d)        # the original again
        shutil.copy(os.path.join(self.samples, CARD), d)
        self.start_db("ingest", db2)
        self.dg(db2, "ingest", d, check=(0,))
        self.dg(db2, "ocr", check=(0,))
        self.dg(db2, "extract", check=(0,))
        shutil.copy(os.path.join(self.samples, "s008_reg_clean.jpg"), os.path.join(d, CARD))
        p = self.dg(db2, "reread")
        out = (p.stdout + p.stderr).decode(errors="replace")
        with closing(sqlite3.connect(db2)) as c:
            n = c.execute("SELECT count(*) FROM field_reading fr JOIN field f ON f.id = fr.field_id "
                          "JOIN record r ON r.id = f.record_id WHERE r.page_id = "
                          "(SELECT p.id FROM page p JOIN file f ON f.id = p.file_id WHERE f.path LIKE ?)",
                          ("%" + CARD,)).fetchone()[0]
        res["changed_before_reread"] = {"exit": p.returncode, "card_readings": n,
                                        "says": out.strip().splitlines()[-2:]}
        if n:
            fail(f"scan changed before reread: {n} readings taken from the changed card")
        if CARD not in out:
            fail(f"scan changed before reread: reread should name the changed file: {out[-300:]}")
        self.verify("scan changed before reread", db2)
        print(f"scans: {json.dumps(res, ensure_ascii=False)}", flush=True)
        return res

    def together(self, name, before, cmds, want, then=(), known_why=None, exits=(0, 1), stdin=None):
        db = os.path.join(self.work, "c.db")
        self.start_db(before, db)
        if before == "ingest":
            self.dg(db, "ingest", self.scans, check=(0,))
        procs = [subprocess.Popen([self.bin, "--db", db, *c], cwd=self.work, stdin=subprocess.PIPE,
                                  stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=self.env)
                 for c in cmds]
        for p in procs:
            if stdin:
                p.stdin.write(stdin)
            p.stdin.close()
        rcs = [(p.wait(), p.stderr.read().decode(errors="replace")[-200:]) for p in procs]
        for c in then:
            self.dg(db, *c, check=(0,))
        ok = all(rc in exits for rc, _ in rcs) and any(rc in (0, 1) for rc, _ in rcs)
        if not ok:
            fail(f"concurrent {name}: exits {rcs}")
        if known_why:
            equal = self.compare(f"concurrent {name}", self.dump(db), self.ref[want], report=False)
            if not equal:
                note_known(f"concurrent {name}: not equal to the clean run: {known_why}")
        else:
            ok = self.compare(f"concurrent {name}", self.dump(db), self.ref[want]) and ok
        ok = self.verify(f"concurrent {name}", db) and ok
        print(f"concurrent {name}: exits {[r for r, _ in rcs]} -> {'ok' if ok else 'FAILED'}", flush=True)
        return {"what": name, "exits": [r for r, _ in rcs], "equal_and_verified": ok}

    def extra_concur(self, quick, normalize_pairs=1):
        if quick:
            return [self.together("two ocr", "ocr", [["ocr"], ["ocr"]], "ocr"),
                    self.together("two reread", "reread", [["reread"], ["reread"]], "reread"),
                    self.together("two load", "load", [["load"], ["load"]], "load")]
        res = [
            self.together("two ingest", "ingest", [["ingest", self.scans]] * 2, "ingest"),
            self.together("two ocr", "ocr", [["ocr"], ["ocr"]], "ocr"),
            self.together("ocr beside run", "ingest", [["ocr"], ["run", self.scans]], "load",
                          then=[["run", self.scans]]),
            self.together("two extract", "extract", [["extract"], ["extract"]], "extract"),
            self.together("two reread", "reread", [["reread"], ["reread"]], "reread"),
            self.together("normalize beside run", "normalize", [["normalize"], ["run", self.scans]],
                          "load", then=[["run", self.scans]]),
            self.together("two load", "load", [["load"], ["load"]], "load"),
        ]
        # the pair the last campaign found unequal (a field's column evidence
        # read its neighbours as whatever state they were in), many times
        res += [self.together(f"two normalize ({i + 1})", "normalize", [["normalize"], ["normalize"]],
                              "normalize") for i in range(normalize_pairs)]
        # one-shot writers twice at once: one does it, the other is refused
        # (the name taken: 4; the item decided by the other: 6), never twice
        if STAGES.index(self.last_stage) >= STAGES.index("decide"):
            res += [self.together("two user add", "user", [self.stage_cmd("user", None)] * 2, "user",
                                  exits=(0, 4), stdin=PASSWORD),
                    self.together("two decisions on one item", "decide",
                                  [self.stage_cmd("decide", None)] * 2, "decide", exits=(0, 6))]
        return res

    def shards_of(self, d, scans):
        """The scans in scans split by `shard plan --shards 2`, each shard run
        into its own database."""
        p = subprocess.run([self.bin, "shard", "plan", "--shards", "2", scans], capture_output=True,
                           cwd=self.work, env=self.env)
        plan = os.path.join(d, "plan.tsv")
        with open(plan, "wb") as f:
            f.write(p.stdout)
        shards = []
        for k in (1, 2):
            db = os.path.join(d, f"shard-{k}.db")
            self.dg(db, "run", "--shard", f"{k}/2", "--plan", plan, check=(0, 1))
            shards.append(db)
        return shards

    def extra_merge(self, trials):
        """`merge` of two shard databases killed at a random point and run
        again ends equal to one clean merge (ids, references, the shards'
        events), verifies, and a further merge adds nothing; then the same
        with the same graduates in both shards (the ledger, whose rows load,
        and a copy of it that differs by a JPEG comment, so it lands in the
        other shard), whose merge relinks their study records (`arc_relink`)."""
        d = os.path.join(self.work, "merge")
        shutil.rmtree(d, ignore_errors=True)
        os.makedirs(d)
        shards = self.shards_of(d, self.scans)
        res = self.merge_trials(d, shards, trials, "merge")
        if self.ref["load"]["counts"].get("study_record") != res["study_records"]:
            fail(f"clean merge: {res['study_records']} study records, the clean run "
                 f"{self.ref['load']['counts'].get('study_record')}")
        # the same graduates in both shards: a kill during the relinking merge
        d = os.path.join(self.work, "relink")
        shutil.rmtree(d, ignore_errors=True)
        os.makedirs(os.path.join(d, "in"))
        with open(os.path.join(self.samples, LEDGER), "rb") as f:
            scan = f.read()
        shutil.copy(os.path.join(self.samples, LEDGER), os.path.join(d, "in"))
        copy = os.path.join(d, "in", "copy_" + LEDGER)
        for i in range(64):  # a comment segment after SOI: the same pixels, other bytes
            note = b"dangan campaign %d" % i
            with open(copy, "wb") as f:
                f.write(scan[:2] + b"\xff\xfe" + (len(note) + 2).to_bytes(2, "big") + note + scan[2:])
            p = subprocess.run([self.bin, "shard", "plan", "--shards", "2", os.path.join(d, "in")],
                               capture_output=True, env=self.env).stdout.decode()
            if len({line.split("\t")[0] for line in p.splitlines()[1:] if line.strip()}) == 2:
                break
        shards = self.shards_of(d, os.path.join(d, "in"))
        persons = 0
        for s in shards:
            with closing(sqlite3.connect(s)) as c:
                persons += c.execute("SELECT count(*) FROM person").fetchone()[0]
        res["relink"] = self.merge_trials(d, shards, max(1, trials // 2), "relinking merge")
        if res["relink"]["persons"] >= persons:
            fail(f"relinking merge: {res['relink']['persons']} persons from the shards' {persons}:"
                 " nothing linked across the shards")
        return res

    def merge_trials(self, d, shards, trials, label):
        ref = os.path.join(d, "ref.db")
        t0 = time.monotonic()
        self.dg(ref, "merge", "--into", ref, *shards, check=(0,))
        dur = time.monotonic() - t0
        self.verify(f"clean {label}", ref)
        want = self.dump(ref)
        res = []
        for i in range(trials):
            db = os.path.join(d, "m.db")
            for ext in ("", "-wal", "-shm"):
                if os.path.exists(db + ext):
                    os.remove(db + ext)
            delay = self.rng.uniform(0, 1.1 * dur)
            proc = subprocess.Popen([self.bin, "--db", db, "merge", "--into", db, *shards], cwd=self.work,
                                    stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=self.env)
            time.sleep(delay)
            proc.send_signal(signal.SIGKILL)
            killed = proc.wait() == -signal.SIGKILL
            self.dg(db, "merge", "--into", db, *shards, check=(0,))
            what = f"{label} trial {i} (killed at {delay:.2f}s)"
            ok = self.compare(what, self.dump(db), want) and self.verify(what, db)
            self.dg(db, "merge", "--into", db, *shards, check=(0,))
            ok = self.compare(what + ", merged again", self.dump(db), want) and ok
            res.append({"delay": round(delay, 3), "killed": killed, "equal_and_verified": ok})
            print(f"{what}: {'killed' if killed else 'had finished'} -> {'ok' if ok else 'FAILED'}", flush=True)
        return {"clean_seconds": round(dur, 2), "trials": res,
                "study_records": want["counts"].get("study_record", 0),
                "persons": want["counts"].get("person", 0)}

    def extra_bad(self, trials):
        here = os.path.dirname(os.path.abspath(__file__))
        d = os.path.join(self.work, "bad")
        shutil.rmtree(d, ignore_errors=True)
        subprocess.run([sys.executable, os.path.join(here, "make_bad_corpus.py"), d, self.samples],
                       check=True, capture_output=True)
        shutil.copy(os.path.join(self.samples, CARD), d)
        n_bad = sum(1 for _ in open(os.path.join(d, "MANIFEST.tsv"), "rb"))
        ref = os.path.join(self.work, "badref.db")
        self.start_db("ingest", ref)
        t0 = time.monotonic()
        self.dg(ref, "ingest", "bad", check=(1,))
        dur = time.monotonic() - t0
        want = self.dump(ref)
        if want["counts"].get("quarantine") != n_bad:
            fail(f"bad corpus: {want['counts'].get('quarantine')} quarantined, manifest has {n_bad}")
        res = []
        for i in range(trials):
            db = os.path.join(self.work, "bad.db")
            self.start_db("ingest", db)
            delay = self.rng.uniform(0, 1.1 * dur)
            p = subprocess.Popen([self.bin, "--db", db, "ingest", "bad"], cwd=self.work,
                                 stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            time.sleep(delay)
            p.send_signal(signal.SIGKILL)
            killed = p.wait() == -signal.SIGKILL
            self.dg(db, "ingest", "bad", check=(1,))
            what = f"bad corpus trial {i} (ingest killed at {delay:.2f}s)"
            ok = self.compare(what, self.dump(db), want) and self.verify(what, db)
            res.append({"delay": round(delay, 3), "killed": killed, "equal_and_verified": ok})
            print(f"{what}: {'killed' if killed else 'had finished'} -> {'ok' if ok else 'FAILED'}", flush=True)
        return {"entries": n_bad, "trials": res}


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--dangan", required=True)
    ap.add_argument("--samples", required=True)
    ap.add_argument("--work", required=True)
    ap.add_argument("--trials", type=int, default=len(STAGES))
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--stages", default=",".join(STAGES + ["run"]))
    ap.add_argument("--extras", default="disk,scans,concur,bad,merge")
    ap.add_argument("--bad-trials", type=int, default=3)
    ap.add_argument("--disk-sizes", default="0.3,0.9,1.5,2.5,4",
                    help="tmpfs sizes for the disk-full fault, as fractions of the clean database")
    ap.add_argument("--quick", action="store_true",
                    help="the CI version: no clean `run` to compare the stages with, resumes by"
                         " the stage only, three concurrent pairs")
    ap.add_argument("--normalize-pairs", type=int, default=1,
                    help="how many times two `normalize` are run at once (--extras concur)")
    ap.add_argument("--merge-trials", type=int, default=5,
                    help="kill -9 trials of `merge` (--extras merge)")
    ap.add_argument("--report")
    a = ap.parse_args()
    stages = [s for s in a.stages.split(",") if s]
    for s in stages:
        if s not in STAGES + ["run"]:
            ap.error(f"unknown stage {s}")
    # the clean run goes as far as the trials need (the extras: load)
    a.last_stage = STAGES[max([STAGES.index("load")] + [STAGES.index(s) for s in stages if s in STAGES])]
    shutil.rmtree(a.work, ignore_errors=True)
    os.makedirs(a.work)
    c = Campaign(a)
    t0 = time.monotonic()
    c.reference()
    report = {"seed": a.seed, "trials": [], "clean_seconds": {k: round(v, 2) for k, v in c.dur.items()}}
    order = []
    while len(order) < a.trials:  # every stage as often as the others, in a seeded order
        batch = stages[:]
        c.rng.shuffle(batch)
        order += batch
    for n, stage in enumerate(order[:a.trials]):
        report["trials"].append(c.trial(n, stage))
    extras = [e for e in a.extras.split(",") if e]
    if "disk" in extras:
        report["disk_full"] = c.extra_disk()
    if "scans" in extras:
        report["scans"] = c.extra_scans()
    if "concur" in extras:
        report["concurrent"] = c.extra_concur(a.quick, a.normalize_pairs)
    if "bad" in extras:
        report["bad_inputs"] = c.extra_bad(a.bad_trials)
    if "merge" in extras:
        report["merge"] = c.extra_merge(a.merge_trials)
    report["failures"] = failures
    report["known"] = known
    report["seconds"] = round(time.monotonic() - t0, 1)
    if a.report:
        with open(a.report, "w") as f:
            json.dump(report, f, ensure_ascii=False, indent=1)
    by = {}
    for t in report["trials"]:
        s = by.setdefault(t["stage"], [0, 0, 0])
        s[0] += 1
        s[1] += t["mid_run"]
        s[2] += t["equal_and_verified"]
    print("per stage (trials, killed mid-run, equal+verified): "
          + ", ".join(f"{k} {v[0]}/{v[1]}/{v[2]}" for k, v in sorted(by.items())))
    print(f"campaign: {len(report['trials'])} trials, {len(failures)} failures, {len(known)} known"
          f" faults, {report['seconds']} s")
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
