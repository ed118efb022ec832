"""workbench_browser.py - part of web.browser (browser_test.py calls run):
the page view and the admins' users page in headless Chromium, keyboard
only (elements get keys, never clicks), the database checked after each
step.  Screenshots workbench-pageview.png and workbench-users.png.
"""
import os
import subprocess

import webfix


def run(t, srv, db, dangan, chromium, driver_path, work, shots, browsers):
    """t: the browser test module (check, keys, wait, login, new_browser, item_data)."""
    pageview(t, srv, db, dangan, chromium, driver_path, work, shots, browsers)
    users(t, srv, db, dangan, chromium, driver_path, work, shots, browsers)


def pageview(t, srv, db, dangan, chromium, driver_path, work, shots, browsers):
    from selenium.webdriver.common.keys import Keys
    # record 2's birth date goes to review, so its box has an open item
    import sqlite3
    con = sqlite3.connect(db, timeout=10)
    con.execute("UPDATE field SET state = 'review', flag = 'low_confidence 50 < 60' "
                "WHERE id = 12")
    con.commit()
    con.close()
    subprocess.run([dangan, "--db", db, "review", "list"], check=True,
                   stdout=subprocess.DEVNULL)
    item = webfix.item_of_field(db, 12)
    b = t.new_browser(chromium, driver_path, work, browsers)
    t.login(b, srv.url, "alice", "alice-secret")
    b.get(srv.url + "/record/2")
    active = lambda d: d.execute_script("var e = document.activeElement;"
                                        "return e && e.id ? e.id : '';")
    t.wait(b, lambda d: active(d) == "box-11", "the page view to focus record 2's first box")
    t.check("page view: record 2's first box has the focus and is named",
            active(b) == "box-11" and "name:" in t.text_of(b, "fieldinfo"),
            t.text_of(b, "fieldinfo"))
    states = b.execute_script("return Array.from(document.querySelectorAll('a.field'))"
                              ".map(a => [a.dataset.field, a.dataset.state]);")
    want = dict((str(f), s) for f, s in webfix.query(
        db, "SELECT f.id, f.state FROM field f JOIN record r ON r.id = f.record_id "
            "WHERE r.page_id = (SELECT page_id FROM record WHERE id = 2) AND f.w > 0"))
    t.check("page view: every box in the state the database has", dict(states) == want,
            str((states, want)))
    b.save_screenshot(os.path.join(shots, "workbench-pageview.png"))
    t.keys(b, "j")
    t.wait(b, lambda d: active(d) == "box-12", "j to move to the next box")
    t.check("j: the birth date's box, named", "birth_date" in t.text_of(b, "fieldinfo"))
    t.keys(b, Keys.ENTER)
    t.wait(b, lambda d: (t.item_data(d) or {}).get("id") == str(item),
           "Enter to open the box's review item")
    ndec = webfix.query(db, "SELECT count(*) FROM review_decision")[0][0]
    t.check("opening it decided nothing", webfix.query(
        db, "SELECT state FROM review_item WHERE id = ?", item) == [("open",)])
    t.keys(b, Keys.ENTER)
    t.wait(b, lambda d: webfix.query(db, "SELECT count(*) FROM review_decision")[0][0] > ndec,
           "Enter on the item to accept it")
    t.check("the birth date accepted by alice", webfix.query(
        db, "SELECT verb, operator FROM review_decision WHERE item_id = ? ORDER BY id DESC "
            "LIMIT 1", item) == [("accept", "alice")] and webfix.query(
        db, "SELECT state FROM field WHERE id = 12") == [("verified",)])
    # the item page moves on by itself after a decision: let it, or its
    # navigation can land after ours (CI saw /queue instead of the page view)
    t.wait(b, lambda d: (t.item_data(d) or {}).get("id") != str(item),
           "the item page to move on after the decision")
    b.get(srv.url + "/record/2")
    t.wait(b, lambda d: active(d) == "box-11", "the page view again")
    st = b.execute_script("return document.getElementById('box-12').dataset.state;")
    t.check("the box is verified now", st == "verified", str(st))
    t.keys(b, "k")
    t.wait(b, lambda d: active(d) != "box-11", "k to move back (wrapping to the last box)")
    # the batch's throughput: the decisions per hour add up to the database's
    from selenium.webdriver.common.by import By
    b.get(srv.url + "/dashboard")
    plot = b.find_elements(By.CSS_SELECTOR, "#batch-1 .plot.throughput")
    drawn = b.execute_script(
        "return Array.from(document.querySelectorAll('#batch-1 rect.tp1 title'))"
        ".map(e => parseInt(e.textContent.split(': ')[1]));")
    net = webfix.query(db, "SELECT sum(CASE WHEN verb = 'undo' THEN -1 ELSE 1 END) "
                           "FROM review_decision")[0][0]
    t.check("dashboard: the batch's decisions per hour add up to the database's",
            plot and sum(drawn or []) == net, str((drawn, net)))
    if plot:
        plot[0].screenshot(os.path.join(shots, "workbench-throughput.png"))


