"""workbench_http.py - part of web.http (serve_http.py calls run): the page
view of a record, the batch's throughput plot, and the admins' users page
over plain HTTP: role checks, CSRF, each change in the database and in the
audit chain under the admin's name, `dangan audit verify` after it all.
"""
import re
import sqlite3
import struct
import subprocess
import urllib.parse

import webfix


def run(dangan, fixture, work, Client, check):
    db = webfix.build(dangan, fixture, work)
    subprocess.run([dangan, "--db", db, "user", "add", "ada", "--role", "admin"],
                   input="admin-secret\n", text=True, check=True, stdout=subprocess.DEVNULL)
    subprocess.run([dangan, "--db", db, "review", "list"], check=True, stdout=subprocess.DEVNULL)
    srv = webfix.Server(dangan, db, work)
    try:
        queue_order(srv, db, Client, check)
        queue_by_p(srv, db, Client, check)
        pageview(srv, db, Client, check)
        pageview_scaled(srv, db, Client, check)
        users(srv, db, Client, check)
    finally:
        srv.stop()
    p = subprocess.run([dangan, "--db", db, "audit", "verify"], capture_output=True, text=True)
    check("audit verify after the users page's changes: exit 0", p.returncode == 0,
          p.stdout + p.stderr)


def queue_order(srv, db, Client, check):
    """The grouped queue walks review_item.qkey (migration 013): the same
    order as sorting by batch, scan, page, field key, reason and id."""
    a = Client(srv.url)
    a.login("alice", "alice-secret")
    st, h, body, _ = a.req("GET", "/queue")
    shown = [int(x) for x in re.findall(r'data-id="(\d+)"', body)]
    want = [r[0] for r in webfix.query(
        db, "SELECT i.id FROM review_item i LEFT JOIN field f ON f.id = i.field_id "
            "LEFT JOIN record r ON r.id = i.record_id LEFT JOIN page p ON p.id = "
            "coalesce(i.page_id, r.page_id) LEFT JOIN file fl ON fl.id = p.file_id "
            "WHERE i.state = 'open' ORDER BY coalesce(fl.batch_id, 0), coalesce(fl.path, ''), "
            "coalesce(p.page_index, 0), coalesce(f.key, ''), i.reason, i.id")]
    check("the queue in the grouped order (%d items)" % len(want), st == 200 and
          shown == want and len(want) >= 5, str((shown, want)))
    item = want[2]
    st, h, body, _ = a.req("GET", "/item/%d" % item)
    m = re.search(r'data-prev="(\d+)" data-next="(\d+)" data-next-open="(\d+)"', body)
    check("an item's neighbours in the grouped order", m is not None and
          (int(m.group(1)), int(m.group(2)), int(m.group(3))) == (want[1], want[3], want[3]),
          str((m and m.groups(), want)))


