#!/usr/bin/env python3
"""serve_http.py - `dangan serve` over plain HTTP (no browser): login and
its CSRF cookie, the lockout, the security headers, role checks on the
server, the CSRF check of every POST, a decision recorded with the
logged-in user, one log line per request, and a clean stop on SIGTERM.

usage: serve_http.py DANGAN TEST_REVIEW WORKDIR
"""
import http.cookiejar
import json
import os
import re
import subprocess
import sys
import urllib.error
import urllib.parse
import urllib.request

import webfix

failures = 0


def check(what, cond, detail=""):
    global failures
    if not cond:
        failures += 1
        print("FAIL: %s %s" % (what, detail))
    else:
        print("ok: %s" % what)


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *a, **k):
        return None


class Client:
    def __init__(self, base):
        self.base = base
        self.jar = http.cookiejar.CookieJar()
        self.op = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar),
                                              NoRedirect())

    def req(self, method, path, data=None):
        body = urllib.parse.urlencode(data).encode() if data is not None else None
        r = urllib.request.Request(self.base + path, data=body, method=method)
        try:
            resp = self.op.open(r, timeout=300)
        except urllib.error.HTTPError as e:
            resp = e
        return resp.status, dict(resp.headers), resp.read().decode("utf-8", "replace"), resp.headers

    def get_bytes(self, path):
        """GET for an image: status, headers, the body undecoded."""
        try:
            resp = self.op.open(urllib.request.Request(self.base + path), timeout=300)
        except urllib.error.HTTPError as e:
            resp = e
        return resp.status, dict(resp.headers), resp.read()

    def login(self, name, pw):
        st, h, body, _ = self.req("GET", "/login")
        token = re.search(r'name="csrf" value="([0-9a-f]{64})"', body).group(1)
        return self.req("POST", "/login", {"csrf": token, "name": name, "password": pw})

    def csrf(self):
        st, h, body, _ = self.req("GET", "/queue")
        m = re.search(r'<meta name="csrf" content="([0-9a-f]{64})">', body)
        return m.group(1) if m else ""


def main():
    dangan, fixture, work = sys.argv[1:4]
    db = webfix.build(dangan, fixture, work)
    srv = webfix.Server(dangan, db, work)
    try:
        run(srv, db)
    finally:
        code = srv.stop()
    check("SIGTERM: exit 0", code == 0, str(code))
    log = srv.text()
    check("SIGTERM: stopped line", "dangan serve: stopped" in log, log[-300:])
    lines = [l for l in log.splitlines() if re.match(r"^\d{4}-\d\d-\d\dT", l)]
    check("one log line per request (%d)" % len(lines), len(lines) == requests_made, log[-500:])
    check("log lines name method, path, status, user",
          any(re.search(r" 127\.0\.0\.1 POST /api/decide 200 \d+B [\d.]+ms user=alice$", l)
              for l in lines), "\n".join(lines[-5:]))
    check("the password is never in the log", "alice-secret" not in log)
    v = subprocess.run([dangan, "audit", "verify"], env=dict(os.environ, DANGAN_DB=db),
                       capture_output=True, text=True)
    check("audit verify after the sessions: intact", v.returncode == 0, v.stdout + v.stderr)
    report(dangan, db, work)
    conflict_sides(dangan, fixture, work)
    import workbench_http
    workbench_http.run(dangan, fixture, work + "/workbench", Client, check)
    certificates(dangan, fixture, work)
    print("%d failures" % failures)
    return 1 if failures else 0


