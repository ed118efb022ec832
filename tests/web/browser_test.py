#!/usr/bin/env python3
"""browser_test.py - the workbench in a real browser: headless Chromium
driven by Selenium, keyboard only.

An operator logs in and settles items with the keys alone (Enter accepts,
2 picks the second reading, typing corrects after the normalized value is
shown, u undoes, j moves on), the database checked after each step; an
auditor's Enter decides nothing and the server refuses the auditor's
POST; a registrar is refused the queue; a POST without the CSRF token is
refused; two operators deciding one item give one decision and the second
sees who decided it.  Then certificates: a registrar issues one from the
search with the keys alone (the PDF read with pdftotext), a stranger checks
it on the public page (good, forged, by code, amended since).  Screenshots of the login, queue and item pages go to
$DANGAN_SCREENSHOTS (docs/img when refreshing the docs), else WORKDIR/shots.

usage: browser_test.py DANGAN TEST_REVIEW WORKDIR
Exit 77 (ctest: skipped) only when Chromium is not installed.
"""
import os
import shutil
import subprocess
import sys
import tempfile

import webfix

failures = 0
DANGAN = None


def check(what, cond, detail=""):
    global failures
    if cond:
        print("ok: %s" % what)
    else:
        failures += 1
        print("FAIL: %s %s" % (what, detail))


def main():
    global DANGAN
    dangan, fixture, work = sys.argv[1:4]
    DANGAN = dangan
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if not chromium:
        print("SKIP: chromium is not installed (Debian packages chromium, chromium-driver); "
              "the browser test did not run")
        return 77
    try:
        from selenium import webdriver  # noqa: F401
    except ImportError:
        print("FAIL: chromium is here but Selenium is not (Debian package python3-selenium, "
              "for %s)" % sys.executable)
        return 1
    driver_path = shutil.which("chromedriver") or "/usr/bin/chromedriver"
    if not os.path.exists(driver_path):
        print("FAIL: chromium is here but chromedriver is not (Debian package chromium-driver)")
        return 1
    db = webfix.build(dangan, fixture, work)
    shots = os.environ.get("DANGAN_SCREENSHOTS") or os.path.join(work, "shots")
    os.makedirs(shots, exist_ok=True)
    srv = webfix.Server(dangan, db, work)
    browsers = []
    try:
        run(srv, db, chromium, driver_path, work, shots, browsers)
    finally:
        for b in browsers:
            b.quit()
        code = srv.stop()
    check("server stopped cleanly", code == 0, str(code))
    # every decision made in the browsers is an event of the audit chain,
    # under the logged-in user, and the chain holds
    v = subprocess.run([dangan, "audit", "verify"], env=dict(os.environ, DANGAN_DB=db),
                       capture_output=True, text=True)
    check("audit verify after the browsers' decisions", v.returncode == 0, v.stdout + v.stderr)
    ev = webfix.query(db, "SELECT count(*) FROM audit_event WHERE kind = 'decision' AND "
                          "who = 'alice'")[0][0]
    dec = webfix.query(db, "SELECT count(*) FROM review_decision WHERE operator = 'alice'")[0][0]
    check("alice's decisions are chained under her name", ev == dec and dec > 0,
          "%s events, %s decisions" % (ev, dec))
    certificates(dangan, fixture, work, chromium, driver_path, shots)
    print("%d failures" % failures)
    return 1 if failures else 0


def new_browser(chromium, driver_path, work, browsers):
    from selenium import webdriver
    from selenium.webdriver.chrome.options import Options
    from selenium.webdriver.chrome.service import Service
    o = Options()
    o.binary_location = chromium
    for a in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic",
              "--no-first-run", "--disable-background-networking", "--disable-component-update",
              "--disable-sync", "--window-size=1200,860", "--lang=zh-CN",
              "--user-data-dir=" + tempfile.mkdtemp(dir=work)):
        o.add_argument(a)
    b = webdriver.Chrome(service=Service(driver_path), options=o)
    browsers.append(b)
    return b


def keys(b, *k):
    from selenium.webdriver.common.action_chains import ActionChains
    ActionChains(b).send_keys(*k).perform()


def wait(b, cond, what, timeout=45):
    from selenium.webdriver.support.ui import WebDriverWait
    try:
        WebDriverWait(b, timeout).until(lambda d: cond(d))
        return True
    except Exception:
        check("waited for " + what, False, "at " + b.current_url)
        return False


def item_data(b):
    return b.execute_script("var e = document.getElementById('item');"
                            "return e ? Object.assign({}, e.dataset) : null;")