def pageview(srv, db, Client, check):
    a = Client(srv.url)
    a.login("alice", "alice-secret")
    st, h, body, _ = a.req("GET", "/record/2")
    page = webfix.query(db, "SELECT page_id FROM record WHERE id = 2")[0][0]
    check("/record/2 goes to its page", st == 303 and h.get("Location") ==
          "/page/%d?record=2" % page, str((st, h.get("Location"))))
    st, h, body, _ = a.req("GET", "/page/%d?record=2" % page)
    boxes = re.findall(r'<a href="([^"]+)" class="field( current)?" id="box-(\d+)" '
                       r'data-field="\d+" data-state="(\w+)" data-record="(\d+)"><rect [^>]*'
                       r'fill="(#[0-9a-f]{6})"', body)
    want = webfix.query(db, "SELECT f.id, f.state, f.record_id FROM field f JOIN record r ON "
                            "r.id = f.record_id WHERE r.page_id = ? AND f.w > 0 AND f.h > 0 "
                            "ORDER BY f.id", page)
    got = sorted((int(b[2]), b[3], int(b[4])) for b in boxes)
    check("page view: a box for every field of the page with its state", st == 200 and
          got == [tuple(w) for w in want] and len(got) >= 10, str((st, got, want)))
    colours = {b[3]: b[5] for b in boxes}
    check("page view: one colour per state", len(set(colours.values())) == len(colours) >= 2,
          str(colours))
    check("page view: record 2's boxes are the current ones",
          all((b[1] == " current") == (b[4] == "2") for b in boxes), str(boxes[:3]))
    item = webfix.item_of_field(db, 11)
    check("page view: a field in review links to its review item",
          any(b[2] == "11" and b[0] == "/item/%d" % item for b in boxes), str(boxes[:2]))
    check("page view: the scan under the boxes", 'href="/pageimg/%d.png"' % page in body)
    st, h, body, _ = a.req("GET", "/pageimg/%d.png" % page)
    check("page image: a PNG", st == 200 and h.get("Content-Type") == "image/png", str(st))
    st, h, body, _ = a.req("GET", "/item/%d" % item)
    check("the item page links to the page view", 'href="/record/2"' in body)
    st, h, body, _ = a.req("GET", "/page/999999")
    check("page view of no page: 404", st == 404, str(st))
    rg = Client(srv.url)
    rg.login("rita", "registrar-pw")
    st, h, body, _ = rg.req("GET", "/page/%d" % page)
    check("a registrar may not see the page view: 403", st == 403, str(st))
    # a decision shows in the batch's throughput plot
    csrf = a.csrf()
    st, h, body, _ = a.req("POST", "/api/decide", {"item": item, "verb": "accept",
                                                   "version": 0, "csrf": csrf})
    check("accept the name (for the throughput)", st == 200, body)
    st, h, body, _ = a.req("GET", "/dashboard")
    m = re.search(r'<rect class="tp1" [^>]*><title>(\d{4}-\d\d-\d\dT\d\d): (\d+) items '
                  r'decided</title>', body)
    check("dashboard: the batch's throughput per hour with the decision",
          st == 200 and m is not None and m.group(2) == "1", body[-1500:])


def queue_by_p(srv, db, Client, check):
    """The queue by p walks review_item.qp (migration 018), kept equal to
    the field's p by triggers: p rewritten here behind the server's back
    (ties, and a field without p) gives the order ORDER BY f.p gave."""
    con = sqlite3.connect(db, timeout=10)
    con.execute("UPDATE field SET p = CASE WHEN id % 5 = 0 THEN NULL ELSE (id % 3) / 3.0 END "
                "WHERE id IN (SELECT field_id FROM review_item WHERE state = 'open')")
    con.commit()
    con.close()
    a = Client(srv.url)
    a.login("alice", "alice-secret")
    for sort, desc in (("p", ""), ("-p", " DESC")):
        st, h, body, _ = a.req("GET", "/queue?sort=" + sort)
        shown = [int(x) for x in re.findall(r'data-id="(\d+)"', body)]
        want = [r[0] for r in webfix.query(
            db, "SELECT i.id FROM review_item i LEFT JOIN field f ON f.id = i.field_id "
                "WHERE i.state = 'open' ORDER BY f.p IS NULL, f.p%s, i.id" % desc)]
        nulls = webfix.query(db, "SELECT count(*) FROM review_item i JOIN field f ON "
                                 "f.id = i.field_id WHERE i.state = 'open' AND f.p IS NULL")[0][0]
        check("the queue by %s in the order of the field's p (%d items, %d without p)"
              % (sort, len(want), nulls), st == 200 and shown == want and len(want) >= 5 and
              nulls >= 1 and len(set(shown)) == len(shown), str((shown, want)))
        st, h, body, _ = a.req("GET", "/item/%d?sort=%s" % (want[2], sort))
        m = re.search(r'data-prev="(\d+)" data-next="(\d+)"', body)
        check("an item's neighbours in the queue by %s" % sort, m is not None and
              (int(m.group(1)), int(m.group(2))) == (want[1], want[3]),
              str((m and m.groups(), want)))