def report(dangan, db, work):
    """`dangan report --html`: the dashboard as one file that needs nothing else."""
    import subprocess
    path = work + "/report.html"
    p = subprocess.run([dangan, "--db", db, "report", "--html", path], capture_output=True,
                       text=True)
    check("report --html: exit 0", p.returncode == 0, p.stderr)
    try:
        with open(path, encoding="utf-8") as f:
            html = f.read()
    except OSError:
        html = ""
    check("report: the plots and the batch", html.count("<svg") >= 4 and "Batch 1" in html
          and "review items" in html)
    check("report: self-contained (styles inside, no script, nothing fetched)",
          "<style>" in html and "<script" not in html and "/assets/" not in html
          and "http://" not in html and "https://" not in html)
    p = subprocess.run([dangan, "--db", db, "report"], capture_output=True, text=True)
    check("report without --html: exit 2", p.returncode == 2, str(p.returncode))


def conflict_sides(dangan, fixture, work):
    """A conflict between card and ledger shows both crops."""
    cwork = work + "/conflict"
    db = webfix.build(dangan, fixture, cwork)
    item = webfix.make_conflict(dangan, db)
    check("the fixture raised a conflict item", item is not None)
    if item is None:
        return
    srv = webfix.Server(dangan, db, cwork)
    try:
        c = Client(srv.url)
        c.login("alice", "alice-secret")
        st, h, body, _ = c.req("GET", "/item/%d" % item)
        check("conflict item: both crops side by side",
              st == 200 and 'src="/crop/%d.png"' % item in body
              and 'src="/crop/%d.png?side=archived"' % item in body, body[-1500:])
        st, h, body, _ = c.req("GET", "/crop/%d.png?side=archived" % item)
        check("the archived side's crop is a PNG", st == 200 and h.get("Content-Type") ==
              "image/png", str(st))
        other = webfix.item_of_field(db, 25)
        st, h, body, _ = c.req("GET", "/crop/%d.png?side=archived" % other)
        check("no archived side for an item that is no conflict: 404", st == 404, str(st))
        st, h, body, _ = c.req("GET", "/search?name=" + urllib.parse.quote("张三"))
        check("an operator may not search: 403", st == 403, str(st))

        # the registrars' search, and provenance one click away, both logged
        rg = Client(srv.url)
        st, h, body, _ = rg.login("rita", "registrar-pw")
        check("a registrar lands on the search", h.get("Location") == "/search",
              str(h.get("Location")))
        st, h, body, _ = rg.req("GET", "/search?name=" + urllib.parse.quote("zhang san"))
        m = re.search(r'href="/provenance/(\d+)"', body)
        check("search by pinyin finds 張三 (as written) with a provenance link",
              st == 200 and "張三" in body and m is not None, body[-800:])
        if m:
            st, h, body, _ = rg.req("GET", "/provenance/" + m.group(1))
            crop = re.search(r'src="/fieldcrop/(\d+)\.png"', body)
            check("provenance: each value with its scan, box and crop",
                  st == 200 and "sha256" in body and "box x=" in body and crop is not None,
                  body[-800:])
            if crop:
                st, h, body, _ = rg.req("GET", "/fieldcrop/%s.png" % crop.group(1))
                check("the value's crop is a PNG", st == 200 and
                      h.get("Content-Type") == "image/png", str(st))
        log = webfix.query(db, "SELECT who, action FROM access_log ORDER BY id")
        check("the search and the provenance are in the access log under rita",
              ("rita", "lookup") in log and ("rita", "provenance") in log, str(log))
    finally:
        srv.stop()


def multipart(c, path, fields, files):
    """POST multipart/form-data (the verification page's upload)."""
    boundary = "----dangantest7d1f"
    parts = []
    for k, v in fields.items():
        parts.append(("--%s\r\nContent-Disposition: form-data; name=\"%s\"\r\n\r\n" %
                      (boundary, k)).encode() + v.encode() + b"\r\n")
    for k, (name, data) in files.items():
        parts.append(("--%s\r\nContent-Disposition: form-data; name=\"%s\"; filename=\"%s\"\r\n"
                      "Content-Type: application/pdf\r\n\r\n" % (boundary, k, name)).encode()
                     + data + b"\r\n")
    body = b"".join(parts) + ("--%s--\r\n" % boundary).encode()
    r = urllib.request.Request(c.base + path, data=body, method="POST", headers={
        "Content-Type": "multipart/form-data; boundary=" + boundary})
    try:
        resp = c.op.open(r, timeout=60)
    except urllib.error.HTTPError as e:
        resp = e
    return resp.status, resp.read().decode("utf-8", "replace")