def login(b, url, name, pw):
    from selenium.webdriver.common.keys import Keys
    b.get(url + "/login")
    wait(b, lambda d: d.execute_script("return document.activeElement.id") == "name",
         "the name field to have the focus")
    keys(b, name, Keys.TAB, pw, Keys.ENTER)
    wait(b, lambda d: "/login" not in d.current_url or d.find_elements("id", "msg"),
         "the login to answer")


def fetch_status(b, body):
    """POST body to /api/decide from the page; the HTTP status."""
    return b.execute_async_script(
        "var done = arguments[arguments.length - 1];"
        "fetch('/api/decide', {method: 'POST', credentials: 'same-origin',"
        " headers: {'Content-Type': 'application/x-www-form-urlencoded'}, body: arguments[0]})"
        ".then(r => done(r.status)).catch(e => done(String(e)));", body)


def text_of(b, id_):
    """The text of element id_ now, "" while the page is being replaced."""
    try:
        return b.execute_script("var e = document.getElementById(arguments[0]);"
                                "return e ? e.textContent : '';", id_) or ""
    except Exception:
        return ""


def alert_text(b):
    try:
        return b.switch_to.alert.text
    except Exception:
        return None


def field_of(db, item):
    rows = webfix.query(db, "SELECT kind, coalesce(field_id, 0) FROM review_item WHERE id = ?",
                        int(item))
    return rows[0] if rows else (None, 0)


def last_decision(db, item):
    rows = webfix.query(db, "SELECT verb, operator FROM review_decision WHERE item_id = ? "
                            "ORDER BY id DESC LIMIT 1", int(item))
    return rows[0] if rows else None


def field_row(db, fid):
    return webfix.query(db, "SELECT value, state FROM field WHERE id = ?", fid)[0]


def item_state(db, item):
    return webfix.query(db, "SELECT state FROM review_item WHERE id = ?", int(item))[0][0]


def moved_from(b, iid):
    """Wait until the page left item iid: another item, or the queue when
    nothing is left open."""
    return wait(b, lambda d: (item_data(d) or {}).get("id") not in (None, iid)
                or d.current_url.split("?")[0].endswith("/queue"),
                "the next item after " + iid)