def jpeg_size(data):
    """(width, height) from a JPEG's start-of-frame marker."""
    i = 2
    while i + 9 < len(data) and data[i] == 0xFF:
        marker, n = data[i + 1], struct.unpack(">H", data[i + 2:i + 4])[0]
        if 0xC0 <= marker <= 0xCF and marker not in (0xC4, 0xC8, 0xCC):
            h, w = struct.unpack(">HH", data[i + 5:i + 9])
            return w, h
        i += 2 + n
    return None


def pageview_scaled(srv, db, Client, check):
    """The page view shows the page shrunk to the display width (?w=, at
    most 1600 pixels) and the boxes shrunk alike; the full scan is a link."""
    a = Client(srv.url)
    a.login("alice", "alice-secret")
    page, pw, ph = webfix.query(db, "SELECT p.id, p.width, p.height FROM page p JOIN record r "
                                    "ON r.page_id = p.id WHERE r.id = 2")[0]
    for want_w in (200, 1600):
        s = min(1.0, want_w / pw)
        w, h = int(pw * s + 0.5), int(ph * s + 0.5)
        st, _, body, _ = a.req("GET", "/page/%d?w=%d" % (page, want_w))
        m = re.search(r'viewBox="0 0 (\d+) (\d+)"[^>]*><image href="([^"]+)" x="0" y="0" '
                      r'width="(\d+)" height="(\d+)"', body)
        check("page view at %d: the picture %dx%d, the page's %dx%d scaled" % (want_w, w, h, pw, ph),
              st == 200 and m is not None and m.groups() == (str(w), str(h),
              "/pageimg/%d.jpg?w=%d" % (page, want_w), str(w), str(h)), str(m and m.groups()))
        rects = {int(f): tuple(int(v) for v in r) for f, *r in re.findall(
            r'data-field="(\d+)"[^>]*><rect x="(\d+)" y="(\d+)" width="(\d+)" height="(\d+)"',
            body)}
        fields = webfix.query(db, "SELECT f.id, f.x, f.y, f.w, f.h FROM field f JOIN record r ON "
                                  "r.id = f.record_id WHERE r.page_id = ? AND f.w > 0 AND f.h > 0",
                              page)

        def sc(v):
            return int(v * s + 0.5)
        want = {f: (sc(x), sc(y), sc(x + bw) - sc(x), sc(y + bh) - sc(y))
                for f, x, y, bw, bh in fields}
        check("page view at %d: every box scaled by %.3f" % (want_w, s),
              rects == want and len(want) >= 10, str((rects, want)))
        check("page view at %d: a link to the full-resolution page" % want_w,
              'id="fullres" href="/pageimg/%d.png"' % page in body)
        st, hd, img = a.get_bytes(m.group(3) if m else "/pageimg/%d.jpg" % page)
        check("scaled page image at %d: a %dx%d JPEG" % (want_w, w, h),
              st == 200 and hd.get("Content-Type") == "image/jpeg" and jpeg_size(img) == (w, h),
              str((st, hd.get("Content-Type"), jpeg_size(img), len(img))))
    st, hd, img = a.get_bytes("/pageimg/%d.png" % page)
    check("full-resolution page image: the whole page", st == 200 and
          hd.get("Content-Type") == "image/png" and struct.unpack(">II", img[16:24]) == (pw, ph),
          str(st))