def verdict(body):
    m = re.search(r'data-verdict="([a-z-]+)"', body)
    return m.group(1) if m else None


def certificates(dangan, fixture, work):
    """The registrar's certify button and the public verification page."""
    import subprocess
    cwork = work + "/certify"
    db, s1, s2 = webfix.build_certifiable(dangan, fixture, cwork)
    srv = webfix.Server(dangan, db, cwork)
    try:
        rg = Client(srv.url)
        rg.login("rita", "registrar-pw")
        st, h, body, _ = rg.req("GET", "/search?name=" + urllib.parse.quote("张三"))
        check("search: a certify button by the found record",
              'href="/certify/%d"' % s1 in body, body[-800:])
        st, h, body, _ = rg.req("GET", "/certify/%d" % s1)
        check("certify form: audience, requester, purpose, language",
              st == 200 and all('name="%s"' % n in body for n in ("audience", "for", "purpose",
                                                                 "lang"))
              and '<option value="outside">' in body, body[-1500:])
        m = re.search(r'<meta name="csrf" content="([0-9a-f]{64})">', body)
        check("the certify form carries the session's CSRF token", m is not None)
        if m is None:
            return
        csrf = m.group(1)
        form = {"audience": "", "for": "ACME 有限公司", "purpose": "background check",
                "lang": "zh"}
        st, h, body, _ = rg.req("POST", "/certify/%d" % s1, form)
        check("certify without CSRF: 403", st == 403, str(st))
        st, h, body, _ = rg.req("POST", "/certify/%d" % s1, dict(form, purpose=""))
        check("a requester without a purpose: 400", st in (400, 403), str(st))
        n0 = webfix.query(db, "SELECT count(*) FROM certificate")[0][0]
        check("no certificate from the refused POSTs", n0 == 0, str(n0))
        r = urllib.request.Request(srv.url + "/certify/%d" % s1, method="POST",
                                   data=urllib.parse.urlencode(dict(form, csrf=csrf)).encode())
        resp = rg.op.open(r, timeout=60)
        pdf = resp.read()
        check("certify: a PDF download", resp.status == 200 and pdf.startswith(b"%PDF")
              and resp.headers.get("Content-Type") == "application/pdf"
              and "attachment" in (resp.headers.get("Content-Disposition") or ""),
              str(dict(resp.headers)))
        with open(cwork + "/web.pdf", "wb") as f:
            f.write(pdf)
        txt = subprocess.run(["pdftotext", cwork + "/web.pdf", "-"], capture_output=True,
                             text=True).stdout
        check("pdftotext: the certificate of 張三 for ACME", "学籍证明" in txt and "張三" in txt
              and "ACME 有限公司" in txt, txt[:400])
        row = webfix.query(db, "SELECT who, requester, purpose, audience FROM certificate")
        check("registered under the logged-in registrar",
              row == [("rita", "ACME 有限公司", "background check", "outside")], str(row))
        log = webfix.query(db, "SELECT who FROM access_log WHERE action = 'certify'")
        ev = webfix.query(db, "SELECT who FROM audit_event WHERE kind = 'certify'")
        check("access log and audit event under rita", log == [("rita",)] and ev == [("rita",)],
              str((log, ev)))
        st, h, body, _ = rg.req("GET", "/certify/%d" % s2)
        check("the form of a record not settled gives the reasons up front",
              st == 200 and "cannot be certified yet" in body
              and "grad_date: invalid (month 13)" in body, body[-1200:])
        st, h, body, _ = rg.req("GET", "/certify/%d" % s1)
        check("... and a settled record's form gives none", "cannot be certified" not in body)
        st, h, body, _ = rg.req("POST", "/certify/%d" % s2, dict(form, csrf=csrf))
        check("a record not settled: 409 naming the field and why",
              st == 409 and "grad_date: invalid (month 13)" in body, body[-1200:])
        st, h, body, _ = rg.req("POST", "/certify/999", dict(form, csrf=csrf))
        check("an unknown study: 404", st == 404, str(st))
        op = Client(srv.url)
        op.login("alice", "alice-secret")
        st, h, body, _ = op.req("GET", "/certify/%d" % s1)
        check("an operator may not certify: 403", st == 403, str(st))
        st, h, body, _ = op.req("POST", "/certify/%d" % s1, dict(form, csrf=op.csrf()))
        check("an operator's POST: 403", st == 403, str(st))
        check("still one certificate",
              webfix.query(db, "SELECT count(*) FROM certificate")[0][0] == 1)

        # the public page: no login
        pub = Client(srv.url)
        code = webfix.query(db, "SELECT code FROM certificate")[0][0]
        st, h, body, _ = pub.req("GET", "/verify")
        check("verify page without login: 200 with the form", st == 200 and 'name="pdf"' in body
              and 'name="text"' in body and 'name="csrf"' not in body, str(st))
        st, body = multipart(pub, "/verify", {"text": ""}, {"pdf": ("c.pdf", pdf)})
        check("the uploaded PDF: authentic and current",
              st == 200 and verdict(body) == "current" and "張三" in body, body[-1500:])
        check("shows what the certificate shows, nothing more",
              "DG-" in body and "ACME" in body and "导师" not in body, body[-1500:])
        st, h, body, _ = pub.req("GET", "/verify?code=" + code.lower())
        check("the printed code (a link): authentic and current",
              st == 200 and verdict(body) == "current", body[-800:])
        payload = webfix.payload_of(pdf)
        st, h, body, _ = pub.req("GET", "/verify?p=" + payload)
        check("the QR code's text as a link: current", verdict(body) == "current", body[-600:])
        st, body = multipart(pub, "/verify", {"text": ""}, {"pdf": ("f.pdf", webfix.forge(pdf))})
        check("a tampered PDF: NOT authentic, nothing shown",
              verdict(body) == "not-authentic" and "張三" not in body, body[-800:])
        st, h, body, _ = pub.req("POST", "/verify", {"text": "0000-0000-0000-0000"})
        check("an unknown code: 404", st == 404 and verdict(body) == "notfound", str(st))
        # every public verification is a disclosure in the access log (#23)
        rows = webfix.query(db, "SELECT who, json_extract(query, '$.client'), "
                                "json_extract(query, '$.result'), json_extract(query, '$.serial'),"
                                " json_extract(query, '$.code'), shown FROM access_log "
                                "WHERE action = 'verify' ORDER BY id")
        check("five public verifications logged", len(rows) == 5, str(rows))
        check("who: public, from the client's address",
              all(r[0] == "public" and r[1] == "127.0.0.1" for r in rows), str(rows))
        check("which certificate and the result",
              [r[2] for r in rows] == ["current", "current", "current", "not-authentic",
                                       "notfound"] and rows[0][3].startswith("DG-")
              and rows[0][5] == "[%d]" % s1 and rows[3][5] == "[]", str(rows))
        check("the code asked for", rows[1][4] == code.lower() and
              rows[4][4] == "0000-0000-0000-0000", str(rows))
        check("each is an audit event",
              webfix.query(db, "SELECT count(*) FROM audit_event WHERE kind = 'access' AND "
                               "json_extract(content, '$.rows.access_log.action') = 'verify'"
                           )[0][0] == 5)
        env = dict(os.environ, DANGAN_DB=db)
        subprocess.run([dangan, "amend", str(s1), "name", "張叁", "--reason",
                        "private reason 7", "--operator", "reg1"], check=True, env=env,
                       stdout=subprocess.DEVNULL)
        st, body = multipart(pub, "/verify", {"text": payload}, {})
        check("after an amendment: amended, naming the field",
              verdict(body) == "amended" and re.search(r'<tr data-key="name" class="bad">',
                                                      body) is not None, body[-1500:])
        check("the amendment's new value, who and why stay private",
              "張叁" not in body and "reg1" not in body and "private reason" not in body,
              body[-1500:])
        n = 0
        for i in range(40):
            st, h, body, _ = pub.req("GET", "/verify?code=" + code)
            if st == 429:
                n += 1
        check("rate-limited: a burst of 40 more is refused in part (429)", n > 0, str(n))
        st, h, body, _ = pub.req("GET", "/verify")
        check("the form itself is never limited", st == 200, str(st))
        log = srv.text()
        check("the payload never reaches the server log", payload[:40] not in log)
    finally:
        srv.stop()