def run(srv, db, chromium, driver_path, work, shots, browsers):
    from selenium.webdriver.common.keys import Keys
    url = srv.url
    a = new_browser(chromium, driver_path, work, browsers)
    a.get(url + "/login")
    a.save_screenshot(os.path.join(shots, "workbench-login.png"))
    login(a, url, "alice", "alice-secret")
    check("alice lands on the queue", a.current_url.endswith("/queue"), a.current_url)
    check("the queue is grouped (batch · scan · field · reason)",
          "batch 1 · scan1.png p.1 · sex · low_confidence" in a.page_source)
    a.save_screenshot(os.path.join(shots, "workbench-queue.png"))
    keys(a, Keys.ENTER)  # the first row is selected: open it
    wait(a, lambda d: item_data(d) is not None, "the first item")

    done = set()
    item11 = None
    for _ in range(20):
        if done >= {"accept", "pick", "correct", "undo", "date", "match", "reject"}:
            break
        d = item_data(a)
        if d is None:  # on the queue: open its first row
            keys(a, Keys.ENTER)
            wait(a, lambda d: item_data(d) is not None, "an item from the queue")
            d = item_data(a)
        iid = d["id"]
        kind, fid = field_of(db, iid)
        if fid == 4 and "accept" not in done:
            # c shows the card around the value, and c again the value alone
            small = a.execute_script("return document.getElementById('crop').naturalWidth;")
            keys(a, "c")
            wait(a, lambda d: d.execute_script(
                "var c = document.getElementById('crop'); return c.complete && "
                "c.src.indexOf('margin=400') > 0 && c.naturalWidth > arguments[0];", small),
                "c to show the card around the value")
            keys(a, "c")
            wait(a, lambda d: "margin" not in d.execute_script(
                "return document.getElementById('crop').src;"), "c again to go back")
            keys(a, Keys.ENTER)
            moved_from(a, iid)
            check("Enter accepted the sex item",
                  item_state(db, iid) == "accepted" and field_row(db, 4)[1] == "verified"
                  and last_decision(db, iid) == ("accept", "alice"),
                  str((item_state(db, iid), field_row(db, 4), last_decision(db, iid))))
            done.add("accept")
        elif fid == 21 and "pick" not in done:
            check("the readings are listed with 季四 second",
                  "季四" in a.find_element("css selector", "ol.alts li:nth-child(2)").text)
            keys(a, "2")
            moved_from(a, iid)
            check("2 picked the second reading",
                  field_row(db, 21) == ("季四", "verified") and item_state(db, iid) == "picked"
                  and last_decision(db, iid) == ("pick", "alice"),
                  str((field_row(db, 21), item_state(db, iid))))
            done.add("pick")
        elif fid == 11 and "correct" not in done:
            item11 = iid
            keys(a, "e")
            keys(a, "張五", Keys.ENTER)
            wait(a, lambda d: "will store: 张五" in text_of(d, "preview"),
                 "the normalized value before saving")
            check("nothing saved before the second Enter", field_row(db, 11)[0] == "张三")
            a.save_screenshot(os.path.join(shots, "workbench-item.png"))
            keys(a, Keys.ENTER)
            moved_from(a, iid)
            check("typing corrected 張五 to 张五",
                  field_row(db, 11) == ("张五", "verified") and item_state(db, iid) == "corrected"
                  and last_decision(db, iid) == ("correct", "alice"),
                  str((field_row(db, 11), item_state(db, iid))))
            done.add("correct")
            # u on the next item undoes the correction and goes back to it
            keys(a, "u")
            wait(a, lambda d: (item_data(d) or {}).get("id") == iid
                 and item_data(d).get("state") == "open", "u to return to the undone item")
            check("u undid the correction",
                  field_row(db, 11) == ("张三", "review") and item_state(db, iid) == "open"
                  and last_decision(db, iid) == ("undo", "alice"),
                  str((field_row(db, 11), item_state(db, iid), last_decision(db, iid))))
            done.add("undo")
        elif fid == 25 and "date" not in done:
            keys(a, "e", "1986.11", Keys.ENTER)
            wait(a, lambda d: "will store: 1986-11" in text_of(d, "preview"),
                 "the date's normalized value")
            keys(a, Keys.ENTER)
            moved_from(a, iid)
            check("typing corrected 1986.11 to 1986-11",
                  field_row(db, 25) == ("1986-11", "verified")
                  and item_state(db, iid) == "corrected", str(field_row(db, 25)))
            done.add("date")
        elif kind == "page" and "reject" not in done:
            keys(a, "x")
            wait(a, lambda d: alert_text(d) is not None, "the reject prompt")
            a.switch_to.alert.send_keys("not a graduate record")
            a.switch_to.alert.accept()
            moved_from(a, iid)
            rows = webfix.query(db, "SELECT verb, operator, note FROM review_decision WHERE "
                                    "item_id = ?", int(iid))
            check("x rejected the page with the reason typed",
                  rows == [("reject", "alice", "not a graduate record")]
                  and item_state(db, iid) == "rejected", str(rows))
            done.add("reject")
        elif kind == "match" and "match" not in done:
            keys(a, "1")
            moved_from(a, iid)
            code = webfix.query(db, "SELECT match_code FROM field WHERE id = ?", fid)[0][0]
            check("1 picked the first catalog candidate",
                  code == "0812" and item_state(db, iid) == "picked", str(code))
            done.add("match")
        else:
            nxt = d.get("next", "0")
            if nxt == "0":
                a.get(url + "/queue")
                keys(a, Keys.ENTER)
                wait(a, lambda d: item_data(d) is not None, "an item from the queue")
            else:
                keys(a, "j")
                moved_from(a, iid)
    check("every keyboard step was made", done >= {"accept", "pick", "correct", "undo", "date",
                                                   "match", "reject"}, str(done))
    ndec = webfix.query(db, "SELECT count(*) FROM review_decision")[0][0]

    # a column read alike: `a` on one row, confirmed, accepts both
    col = [webfix.item_of_field(db, 16), webfix.item_of_field(db, 26)]
    a.get(url + "/queue")
    ids = a.execute_script("return Array.from(document.querySelectorAll('tr.row'))"
                           ".map(r => r.dataset.id);")
    at = ids.index(str(col[0])) if str(col[0]) in ids else -1
    check("the column's items are on the queue", at >= 0 and str(col[1]) in ids, str(ids))
    keys(a, *(["j"] * max(at, 0)))
    keys(a, "a")
    wait(a, lambda d: alert_text(d) is not None, "the confirmation")
    text = alert_text(a) or ""
    check("the confirmation names the count and value", "Accept 2 open items" in text
          and "1985-09" in text, text)
    a.switch_to.alert.accept()
    wait(a, lambda d: "accepted 2" in text_of(d, "msg"), "the column's result")
    rows = webfix.query(db, "SELECT i.state, d.operator, d.verb FROM review_item i JOIN "
                            "review_decision d ON d.item_id = i.id WHERE i.id IN (?, ?)", *col)
    check("one action accepted the whole column",
          sorted(rows) == [("accepted", "alice", "accept")] * 2, str(rows))
    check("their fields are verified", field_row(db, 16)[1] == "verified"
          and field_row(db, 26)[1] == "verified")
    ndec = webfix.query(db, "SELECT count(*) FROM review_decision")[0][0]

    # the batch dashboard: its plots drawn, settled items counted
    a.get(url + "/dashboard")
    nsvg = a.execute_script("return document.querySelectorAll('section.batch svg rect').length;")
    check("the dashboard draws its plots", nsvg >= 10, str(nsvg))
    check("the dashboard counts settled items",
          "accepted" in a.find_element("css selector", "section.batch .plot.review").text)
    a.save_screenshot(os.path.join(shots, "workbench-dashboard.png"))

    # a POST without the CSRF token is refused, and changes nothing
    a.get(url + "/item/%s" % item11)
    status = fetch_status(a, "item=%s&verb=accept" % item11)
    check("POST without the CSRF token: 403", status == 403, str(status))
    check("... and no decision", webfix.query(db, "SELECT count(*) FROM review_decision")[0][0]
          == ndec)

    # an auditor sees the item but deciding is refused by the page and the server
    c = new_browser(chromium, driver_path, work, browsers)
    login(c, url, "audrey", "auditor-pw")
    c.get(url + "/item/%s" % item11)
    check("the auditor's page is read only",
          item_data(c) and item_data(c).get("canDecide") == "0" and "Read only" in c.page_source)
    keys(c, Keys.ENTER)
    token = c.execute_script("return document.querySelector('meta[name=csrf]').content")
    status = fetch_status(c, "item=%s&verb=accept&csrf=%s" % (item11, token))
    check("the auditor's POST with a valid token: 403", status == 403, str(status))
    check("... and no decision", webfix.query(db, "SELECT count(*) FROM review_decision")[0][0]
          == ndec)
    r = new_browser(chromium, driver_path, work, browsers)
    login(r, url, "rita", "registrar-pw")
    r.get(url + "/queue")
    check("a registrar is refused the queue", "may not see the review queue" in r.page_source)

    # two operators on one item: one decision, the second is told who
    bob = new_browser(chromium, driver_path, work, browsers)
    login(bob, url, "bob", "bob-secret!")
    bob.get(url + "/item/%s" % item11)
    a.get(url + "/item/%s" % item11)
    wait(a, lambda d: item_data(d) is not None, "alice's copy of the item")
    wait(bob, lambda d: item_data(d) is not None, "bob's copy of the item")
    keys(a, Keys.ENTER)
    moved_from(a, item11)
    keys(bob, Keys.ENTER)
    wait(bob, lambda d: "already decided by alice" in text_of(d, "msg"),
         "bob to be told alice decided first")
    accepts = webfix.query(db, "SELECT operator FROM review_decision WHERE item_id = ? AND "
                               "verb = 'accept'", int(item11))
    check("two browsers, one decision (alice's)", accepts == [("alice",)], str(accepts))
    check("bob's page stays on the item", (item_data(bob) or {}).get("id") == item11)
    bob.save_screenshot(os.path.join(work, "conflict.png"))

    # the page view and the users page (workbench_browser.py)
    import workbench_browser
    workbench_browser.run(sys.modules[__name__], srv, db, DANGAN, chromium, driver_path, work,
                          shots, browsers)