def users(srv, db, Client, check):
    op = Client(srv.url)
    op.login("alice", "alice-secret")
    st, h, body, _ = op.req("GET", "/users")
    check("an operator may not open the users page: 403", st == 403, str(st))
    st, h, body, _ = op.req("POST", "/users/add", {"csrf": op.csrf(), "name": "mallory",
                                                  "role": "admin", "password": "mallory-pw"})
    check("an operator may not add a user: 403", st == 403, str(st))
    ad = Client(srv.url)
    ad.login("ada", "admin-secret")
    st, h, body, _ = ad.req("GET", "/users")
    check("the admin's users page lists every user", st == 200 and all(
        'id="user-%s"' % n in body for n in ("ada", "alice", "audrey", "bob", "rita")), str(st))
    csrf = re.search(r'<meta name="csrf" content="([0-9a-f]{64})">', body).group(1)
    events = lambda: webfix.query(db, "SELECT who, json_extract(content, '$.action'), "
                                      "json_extract(content, '$.name') FROM audit_event "
                                      "WHERE kind = 'user' AND who = 'ada' ORDER BY seq")
    st, h, body, _ = ad.req("POST", "/users/add", {"name": "carol", "role": "auditor",
                                                  "password": "carol-pass"})
    check("add without the CSRF token: 403, nobody added", st == 403 and not webfix.query(
        db, "SELECT 1 FROM app_user WHERE name = 'carol'"), str(st))
    st, h, body, _ = ad.req("POST", "/users/add", {"csrf": csrf, "name": "carol",
                                                  "role": "auditor", "password": "carol-pass"})
    check("add carol: back to the page saying so", st == 303 and "carol" in
          urllib.parse.unquote(h.get("Location", "")), str(h.get("Location")))
    check("  ... carol is an auditor in the database", webfix.query(
        db, "SELECT role, disabled FROM app_user WHERE name = 'carol'") == [("auditor", 0)])
    st, h, body, _ = ad.req("POST", "/users/role", {"csrf": csrf, "name": "carol",
                                                   "role": "operator"})
    check("change carol's role", webfix.query(
        db, "SELECT role FROM app_user WHERE name = 'carol'") == [("operator",)])
    st, h, body, _ = ad.req("POST", "/users/disable", {"csrf": csrf, "name": "carol"})
    check("disable carol", webfix.query(
        db, "SELECT disabled FROM app_user WHERE name = 'carol'") == [(1,)])
    st, h, body, _ = Client(srv.url).login("carol", "carol-pass")
    check("  ... carol cannot log in", st == 401, str(st))
    st, h, body, _ = ad.req("POST", "/users/enable", {"csrf": csrf, "name": "carol"})
    st, h, body, _ = ad.req("POST", "/users/passwd", {"csrf": csrf, "name": "carol",
                                                     "password": "carol-new-pass"})
    st, h, body, _ = Client(srv.url).login("carol", "carol-new-pass")
    check("enabled with a new password, carol logs in", st == 303, str(st))
    st, h, body, _ = ad.req("POST", "/users/disable", {"csrf": csrf, "name": "ada"})
    raw = h.get("Location", "")
    loc = urllib.parse.unquote(raw)
    check("the last admin cannot disable herself, and is told why",
          "bad=" in loc and "last enabled admin" in loc and webfix.query(
              db, "SELECT disabled FROM app_user WHERE name = 'ada'") == [(0,)], loc)
    st, h, body, _ = ad.req("GET", raw if raw.startswith("/users?") else "/users")
    check("  ... on the page", "last enabled admin" in body)
    st, h, body, _ = ad.req("POST", "/users/passwd", {"csrf": csrf, "name": "carol",
                                                     "password": "short"})
    check("a short password is refused with the reason", "bad=" in h.get("Location", ""),
          str(h.get("Location")))
    got = events()
    check("every change is an audit event by ada naming carol (add, role, disable, enable, "
          "passwd)", got == [("ada", a, "carol") for a in
                             ("add", "role", "disable", "enable", "passwd")], str(got))
    check("no password in the audit chain", not webfix.query(
        db, "SELECT 1 FROM audit_event WHERE content LIKE '%carol-%pass%' "
            "OR content LIKE '%argon2%'"))