requests_made = 0


def counted(client):
    orig = client.req

    def req(*a, **k):
        global requests_made
        requests_made += 1
        return orig(*a, **k)
    client.req = req
    return client


def run(srv, db):
    a = counted(Client(srv.url))
    st, h, body, _ = a.req("GET", "/queue")
    check("not logged in: /queue redirects to /login", st == 303 and h.get("Location") == "/login",
          str((st, h.get("Location"))))
    for k in ("Content-Security-Policy", "X-Content-Type-Options", "X-Frame-Options"):
        check("header %s on every response" % k, k in h)
    check("CSP allows no inline script", "script-src 'self'" in h.get("Content-Security-Policy", "")
          and "unsafe-inline" not in h.get("Content-Security-Policy", ""))
    # a name rebound to 127.0.0.1 by another site is not answered
    rq = urllib.request.Request(srv.url + "/login", headers={"Host": "evil.example:%d" % srv.port})
    try:
        st = a.op.open(rq, timeout=300).status
    except urllib.error.HTTPError as e:
        st = e.code
    global requests_made
    requests_made += 1
    check("a foreign Host header: 421", st == 421, str(st))
    # login without the login form's token is refused
    st, h, body, _ = a.req("POST", "/login", {"name": "alice", "password": "alice-secret"})
    check("login POST without its CSRF token: 403", st == 403, str(st))
    st, h, body, hdrs = a.login("alice", "alice-secret")
    check("login: 303 to /queue", st == 303 and h.get("Location") == "/queue", str(st))
    cookies = hdrs.get_all("Set-Cookie") or []
    sess = [c for c in cookies if c.startswith("dg_session=")]
    check("session cookie HttpOnly, SameSite=Strict",
          sess and "HttpOnly" in sess[0] and "SameSite=Strict" in sess[0], str(cookies))
    st, h, body, _ = a.req("GET", "/queue")
    check("queue page: 200 with the sex item", st == 200 and "low_confidence" in body, str(st))
    csrf = a.csrf()
    item = webfix.item_of_field(db, 4)
    st, h, body, _ = a.req("POST", "/api/decide", {"item": item, "verb": "accept"})
    check("decide without CSRF: 403", st == 403 and '"csrf"' in body, body)
    st, h, body, _ = a.req("POST", "/api/decide", {"item": item, "verb": "accept", "csrf": "0" * 64})
    check("decide with a wrong CSRF token: 403", st == 403, body)
    check("no decision after the refused POSTs",
          webfix.query(db, "SELECT count(*) FROM review_decision")[0][0] == 0)
    st, h, body, _ = a.req("POST", "/api/decide",
                           {"item": item, "verb": "accept", "version": 0, "csrf": csrf})
    check("decide with CSRF: 200", st == 200 and json.loads(body)["ok"], body)
    rows = webfix.query(db, "SELECT operator, verb FROM review_decision WHERE item_id = ?", item)
    check("the decision records the logged-in user", rows == [("alice", "accept")], str(rows))
    st, h, body, _ = a.req("POST", "/api/decide",
                           {"item": item, "verb": "accept", "version": 0, "csrf": csrf})
    check("a second decision at the same version: 409 naming who",
          st == 409 and "already decided by alice" in body, body)
    st, h, body, _ = a.req("GET", "/crop/%d.png" % item)
    check("crop: a PNG", st == 200 and h.get("Content-Type") == "image/png", str(st))
    st, h, body, _ = a.req("GET", "/api/preview?item=%d&value=%s" %
                           (webfix.item_of_field(db, 25), urllib.parse.quote("1986.11")))
    check("preview: normalized as the CLI does", st == 200 and '"value":"1986-11"' in body, body)

    # the batch dashboard: plots drawn by the server
    st, h, body, _ = a.req("GET", "/dashboard")
    check("dashboard: 200 with SVG plots", st == 200 and body.count("<svg") >= 4
          and "Batch 1" in body and "p of the values" in body, str(st))
    check("dashboard: the p histogram counts the weighed values",
          re.search(r"<span class=\"count\">1[0-9] weighed</span>", body) is not None)

    # roles: an auditor reads but may not decide; a registrar may not read the queue
    au = counted(Client(srv.url))
    au.login("audrey", "auditor-pw")
    st, h, body, _ = au.req("GET", "/item/%d" % item)
    check("auditor sees an item", st == 200 and 'data-can-decide="0"' in body, str(st))
    st, h, body, _ = au.req("POST", "/api/decide",
                            {"item": webfix.item_of_field(db, 11), "verb": "accept",
                             "csrf": au.csrf()})
    check("auditor deciding: 403", st == 403 and "forbidden" in body, body)
    rg = counted(Client(srv.url))
    rg.login("rita", "registrar-pw")
    st, h, body, _ = rg.req("GET", "/queue")
    check("registrar on the queue: 403", st == 403 and "registrar" in body, str(st))
    st, h, body, _ = rg.req("GET", "/dashboard")
    check("registrar on the dashboard: 403", st == 403, str(st))
    check("only alice's decision in the database",
          webfix.query(db, "SELECT count(*) FROM review_decision")[0][0] == 1)

    # lockout: five wrong passwords, then even the right one is refused
    b = counted(Client(srv.url))
    for i in range(5):
        st, h, body, _ = b.login("bob", "wrong-password")
        check("wrong password %d: 401" % (i + 1), st == 401 and "wrong name or password" in body,
              str(st))
    st, h, body, _ = b.login("nobody", "wrong-password")
    check("unknown user: the same answer", st == 401 and "wrong name or password" in body)
    st, h, body, _ = b.login("bob", "bob-secret!")
    check("locked after 5 failures", st == 401 and "locked" in body, body[-400:])
    # logout ends the session
    st, h, body, _ = a.req("POST", "/logout", {"csrf": csrf})
    check("logout: 303 to /login", st == 303, str(st))
    st, h, body, _ = a.req("GET", "/queue")
    check("after logout the session is gone", st == 303, str(st))
    # each login and logout an access event: who, when, from where (docs/audit.md)
    web = '{"from":"127.0.0.1","via":"web"}'
    rows = webfix.query(db, "SELECT who, action, query, at FROM access_log "
                            "WHERE action IN ('login', 'logout') AND who = 'alice' ORDER BY id")
    check("alice's login and logout are in the access log, from 127.0.0.1",
          rows and rows[0][:3] == ("alice", "login", web) and rows[-1][:3] == ("alice", "logout", web)
          and all(r[3] for r in rows), str(rows[-3:]))
    check("no login of bob (locked) in the access log",
          not webfix.query(db, "SELECT 1 FROM access_log WHERE who = 'bob' AND action = 'login'"))
    check("each access-log row is an access event",
          webfix.query(db, "SELECT count(*) FROM access_log") ==
          webfix.query(db, "SELECT count(*) FROM audit_event WHERE kind = 'access'"))


if __name__ == "__main__":
    sys.exit(main())