def tab_to(b, cond, what, most=40):
    """Tab until the focused element satisfies cond (a JS expression on e)."""
    from selenium.webdriver.common.keys import Keys
    for _ in range(most):
        if b.execute_script("var e = document.activeElement; return !!(" + cond + ");"):
            return True
        keys(b, Keys.TAB)
    check("Tab reached " + what, False, b.current_url)
    return False


def downloaded(folder, timeout=60):
    import time
    end = time.time() + timeout
    while time.time() < end:
        done = [f for f in os.listdir(folder) if f.endswith(".pdf")]
        if done and not [f for f in os.listdir(folder) if f.endswith(".crdownload")]:
            return os.path.join(folder, done[0])
        time.sleep(0.2)
    return None


def certificates(dangan, fixture, work, chromium, driver_path, shots):
    """A registrar finds a record and issues its certificate with the keys
    alone; a stranger checks it on the public page: the good PDF, a forged
    one, the printed code, and the PDF again after an amendment."""
    from selenium.webdriver.common.keys import Keys
    cwork = os.path.join(work, "certify")
    db, s1, s2 = webfix.build_certifiable(dangan, fixture, cwork)
    srv = webfix.Server(dangan, db, cwork)
    browsers = []
    try:
        r = new_browser(chromium, driver_path, cwork, browsers)
        dl = os.path.join(cwork, "downloads")
        os.makedirs(dl, exist_ok=True)
        r.execute_cdp_cmd("Browser.setDownloadBehavior", {"behavior": "allow",
                                                          "downloadPath": dl})
        login(r, srv.url, "rita", "registrar-pw")
        r.get(srv.url + "/search?name=zhang+san")
        tab_to(r, "e.classList && e.classList.contains('certify')", "the certify button")
        keys(r, Keys.ENTER)
        wait(r, lambda d: d.execute_script("return document.activeElement.id") == "audience",
             "the certify form with the audience focused")
        keys(r, Keys.TAB, "ACME 有限公司", Keys.TAB, "background check", Keys.TAB)
        r.save_screenshot(os.path.join(shots, "workbench-certify.png"))
        keys(r, Keys.TAB, Keys.ENTER)
        pdf = downloaded(dl)
        check("Enter on the button downloads the certificate", pdf is not None,
              str(os.listdir(dl)))
        txt = subprocess.run(["pdftotext", pdf, "-"], capture_output=True,
                             text=True).stdout if pdf else ""
        check("pdftotext: 張三's certificate for ACME", "学籍证明" in txt and "張三" in txt
              and "ACME 有限公司" in txt and "background check" in txt, txt[:500])
        rows = webfix.query(db, "SELECT who, requester, audience FROM certificate")
        check("registered under rita for ACME", rows == [("rita", "ACME 有限公司", "outside")],
              str(rows))
        r.get(srv.url + "/certify/%d" % s2)
        wait(r, lambda d: d.execute_script("return document.activeElement.id") == "audience",
             "the form of the unsettled record")
        keys(r, Keys.TAB, Keys.TAB, Keys.TAB, Keys.TAB, Keys.ENTER)
        wait(r, lambda d: "grad_date: invalid (month 13)" in text_of(d, "refusal"),
             "the refusal naming the field")
        check("no certificate for the unsettled record",
              webfix.query(db, "SELECT count(*) FROM certificate")[0][0] == 1)

        # a stranger, not logged in
        v = new_browser(chromium, driver_path, cwork, browsers)

        def verify_pdf(path):
            v.get(srv.url + "/verify")
            v.find_element("id", "pdf").send_keys(path)
            tab_to(v, "e.id == 'check'", "the verify button")
            keys(v, Keys.ENTER)
            wait(v, lambda d: d.find_elements("id", "verdict"), "the verdict")
            return v.find_element("id", "verdict").get_attribute("data-verdict"), \
                text_of(v, "verdict")

        verdict, text = verify_pdf(pdf) if pdf else (None, "")
        check("the PDF uploaded: authentic and current", verdict == "current"
              and "張三" in text, text)
        v.save_screenshot(os.path.join(shots, "verify-current.png"))
        if pdf:
            with open(pdf, "rb") as f:
                good = f.read()
            forged = os.path.join(cwork, "forged.pdf")
            with open(forged, "wb") as f:
                f.write(webfix.forge(good))
            verdict, text = verify_pdf(forged)
            check("a forged PDF: NOT authentic, nothing of it shown",
                  verdict == "not-authentic" and "張三" not in text, text)
        code = webfix.query(db, "SELECT code FROM certificate")[0][0]
        v.get(srv.url + "/verify")
        wait(v, lambda d: d.execute_script("return document.activeElement.id") == "text",
             "the code field focused")
        keys(v, code, Keys.TAB, Keys.TAB, Keys.ENTER)
        wait(v, lambda d: d.find_elements("id", "verdict"), "the verdict on the code")
        check("the printed code typed: authentic and current",
              v.find_element("id", "verdict").get_attribute("data-verdict") == "current")
        subprocess.run([dangan, "amend", str(s1), "name", "張叁", "--reason", "typo",
                        "--operator", "reg1"], check=True, stdout=subprocess.DEVNULL,
                       env=dict(os.environ, DANGAN_DB=db))
        verdict, text = verify_pdf(pdf) if pdf else (None, "")
        check("after an amendment: amended since, the name marked, the new value not shown",
              verdict == "amended" and "amended since the issue" in text and "張叁" not in text,
              text)
        v.save_screenshot(os.path.join(shots, "verify-amended.png"))
    finally:
        for b in browsers:
            b.quit()
        srv.stop()


if __name__ == "__main__":
    sys.exit(main())
