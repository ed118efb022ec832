"""webfix.py - the workspace and server the web tests share.

Builds the review fixture (`test_review fixture DB DIR`), gives it two more
name items whose readers disagree (so there is something to pick), adds
users through `dangan user add` (password on standard input), starts
`dangan serve --listen 127.0.0.1:0` and reads the port from its first line.
"""
import os
import re
import shutil
import signal
import sqlite3
import subprocess
import time

PASSWORDS = {"alice": "alice-secret", "bob": "bob-secret!", "audrey": "auditor-pw",
             "rita": "registrar-pw"}
ROLES = {"alice": "operator", "bob": "operator", "audrey": "auditor", "rita": "registrar"}


def build(dangan, fixture, work):
    shutil.rmtree(work, ignore_errors=True)
    os.makedirs(work)
    db = os.path.join(work, "r.db")
    subprocess.run([fixture, "fixture", db, work], check=True)
    con = sqlite3.connect(db)
    # record 2's name (张三) and record 3's name (李四, read 季四 by the
    # second reader) go to review: a correction and a pick
    con.execute("UPDATE field SET state = 'review', flag = 'low_confidence 52 < 60' "
                "WHERE id IN (11, 21)")
    con.execute("INSERT INTO field_reading (field_id, reader, text, conf) VALUES "
                "(21, 'tesseract', '李四', 0.52), (21, 'rec2', '季四', 0.47)")
    # a ledger column read alike: record 2's and 3's enrolment, both 85.9,
    # both in review on one page (accepted together with `a` on the queue)
    con.execute("UPDATE field SET state = 'review', flag = 'low_confidence 55 < 60' "
                "WHERE id = 16")
    con.execute("INSERT INTO field (id, record_id, key, raw, value, state, conf_min, conf_mean, "
                "x, y, w, h, words, rule, flag, norm_run) SELECT 26, 3, key, raw, value, "
                "'review', 55, 55, x, 130, w, h, words, rule, flag, norm_run FROM field "
                "WHERE id = 16")
    # what the normalize stage would weigh: p for the dashboard's plot
    con.execute("UPDATE field SET p = CASE WHEN state = 'auto' THEN 0.97 "
                "WHEN state = 'review' THEN 0.45 END WHERE state IN ('auto', 'review')")
    con.commit()
    con.close()
    add_users(dangan, db)
    return db


def add_users(dangan, db):
    env = dict(os.environ, DANGAN_DB=db)
    for name, pw in PASSWORDS.items():
        subprocess.run([dangan, "user", "add", name, "--role", ROLES[name]],
                       input=pw + "\n", text=True, check=True, env=env,
                       stdout=subprocess.DEVNULL)


class Server:
    def __init__(self, dangan, db, work, prefix=(), start_timeout=20):
        """prefix: a command to run the server under (valgrind ...)."""
        self.log_path = os.path.join(work, "serve.log")
        self.log = open(self.log_path, "w+")
        env = dict(os.environ, DANGAN_DB=db)
        self.proc = subprocess.Popen(list(prefix) + [dangan, "serve", "--listen", "127.0.0.1:0"],
                                     stderr=self.log, env=env)
        deadline = time.time() + start_timeout
        self.port = None
        while time.time() < deadline and self.port is None:
            time.sleep(0.1)
            m = re.search(r"listening on http://127\.0\.0\.1:(\d+)/", self.text())
            if m:
                self.port = int(m.group(1))
            if self.proc.poll() is not None:
                break
        if self.port is None:
            raise RuntimeError("dangan serve did not start:\n" + self.text())
        self.url = "http://127.0.0.1:%d" % self.port

    def text(self):
        with open(self.log_path) as f:
            return f.read()

    def stop(self):
        """SIGTERM; returns the exit code."""
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.log.close()
        return self.proc.returncode


def query(db, sql, *args):
    con = sqlite3.connect(db, timeout=10)
    try:
        return con.execute(sql, args).fetchall()
    finally:
        con.close()


def item_of_field(db, field_id):
    rows = query(db, "SELECT id FROM review_item WHERE field_id = ? AND kind = 'field'", field_id)
    return rows[0][0] if rows else None


def make_conflict(dangan, db):
    """Card and ledger of one person that disagree on the enrolment date:
    the ledger row's fields back to auto with 1986-09 against the card's
    1985-09, the card's major matched by an operator, then `dangan load`
    links the two and raises a conflict item.  Returns its id."""
    con = sqlite3.connect(db)
    con.execute("UPDATE field SET state = 'auto', flag = NULL WHERE id IN (11, 16)")
    con.execute("UPDATE field SET raw = '86.9', value = '1986-09' WHERE id = 16")
    con.commit()
    con.close()
    env = dict(os.environ, DANGAN_DB=db)
    subprocess.run([dangan, "review", "list"], check=True, env=env, stdout=subprocess.DEVNULL)
    match = query(db, "SELECT id FROM review_item WHERE kind = 'match'")[0][0]
    # the workspace has app users: a decision is made by one of them
    subprocess.run([dangan, "review", "pick", str(match), "1", "--user", "alice"],
                   input=PASSWORDS["alice"] + "\n", text=True,
                   check=True, env=env, stdout=subprocess.DEVNULL)
    subprocess.run([dangan, "load"], check=True, env=env, stdout=subprocess.DEVNULL)
    rows = query(db, "SELECT id FROM review_item WHERE kind = 'conflict'")
    return rows[0][0] if rows else None


def build_certifiable(dangan, fixture, work):
    """The fixture as tests/cli/certify_cli.sh settles it: record 1's
    review items decided and loaded (study s1, certifiable), record 3's
    graduation date still invalid (study s2, refused); a signing key; the
    users.  Returns (db, s1, s2)."""
    shutil.rmtree(work, ignore_errors=True)
    os.makedirs(work)
    db = os.path.join(work, "r.db")
    subprocess.run([fixture, "fixture", db, work], check=True)
    env = dict(os.environ, DANGAN_DB=db)
    env.pop("DANGAN_CERT_KEY", None)
    for args in (["review", "list"], ["review", "accept", "1", "--operator", "alice"],
                 ["review", "pick", "3", "1", "--operator", "alice"], ["load"], ["key", "init"]):
        subprocess.run([dangan] + args, check=True, env=env, stdout=subprocess.DEVNULL)
    add_users(dangan, db)
    s1 = query(db, "SELECT study_id FROM study_source WHERE record_id = 1")[0][0]
    s2 = query(db, "SELECT study_id FROM study_source WHERE record_id = 3")[0][0]
    return db, s1, s2


def payload_of(pdf_bytes):
    """The signed payload a certificate PDF carries (DGC1.CONTENT.SIG)."""
    m = re.search(rb"DGC1\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+", pdf_bytes)
    return m.group(0).decode() if m else None


def forge(pdf_bytes):
    """The PDF with one character of its signed content changed."""
    p = payload_of(pdf_bytes).encode()
    i = 40
    c = b"B" if p[i:i + 1] == b"A" else b"A"
    return pdf_bytes.replace(p, p[:i] + c + p[i + 1:])