def users(t, srv, db, dangan, chromium, driver_path, work, shots, browsers):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys
    subprocess.run([dangan, "--db", db, "user", "add", "ada", "--role", "admin"],
                   input="admin-secret\n", text=True, check=True, stdout=subprocess.DEVNULL)
    b = t.new_browser(chromium, driver_path, work, browsers)
    t.login(b, srv.url, "ada", "admin-secret")
    b.get(srv.url + "/users")
    t.wait(b, lambda d: d.execute_script("return document.activeElement.id") == "new-name",
           "the users page with the focus on the new name")
    user = lambda n: webfix.query(db, "SELECT role, disabled FROM app_user WHERE name = ?", n)
    ev = lambda: webfix.query(db, "SELECT json_extract(content, '$.action') FROM audit_event "
                                  "WHERE kind = 'user' AND who = 'ada' ORDER BY seq")
    # add: name, Tab, the role typed into the list, Tab, password, Enter
    t.keys(b, "dave", Keys.TAB, "auditor", Keys.TAB, "dave-pass-1", Keys.ENTER)
    t.wait(b, lambda d: "dave added" in t.text_of(d, "msg"), "dave to be added")
    t.check("add by keyboard: dave is an auditor", user("dave") == [("auditor", 0)],
            str(user("dave")))
    t.check("  ... an audit event by ada", ev() == [("add",)], str(ev()))
    # change the role: the row's list, Tab to its button, Enter
    b.find_element(By.ID, "role-dave").send_keys("operator")
    t.keys(b, Keys.TAB, Keys.ENTER)
    t.wait(b, lambda d: "now operator" in t.text_of(d, "msg"), "the role change")
    t.check("dave is an operator now", user("dave") == [("operator", 0)], str(user("dave")))
    # disable: the row's button, Enter
    b.find_element(By.CSS_SELECTOR, "#user-dave button.disable").send_keys(Keys.ENTER)
    t.wait(b, lambda d: "dave disabled" in t.text_of(d, "msg"), "dave to be disabled")
    t.check("dave is disabled", user("dave") == [("operator", 1)], str(user("dave")))
    b.save_screenshot(os.path.join(shots, "workbench-users.png"))
    b.find_element(By.CSS_SELECTOR, "#user-dave button.enable").send_keys(Keys.ENTER)
    t.wait(b, lambda d: "dave enabled" in t.text_of(d, "msg"), "dave to be enabled")
    t.check("dave is enabled", user("dave") == [("operator", 0)], str(user("dave")))
    b.find_element(By.CSS_SELECTOR, "#user-dave input[type=password]").send_keys(
        "dave-pass-2", Keys.ENTER)
    t.wait(b, lambda d: "new password" in t.text_of(d, "msg"), "dave's new password")
    t.check("every change is ada's audit event", ev() == [(a,) for a in (
        "add", "role", "disable", "enable", "passwd")], str(ev()))
    d2 = t.new_browser(chromium, driver_path, work, browsers)
    t.login(d2, srv.url, "dave", "dave-pass-2")
    t.check("dave logs in with the new password", "/queue" in d2.current_url, d2.current_url)
    d2.get(srv.url + "/users")
    t.check("dave (operator) is refused the users page", "may not manage users" in d2.page_source)
