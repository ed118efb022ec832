#!/usr/bin/env python3
"""bench/drawpages.py - draw seeded pages of graduate records with their truth.

dangan is tuned on sixteen sample pages; this draws as many others as asked,
in the truth format of the samples (gradrec-truth/1: per field the printed
and normalized value and the box of the printed value, page difficulty,
full_text), so `dangan eval --truth OUTDIR --json` can score them:

  kinds      ledger     ruled 毕业研究生名册, portrait or landscape, varying columns,
                        a grid or rules between the rows only
             card       ruled 研究生学籍登记表 of label and value cells
             underline  a card of labels with values on underlines (姓名____)
             plain      a card of label/value pairs and no rules at all
             raised     an underline card whose values were typed on afterwards:
                        above their lines (the sheet fed off by up to half a
                        line), anywhere along them (asked for only: not in the
                        default kinds, so seeds draw the pages they drew before)
             tabbed     a rule-free card of one or two label columns, each
                        column's values at one tab stop far right of its labels
  faces      Noto Sans/Serif CJK SC, WenQuanYi Micro Hei / Zen Hei, AR PL UKai,
             AR PL UMing, Noto Sans Mono; values often in another face than
             the labels (typed onto a printed form); raised and tabbed cards
             type theirs in TYPEWRITER_FACES (UKai CN/TW, Zen Hei Mono/Sharp ...)
  printing   paper tint, carbon copy (doubled soft strokes), dot-matrix,
             faded ink, a red seal, blur, noise, slight rotation, 200 dpi,
             JPEG quality; harsher with the page's difficulty
  pairs      half the cards are of a graduate listed on a ledger among the six
             pages before them (same facts, dates printed in the card's style;
             the truth names it in same_graduate_as); a ledger's student
             numbers follow one scheme, entry year then a running number
  staff      with --repeat-staff, a draw is one batch: a few departments, each
             with a few dozen supervisors who recur down a ledger and across
             its pages and cards (bench/drawcontent.py Staff); without it every
             record has a supervisor of its own and any major (the pages
             earlier benches were fitted and measured on)

usage: bench/drawpages.py OUTDIR --pages N --seed S [--kinds ledger,card,underline,plain,...]
                          [--difficulty mix|clean|moderate|hard] [--boxes]
                          [--repeat-staff]
  --boxes also writes NAME.boxes.png with the truth boxes drawn (to check them)
Page i of seed S is the same whatever N and the other pages are.
needs: python3, ImageMagick convert, fc-list; fonts-noto-cjk, fonts-wqy-microhei,
       fonts-wqy-zenhei, fonts-arphic-ukai, fonts-arphic-uming
"""
import argparse
import json
import math
import os
import random
import subprocess
import sys

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import drawcontent as C  # noqa: E402

# family as fontconfig names it -> ImageMagick's font name
FACES = {'Noto Sans CJK SC': 'Noto-Sans-CJK-SC', 'Noto Serif CJK SC': 'Noto-Serif-CJK-SC',
         'WenQuanYi Micro Hei': 'WenQuanYi-Micro-Hei', 'WenQuanYi Zen Hei': 'WenQuanYi-Zen-Hei',
         'AR PL UKai CN': 'AR-PL-UKai-CN', 'AR PL UMing CN': 'AR-PL-UMing-CN',
         'Noto Sans Mono CJK SC': 'Noto-Sans-Mono-CJK-SC', 'AR PL UKai TW': 'AR-PL-UKai-TW',
         'WenQuanYi Zen Hei Mono': 'WenQuanYi-Zen-Hei-Mono',
         'WenQuanYi Zen Hei Sharp': 'WenQuanYi-Zen-Hei-Sharp'}
FORM_FACES = ['Noto Sans CJK SC', 'Noto Serif CJK SC', 'WenQuanYi Micro Hei', 'WenQuanYi Zen Hei',
              'AR PL UMing CN', 'AR PL UKai CN']
TYPED_FACES = ['AR PL UKai CN', 'Noto Sans Mono CJK SC', 'AR PL UMing CN', 'WenQuanYi Micro Hei',
               'Noto Serif CJK SC', 'WenQuanYi Zen Hei', 'Noto Sans CJK SC']
# the faces a typewriter or a form printer of the 1980s resembles, for the
# values of the raised and tabbed kinds: Kai (no Fangsong face is packaged
# for Debian), monospaced Hei and Zen Hei Sharp, a bitmap-like face
TYPEWRITER_FACES = ['AR PL UKai CN', 'AR PL UKai TW', 'Noto Sans Mono CJK SC',
                    'WenQuanYi Zen Hei Mono', 'WenQuanYi Zen Hei Sharp', 'AR PL UMing CN']
KINDS = ('ledger', 'card', 'underline', 'plain', 'raised', 'tabbed')
FALLBACK = 'Noto Serif CJK SC'
SEAL_RED = '#c8323c'


class Faces:
    """Glyph coverage and advance widths of the faces, measured once."""

    def __init__(self):
        self.charsets, self.adv = {}, {}
        for fam in FACES:
            out = subprocess.run(['fc-list', '--format', '%{charset}\n', fam + ':style=Regular'],
                                 capture_output=True, text=True).stdout.split('\n')[0]
            if not out:
                out = subprocess.run(['fc-list', '--format', '%{charset}\n', fam],
                                     capture_output=True, text=True).stdout.split('\n')[0]
            if not out:
                raise SystemExit('drawpages: font %s not installed' % fam)
            ranges = []
            for r in out.split():
                a, _, b = r.partition('-')
                ranges.append((int(a, 16), int(b or a, 16)))
            self.charsets[fam] = ranges

    def has(self, fam, text):
        return all(any(a <= ord(c) <= b for a, b in self.charsets[fam]) for c in text)

    NARROW = '0123456789.-()/:○—·' + 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz'

    def _measure(self, fam, size):
        cmd = ['convert', '-debug', 'annotate', '-size', '8x8', 'xc:', '-font', FACES[fam],
               '-pointsize', str(size)]
        for c in self.NARROW + '\0':  # a space alone is not measured: '0 0' is
            cmd += ['-annotate', '0', c if c != '\0' else '0 0']
        cmd.append('null:')
        err = subprocess.run(cmd, capture_output=True, text=True).stderr
        widths = [float(ln.split('width: ')[1].split(';')[0]) for ln in err.splitlines()
                  if 'Metrics: text:' in ln]
        if len(widths) != len(self.NARROW) + 1:
            raise SystemExit('drawpages: cannot measure %s' % fam)
        adv = dict(zip(self.NARROW, widths))
        adv[' '] = widths[-1] - 2 * adv['0']
        return adv

    def width(self, fam, size, text):
        key = (fam, size)
        if key not in self.adv:
            self.adv[key] = self._measure(fam, size)
        a = self.adv[key]
        return sum(a.get(c, size) for c in text)


class Page:
    """Draw commands in page pixels (300 dpi), with the box of every text."""

    def __init__(self, faces, w, h):
        self.faces, self.w, self.h = faces, w, h
        self.form, self.values = [], []

    def face(self, fam, text):
        return fam if self.faces.has(fam, text) else FALLBACK

    def width(self, fam, size, text):
        return self.faces.width(self.face(fam, text), size, text)

    def text(self, layer, fam, size, x, base, text):
        """Draw text with its baseline at base; return its box, None for ''."""
        if not text:
            return None
        fam = self.face(fam, text)
        (self.values if layer == 'value' else self.form).append(
            "font '%s' font-size %d text %.1f,%.1f '%s'" % (FACES[fam], size, x, base, text))
        w = self.faces.width(fam, size, text)
        return [x - 2, base - 0.9 * size - 2, x + w + 2, base + 0.16 * size + 2]

    def line(self, x0, y0, x1, y1, width=3):
        self.form.append("stroke INK stroke-width %d line %.1f,%.1f %.1f,%.1f stroke none" % (
            width, x0, y0, x1, y1))


def field(label, pv, bbox):
    return {'label': label, 'printed': pv[0], 'normalized': pv[1], 'bbox': bbox}


# ---------------------------------------------------------------- labels
LABELS = {'name': ['姓名'], 'sex': ['性别'], 'birth_date': ['出生年月', '出生日期'],
          'ethnicity': ['民族'], 'native_place': ['籍贯'], 'political_status': ['政治面貌'],
          'student_no': ['学号'], 'enroll_date': ['入学年月', '入学时间', '入学日期'],
          'duration': ['学制', '学习年限'], 'department': ['系(所)', '所在系', '系别'],
          'supervisor': ['导师', '指导教师', '导师姓名'], 'major': ['专业', '专业名称', '学科专业'],
          'major_code': ['专业代码'], 'research_direction': ['研究方向'],
          'grad_date': ['毕业年月', '毕业时间', '毕业日期'], 'degree': ['学位', '授予学位', '获得学位'],
          'certificate_no': ['证书编号', '学位证书编号'], 'seq': ['序号'], 'remarks': ['备注']}


def labels(rng):
    return {k: rng.choice(v) for k, v in LABELS.items()}


def page_style(rng):
    return rng.choice(C.DATE_STYLES), rng.choice(['〇', '〇', '○', '零'])


def header_date(rng, y, m, style, zero):
    day = rng.randint(1, 28) if rng.random() < 0.5 else None
    if style in ('yy_dot', 'yy_dot0', 'yy_cn'):
        style = 'dot'
    if day and style == 'cn':
        style = 'ymd_cn'
    return C.date(rng, y, m, style, zero, day)


def title_block(pg, rng, st, title, univ, y, size):
    """Centered title; the university is its prefix."""
    w = pg.width(st['title_face'], size, title)
    x = (pg.w - w) / 2
    box = pg.text('form', st['title_face'], size, x, y, title)
    uw = pg.width(st['title_face'], size, univ)
    return box, [box[0], box[1], x + uw + 2, box[3]]


# ---------------------------------------------------------------- ledger
def student_numbers(rng, studs):
    """A ledger's student numbers follow one scheme, as a registry issued
    them: the entry year, then a running number in the order of the list."""
    scheme = rng.choice(['%02d' + str(rng.randint(1, 9)) + '%03d', 'S%02d%04d', '%02d-%04d'])
    n = rng.randint(1, 600)
    for s in studs:
        n += rng.choice([1, 1, 1, 1, 2, 3])
        sno = scheme % (int(s['enroll_date'][1][:4]) % 100, n)
        s['student_no'] = (sno, sno)


def ledger(pg, rng, st, staff=None):
    lab = labels(rng)
    univ = rng.choice(C.UNIVERSITIES)
    gy = rng.randint(1981, 1998)
    style, zero = page_style(rng)
    first = C.major(rng, staff.majors if staff else None)
    pool = C.majors_like(first[1])
    keys = ['name', 'sex', 'birth_date', 'major', 'supervisor', 'grad_date', 'degree']
    if rng.random() < 0.7:
        keys.insert(5, 'enroll_date')
    seq, sno = rng.random() < 0.8, rng.random() < 0.4
    if not seq and not sno:
        sno = True
    front = (['seq'] if seq else []) + (['student_no'] if sno else [])
    extra = [k for k, p in (('department', 0.3), ('ethnicity', 0.2), ('native_place', 0.2),
                            ('certificate_no', 0.15), ('remarks', 0.25)) if rng.random() < p]
    keys = front + keys
    if 'ethnicity' in extra:
        keys.insert(keys.index('birth_date'), 'ethnicity')
    if 'native_place' in extra:
        keys.insert(keys.index('birth_date') + 1, 'native_place')
    if 'department' in extra:
        keys.insert(keys.index('major'), 'department')
    if 'certificate_no' in extra:
        keys.append('certificate_no')
    if 'remarks' in extra:
        keys.append('remarks')
    land = pg.w > pg.h
    nrows = rng.randint(8, 14) if land else rng.randint(12, 25)
    studs = [C.student(rng, gy, style, zero, pool, staff) for _ in range(nrows)]
    student_numbers(rng, studs)
    dept = C.department_of(studs[0]['_code'])
    for i, s in enumerate(studs):
        s['seq'] = (str(i + 1), str(i + 1))
        s['department'] = (dept, dept)
        r = rng.random()
        s['remarks'] = ('', None) if r < 0.8 else (lambda t: (t, t))(
            rng.choice(['延期', '提前毕业', '肄业', '转专业']))
    ls, vs = st['label_size'], st['value_size']
    pad, margin = 18, 100

    def col_w(k, size):
        return max([pg.width(st['form_face'], ls, lab[k])] +
                   [pg.width(st['value_face'], size, s[k][0]) for s in studs]) + 2 * pad
    optional = ['remarks', 'certificate_no', 'native_place', 'ethnicity', 'department']
    while True:
        widths = [col_w(k, vs) for k in keys]
        if sum(widths) <= pg.w - 2 * margin:
            break
        drop = [k for k in optional if k in keys]
        if drop:
            keys.remove(drop[0])
        elif vs > 30:
            vs -= 2
        else:
            break
    spare = (pg.w - 2 * margin - sum(widths)) * rng.uniform(0.3, 1.0)
    widths = [w + spare / len(widths) for w in widths]
    x0 = (pg.w - sum(widths)) / 2
    xs = [x0]
    for w in widths:
        xs.append(xs[-1] + w)
    title = rng.choice(['%s%s届毕业研究生名册' % (univ, C.cn_year(gy, zero)),
                        '%s%d年毕业研究生名册' % (univ, gy),
                        '%s%d届硕士研究生毕业名册' % (univ, gy)])
    tsize = st['title_size']
    tbox, ubox = title_block(pg, rng, st, title, univ, 90 + tsize, tsize)
    hy = tbox[3] + 40 + ls
    dl = rng.choice(['系(所)：', '院系：', '系别：', '所在系：'])
    pg.text('form', st['form_face'], ls, x0 + 10, hy, dl)
    dx = x0 + 10 + pg.width(st['form_face'], ls, dl) + rng.choice([0, 10])
    dbox = pg.text('value', st['value_face'], vs, dx, hy, dept)
    pno = rng.choice(['第1页', '第 1 页', '第1页 共2页'])
    pg.text('form', st['form_face'], ls, xs[-1] - pg.width(st['form_face'], ls, pno) - 10, hy, pno)
    top = hy + 40
    footer_h = 3 * ls
    rh = min(150, max(2 * vs + 4, (pg.h - top - footer_h - 120) / (nrows + 1)))
    nrows = min(nrows, int((pg.h - top - footer_h - 120) / rh) - 1)
    studs = studs[:nrows]
    ys = [top + k * rh for k in range(nrows + 2)]
    rules = st['rules']
    for y in ys:
        pg.line(xs[0], y, xs[-1], y)
    cols = xs if rules == 'grid' else ((xs[0], xs[-1]) if rules == 'rows_frame' else ())
    for x in cols:
        pg.line(x, ys[0], x, ys[-1])
    for k, key in enumerate(keys):
        w = pg.width(st['form_face'], ls, lab[key])
        pg.text('form', st['form_face'], ls, xs[k] + (widths[k] - w) / 2,
                ys[0] + (rh + 0.75 * ls) / 2, lab[key])
    rows, lines = [], []
    for r, s in enumerate(studs):
        flds, cells = {}, []
        base = ys[r + 1] + (rh + 0.75 * vs) / 2
        for k, key in enumerate(keys):
            v = s[key]
            w = pg.width(st['value_face'], vs, v[0])
            x = xs[k] + (widths[k] - w) / 2 if st['align'] == 'center' else xs[k] + pad
            flds[key] = field(lab[key], v, pg.text('value', st['value_face'], vs, x, base, v[0]))
            if v[0]:
                cells.append(v[0])
        rows.append({'row_index': r, 'bbox': [xs[0], ys[r + 1], xs[-1], ys[r + 2]],
                     'catalog1997_hint': s['_code'], 'fields': flds})
        lines.append(' '.join(cells))
    fy = ys[-1] + 60 + ls
    fd = header_date(rng, gy, rng.choice([6, 7, 7, 12]), style, zero)
    unit = '制表单位：%s研究生处' % univ
    pg.text('form', st['form_face'], ls, x0 + 10, fy, unit)
    fl = '制表日期：'
    fx = x0 + 10 + pg.width(st['form_face'], ls, unit) + 3 * ls
    pg.text('form', st['form_face'], ls, fx, fy, fl)
    fbox = pg.text('value', st['value_face'], vs, fx + pg.width(st['form_face'], ls, fl), fy, fd[0])
    header = {'title': {'printed': title, 'normalized': title, 'bbox': tbox},
              'university': {'printed': univ, 'normalized': univ, 'bbox': ubox},
              'department': field(dl, (dept, dept), dbox),
              'form_date': field(fl, fd, fbox)}
    text = [title, '%s %s %s' % (dl, dept, pno), ' '.join(lab[k] for k in keys)] + lines + [
        '%s %s %s' % (unit, fl, fd[0])]
    return {'form_type': 'ledger', 'template': 'draw-ledger-%s-%s' % (
        'landscape' if land else 'portrait', rules), 'header': header, 'rows': rows,
        'full_text': '\n'.join(text), '_studs': studs}


# ---------------------------------------------------------------- cards
CARD_KEYS = ['name', 'sex', 'birth_date', 'ethnicity', 'native_place', 'political_status',
             'student_no', 'enroll_date', 'duration', 'department', 'supervisor', 'major',
             'major_code', 'research_direction', 'grad_date', 'degree', 'certificate_no']
LONG = ('department', 'major', 'research_direction', 'certificate_no', 'native_place')


def card_rows(rng, per_row):
    """The card's fields in rows of per_row pairs; blocks of the card keep
    their order, pairs inside a row are sometimes swapped."""
    keys = list(CARD_KEYS)
    if rng.random() < 0.4:
        keys.remove('major_code')
    if rng.random() < 0.3:
        keys.remove('research_direction')
    rows, cur = [], []
    for k in keys:
        cur.append(k)
        if len(cur) == per_row or (per_row == 3 and k in LONG and len(cur) == 2):
            rows.append(cur)
            cur = []
    if cur:
        rows.append(cur)
    for r in rows:
        if len(r) > 1 and rng.random() < 0.25:
            r[0], r[1] = r[1], r[0]
    return rows


def card_head(pg, rng, st, s, lab):
    univ = rng.choice(C.UNIVERSITIES)
    title = rng.choice(['研究生学籍登记表', '研究生学籍卡', '硕士研究生学籍登记表', '研究生登记表'])
    if s['degree'][0].endswith('博士') and title.startswith('硕士'):
        title = '博士' + title[2:]
    tsize = st['title_size']
    tbox, ubox = title_block(pg, rng, st, univ + title, univ, 110 + tsize, tsize)
    ls, vs = st['label_size'], st['value_size']
    rl = rng.choice(['编号：', '档案号：', '学籍档案号：'])
    rn = rng.choice(['研字第%04d号' % rng.randint(1, 9999), '%02d-%03d' % (rng.randint(78, 98),
                                                                     rng.randint(1, 999))])
    ry = tbox[3] + 50 + ls
    rw = pg.width(st['form_face'], ls, rl) + 8 + pg.width(st['value_face'], vs, rn)
    rx = pg.w - 180 - rw
    pg.text('form', st['form_face'], ls, rx, ry, rl)
    rbox = pg.text('value', st['value_face'], vs, rx + pg.width(st['form_face'], ls, rl) + 8, ry, rn)
    header = {'university': {'printed': univ, 'normalized': univ, 'bbox': ubox},
              'title': {'printed': univ + title, 'normalized': univ + title, 'bbox': tbox},
              'record_no': field(rl, (rn, rn), rbox)}
    return header, [univ + title, '%s %s' % (rl, rn)], ry + 40, univ


def card_foot(pg, rng, st, s, y, univ, header, text):
    ls, vs = st['label_size'], st['value_size']
    gy = int(s['grad_date'][1][:4])
    style, zero = page_style(rng)
    fd = header_date(rng, gy, int(s['grad_date'][1][5:7]), style, zero)
    unit = '填表单位：%s研究生处' % univ
    pg.text('form', st['form_face'], ls, 180, y + ls, unit)
    fl = '填表日期：'
    pg.text('form', st['form_face'], ls, 180, y + 2.6 * ls, fl)
    header['form_date'] = field(fl, fd, pg.text(
        'value', st['value_face'], vs, 180 + pg.width(st['form_face'], ls, fl), y + 2.6 * ls, fd[0]))
    text += [unit, '%s %s' % (fl, fd[0])]


def reprinted(rng, graduate, style, zero):
    """A ledger's graduate as a card prints them: the same facts, the dates
    in the card's own style."""
    s = dict(graduate)
    for k in ('birth_date', 'enroll_date', 'grad_date'):
        y, m = s[k][1][:4], s[k][1][5:7]
        s[k] = C.date(rng, int(y), int(m), style if rng.random() < 0.8 else
                      rng.choice(C.DATE_STYLES), zero)
    return s


def card(pg, rng, st, kind, graduate=None, staff=None):
    """A card of one student: ruled cells (card), values on underlines
    (underline) or label/value pairs with no rule at all (plain); of
    graduate (a ledger row's) when given."""
    lab = labels(rng)
    style, zero = page_style(rng)
    s = C.student(rng, None, style, zero, None, staff)
    if graduate:
        s = reprinted(rng, graduate, style, zero)
    header, text, y, univ = card_head(pg, rng, st, s, lab)
    ls, vs = st['label_size'], st['value_size']
    rows = card_rows(rng, rng.choice([2, 3, 3]) if kind != 'tabbed' else rng.choice([1, 2, 2]))
    colon = '' if kind == 'card' else rng.choice(['：', '：', ''])
    # raised: where the typist's sheet sat (the same for the whole page)
    lift = rng.uniform(0.0, 0.6) if kind == 'raised' else 0
    slide = rng.uniform(0.0, 0.5) if kind == 'raised' else 0
    tabs = {}
    if kind == 'tabbed':  # one tab stop a column, past its longest label
        for row in rows:
            for k, key in enumerate(row):
                tabs[k] = max(tabs.get(k, 0), pg.width(st['form_face'], ls, lab[key] + colon))
        gap = rng.uniform(1.5, 4.0) * ls
        tabs = {k: w + gap for k, w in tabs.items()}
    x0, x1 = 160, pg.w - 160
    # the rows spread over most of the sheet, as on a printed card
    room = (pg.h - y - 8 * ls) / (len(rows) + (4 if kind == 'card' else 0))
    rh = int(max(2.6 * vs, min(5.5 * vs, room * rng.uniform(0.6, 1.0))))
    fields = {}
    if kind == 'card':
        pg.line(x0, y, x1, y)
    for row in rows:
        cw = (x1 - x0) / len(row)
        base = y + (rh + 0.75 * vs) / 2
        parts = []
        for k, key in enumerate(row):
            cx = x0 + k * cw
            label = lab[key] + colon
            lw = pg.width(st['form_face'], ls, label)
            v = s[key]
            vw = pg.width(st['value_face'], vs, v[0])
            if kind == 'card':
                lc = max(lw + 40, 4.2 * ls)
                pg.text('form', st['form_face'], ls, cx + (lc - lw) / 2, base, label)
                pg.line(cx + lc, y, cx + lc, y + rh)
                if k:
                    pg.line(cx, y, cx, y + rh)
                vx = cx + lc + max(20, (cw - lc - vw) / 2)
            else:
                pg.text('form', st['form_face'], ls, cx + 10, base, label)
                vx = cx + 10 + lw + (ls * 0.4 if colon else ls * 0.8)
                if kind in ('underline', 'raised'):
                    pg.line(vx - 6, base + 0.25 * vs, cx + cw - 40, base + 0.25 * vs, 2)
                if kind == 'underline':
                    vx += max(10, min(40, (cx + cw - 40 - vx - vw) / 2))
                elif kind == 'raised':
                    room = max(0, cx + cw - 40 - vx - vw)
                    vx += 10 + room * min(1, max(0, slide + rng.uniform(-0.1, 0.1)))
                elif kind == 'tabbed':
                    vx = cx + 10 + tabs[k]
            vbase = base - vs * max(0, lift + rng.uniform(-0.08, 0.08)) if lift else base
            fields[key] = field(label, v, pg.text('value', st['value_face'], vs, vx, vbase, v[0]))
            parts += [label] + ([v[0]] if v[0] else [])
        text.append(' '.join(parts))
        y += rh
        if kind == 'card':
            pg.line(x0, y, x1, y)
    if kind == 'card':
        for extra in ['学习成绩及学位论文情况', '奖惩情况', '备注']:
            eh = rng.randint(3, 6) * rh // 2
            if y + eh > pg.h - 5 * ls:
                break
            pg.text('form', st['form_face'], ls, x0 + 20, y + 1.5 * ls, extra)
            text.append(extra)
            y += eh
            pg.line(x0, y, x1, y)
        top = header['record_no']['bbox'][3] + 30 if header['record_no']['bbox'] else y
        pg.line(x0, top + 10, x0, y)
        pg.line(x1, top + 10, x1, y)
    card_foot(pg, rng, st, s, y + 60, univ, header, text)
    return {'form_type': 'registration_form', 'template': 'draw-' + kind, 'header': header,
            'fields': fields, 'catalog1997_hint': s['_code'], 'full_text': '\n'.join(text),
            **({'same_graduate_as': s['_pair']} if s.get('_pair') else {})}


# ---------------------------------------------------------------- printing
def choose_style(rng, kind, diff):
    form_face = rng.choice(FORM_FACES)
    typed = rng.random() < 0.5
    value_face = rng.choice([f for f in TYPED_FACES if f != form_face]) if typed else form_face
    ls = rng.randint(36, 46)
    st = {'form_face': form_face, 'value_face': value_face, 'typed': typed,
          'title_face': rng.choice([form_face, 'Noto Serif CJK SC', 'Noto Sans CJK SC']),
          'label_size': ls, 'value_size': ls + rng.randint(-2, 4), 'title_size': rng.randint(56, 70),
          'rules': rng.choice(['grid', 'grid', 'rows_frame', 'rows']),
          'align': rng.choice(['center', 'center', 'left'])}
    hard, mod = diff == 'hard', diff == 'moderate'
    r = rng.random()
    if hard:
        printing = 'carbon' if r < 0.35 else 'dotmatrix' if r < 0.7 else 'typed'
    elif mod:
        printing = 'carbon' if r < 0.2 else 'dotmatrix' if r < 0.4 else 'typed'
    else:
        printing = 'typed' if typed else 'printed'
    if printing in ('carbon', 'dotmatrix'):
        st['typed'] = True
    tints = {'clean': ['#fbf8ef', '#f7f2e4', '#ffffff', '#f4f4f0'],
             'moderate': ['#efe2c4', '#f0e6cc', '#e8e4d8', '#e4ebee', '#efe0d8'],
             'hard': ['#e3d2a8', '#dcc89a', '#d9d4c0', '#e6d4cc', '#d8e0d0']}[diff]
    faded = rng.random() < (0.45 if hard else 0.15 if mod else 0)
    ink = rng.choice(['#161616', '#1c2440', '#2a2238']) if st['typed'] else '#141414'
    if printing == 'carbon':
        ink = rng.choice(['#23306a', '#2b2b50', '#202020'])
    render = {
        'form_face': form_face, 'value_face': st['value_face'], 'title_face': st['title_face'],
        'value_printing': printing, 'dot_scope': 'page' if (
            printing == 'dotmatrix' and kind == 'ledger' and rng.random() < 0.5) else 'values',
        'paper': rng.choice(tints), 'faded': faded,
        'form_ink': rng.choice(['#7a7a7a', '#8a8580']) if faded else rng.choice(['#151515', '#202428']),
        'value_ink': ('#6e6e80' if printing != 'carbon' else '#7078a8') if faded else ink,
        'blur': round(rng.uniform(*{'clean': (0.2, 0.5), 'moderate': (0.5, 0.9),
                                    'hard': (0.8, 1.5)}[diff]), 2),
        'noise': round(rng.uniform(*{'clean': (0.05, 0.2), 'moderate': (0.25, 0.5),
                                     'hard': (0.45, 0.8)}[diff]), 2),
        'rotate_deg': round(rng.uniform(-1, 1) * {'clean': 0.4, 'moderate': 1.2, 'hard': 3}[diff], 2),
        'dpi': 200 if rng.random() < {'clean': 0.2, 'moderate': 0.5, 'hard': 0.7}[diff] else 300,
        'jpeg_quality': rng.randint(*{'clean': (88, 95), 'moderate': (72, 88), 'hard': (45, 70)}[diff]),
        'seal': rng.random() < {'clean': 0.1, 'moderate': 0.35, 'hard': 0.6}[diff],
        'gray': rng.random() < 0.25,
    }
    return st, render


def seal_mvg(rng, pg, fields_boxes):
    """A red seal over a value the page prints (its key), or over free paper."""
    r = rng.randint(150, 210)
    boxes = [(k, b) for k, b in fields_boxes if b]
    key, b = rng.choice(boxes)
    cx = (b[0] + b[2]) / 2 + rng.uniform(-r * 0.6, r * 0.6)
    cy = (b[1] + b[3]) / 2 + rng.uniform(-r * 0.6, r * 0.6)
    pts = []
    for i in range(10):
        a = -math.pi / 2 + i * math.pi / 5
        rr = r * (0.28 if i % 2 == 0 else 0.11)
        pts.append('%.1f,%.1f' % (cx + rr * math.cos(a), cy + rr * math.sin(a)))
    # drawn see-through over the page: the text under it stays readable
    red = "'%s'" % SEAL_RED
    mvg = ['push graphic-context',
           'stroke %s stroke-width %d stroke-opacity 0.65 fill none circle %.1f,%.1f %.1f,%.1f' % (
               red, rng.randint(8, 14), cx, cy, cx + r, cy),
           'pop graphic-context', 'push graphic-context',
           'fill %s fill-opacity 0.65 stroke none polygon %s' % (red, ' '.join(pts)),
           "font '%s' font-size %d text %.1f,%.1f '研究生处'" % (
               FACES['Noto Sans CJK SC'], r // 4, cx - r / 2, cy + r * 0.62),
           'pop graphic-context']
    best, area = None, 0
    for k, bb in boxes:
        ix = max(0, min(bb[2], cx + r) - max(bb[0], cx - r))
        iy = max(0, min(bb[3], cy + r) - max(bb[1], cy - r))
        if ix * iy > area:
            best, area = k, ix * iy
    return '\n'.join(mvg), best


def paper_multiply(hexcolor):
    """Per-channel multiply by the paper's colour (no second page image)."""
    out = []
    for i, ch in enumerate('RGB'):
        out += ['-channel', ch, '-evaluate', 'multiply',
                '%.3f' % (int(hexcolor[1 + 2 * i:3 + 2 * i], 16) / 255.0)]
    return out + ['+channel']


def render_page(pg, rd, mvg, out, seed):
    """Draw and age the page.  ImageMagick's policy caps the pixel cache at
    256 MiB (three A4 pages at 300 dpi) and spills to disk beyond, which is
    twenty times slower, so no call holds more than two page images: a value
    layer that needs its own treatment goes through a PNG."""
    f = rd['dpi'] / 300
    # drawn at the scan's resolution: a 200 dpi page costs half the time
    size = '%dx%d' % (round(pg.w * f), round(pg.h * f))
    scale = 'affine %g,0,0,%g,0,0\n' % (f, f)
    layer = None
    form = scale + mvg['form']
    pitch = 3  # 100 dots an inch at 300 dpi, a 9-pin draft mode's 67 at 200
    if rd['value_printing'] in ('dotmatrix', 'carbon'):
        layer = out + '.values.png'
        cmd = ['convert', '-size', size, 'xc:white', '-fill', 'black', '-draw',
               scale + mvg['values']]
        if rd['value_printing'] == 'dotmatrix':
            # the ink kept only on a lattice of 1/100 in, each point a square dot
            cmd = ['convert', '-size', '%dx%d' % (pitch, pitch), 'xc:white', '-fill', 'black',
                   '-draw', 'rectangle 0,0 %d,%d' % (pitch - 2, pitch - 2), '-write', 'mpr:dot',
                   '+delete'] + cmd[1:] + [
                   '-morphology', 'Erode', 'Square:1', '-size', size, 'tile:mpr:dot',
                   '-compose', 'lighten', '-composite']
        else:
            # a carbon copy: the strokes doubled a pixel or two apart, soft
            cmd += ['(', '+clone', '-roll', '+2+1', ')', '-compose', 'multiply', '-composite',
                    '-blur', '0x1.1']
        cmd += ['+level-colors', rd['value_ink'] + ',white', '-depth', '8',
                '-define', 'png:compression-level=1', layer]
        subprocess.run(cmd, check=True)
    else:
        form += "\nfill '%s'\n" % rd['value_ink'] + mvg['values']
    cmd = ['convert', '-size', size, 'xc:white', '-fill', rd['form_ink'], '-draw', form]
    if layer:
        cmd += [layer, '-compose', 'multiply', '-composite']
    if mvg.get('seal'):
        cmd += ['-draw', scale + mvg['seal']]
    cmd += paper_multiply(rd['paper'])
    if rd['gray']:  # before the noise, which then costs a third
        cmd += ['-colorspace', 'gray']
    cmd += ['-blur', '0x%g' % (rd['blur'] * f), '-seed', str(seed), '-attenuate', str(rd['noise']),
            '+noise', 'Gaussian', '-virtual-pixel', 'background', '-background', rd['paper'],
            '-filter', 'point', '-interpolate', 'bilinear', '-distort', 'SRT', '%g' % rd['rotate_deg']]
    cmd += ['-density', str(rd['dpi']), '-units', 'PixelsPerInch', '-quality',
            str(rd['jpeg_quality']), out]
    subprocess.run(cmd, check=True)
    if layer:
        os.remove(layer)


def transform(box, pg, rd):
    """A box on the drawn page -> the axis-aligned box in the image."""
    if box is None:
        return None
    a = math.radians(rd['rotate_deg'])
    cx, cy = pg.w / 2, pg.h / 2
    f = rd['dpi'] / 300
    xs, ys = [], []
    for x, y in ((box[0], box[1]), (box[2], box[1]), (box[0], box[3]), (box[2], box[3])):
        xs.append(cx + (x - cx) * math.cos(a) - (y - cy) * math.sin(a))
        ys.append(cy + (x - cx) * math.sin(a) + (y - cy) * math.cos(a))
    wi, hi = round(pg.w * f), round(pg.h * f)
    return [max(0, int(min(xs) * f)), max(0, int(min(ys) * f)),
            min(wi, int(math.ceil(max(xs) * f))), min(hi, int(math.ceil(max(ys) * f)))]


def all_fields(pt):
    out = [('header.' + k, f) for k, f in pt['header'].items()]
    out += list((pt.get('fields') or {}).items())
    for r in pt.get('rows') or []:
        out += [('row%d.%s' % (r['row_index'], k), f) for k, f in r['fields'].items()]
    return out


def page_rng(seed, index):
    # a string seed is hashed: nearby integer seeds give correlated first draws
    return random.Random('drawpages:%d:%d' % (seed, index))


# how far back a card looks for a ledger of the same draw, and how often a
# card is of a graduate listed there: the archive then holds two sources of
# one graduate, which dangan must link and weigh
PAIR_BACK, PAIR_SHARE = 6, 0.5


def compose(faces, seed, index, kinds, difficulty, staff=None):
    """The page's content and style, not yet rendered; the rng goes on to
    the rendering."""
    rng = page_rng(seed, index)
    kind = rng.choice(kinds)
    diff = difficulty if difficulty != 'mix' else rng.choice(
        ['clean'] * 7 + ['moderate'] * 8 + ['hard'] * 5)
    st, rd = choose_style(rng, kind, diff)
    if kind in ('raised', 'tabbed'):  # typed on: a typewriter's face
        st['value_face'] = rd['value_face'] = rng.choice(TYPEWRITER_FACES)
        st['typed'] = True
    land = kind == 'ledger' and rng.random() < 0.4
    pg = Page(faces, *((3508, 2480) if land else (2480, 3508)))
    if kind == 'ledger':
        pt = ledger(pg, rng, st, staff)
    else:
        pt = card(pg, rng, st, kind, partner(faces, seed, index, kinds, difficulty, staff),
                  staff)
    return rng, kind, diff, st, rd, pg, pt


def partner(faces, seed, index, kinds, difficulty, staff=None):
    """The ledger row (a graduate) a card at index is the card of, or None:
    the nearest ledger among the PAIR_BACK pages before it, half the time."""
    prng = random.Random('drawpages-pair:%d:%d' % (seed, index))
    if prng.random() >= PAIR_SHARE:
        return None
    for j in range(index - 1, max(-1, index - 1 - PAIR_BACK), -1):
        if page_rng(seed, j).choice(kinds) == 'ledger':
            pt = compose(faces, seed, j, kinds, difficulty, staff)[6]
            g = prng.choice(pt['_studs'])
            return dict(g, _pair='d%03d_%04d row %d' % (seed, j, pt['_studs'].index(g)))
    return None


def draw_page(faces, outdir, seed, index, kinds, difficulty, boxes=False, staff=None):
    rng, kind, diff, st, rd, pg, pt = compose(faces, seed, index, kinds, difficulty, staff)
    if rd['dot_scope'] == 'page':
        pg.values, pg.form = pg.values + [m for m in pg.form if m.startswith('font')], \
            [m for m in pg.form if not m.startswith('font')]
    name = 'd%03d_%04d_%s_%s' % (seed, index, kind, diff)
    mvg = {'form': '\n'.join(pg.form).replace('stroke INK', "stroke '%s'" % rd['form_ink']),
           'values': '\n'.join(pg.values)}
    seal_key = None
    if rd['seal']:
        mvg['seal'], seal_key = seal_mvg(rng, pg, [(k, f['bbox']) for k, f in all_fields(pt)
                                                   if not k.startswith('header.title')])
    img = os.path.join(outdir, name + '.jpg')
    render_page(pg, rd, mvg, img, seed * 1000003 + index)
    for _, f in all_fields(pt):
        f['bbox'] = transform(f['bbox'], pg, rd)
    for r in pt.get('rows') or []:
        r['bbox'] = transform(r['bbox'], pg, rd)
    if seal_key:
        if seal_key.startswith('row'):
            pt['seal_over_row'] = int(seal_key[3:].split('.')[0])
        else:
            pt['seal_over_field'] = seal_key
    f = rd['dpi'] / 300
    page = {'page_index': 0, 'form_type': pt['form_type'], 'template': pt['template'],
            'difficulty': diff, 'width': round(pg.w * f), 'height': round(pg.h * f),
            'dpi': rd['dpi'], 'skew_deg': -rd['rotate_deg'], 'header': pt['header']}
    for k in ('fields', 'rows', 'catalog1997_hint', 'seal_over_field', 'seal_over_row',
              'same_graduate_as'):
        if k in pt:
            page[k] = pt[k]
    page['full_text'] = pt['full_text']
    page['render'] = dict(rd, kind=kind, label_size=st['label_size'], value_size=st['value_size'],
                          rules=st['rules'] if kind == 'ledger' else ('grid' if kind == 'card'
                                                                      else kind))
    truth = {'schema': 'gradrec-truth/1', 'image': name + '.jpg', 'image_format': 'jpeg',
             'tiff_compression': None, 'page_count': 1, 'difficulty': diff, 'pages': [page]}
    with open(os.path.join(outdir, name + '.truth.json'), 'w', encoding='utf-8') as fo:
        json.dump(truth, fo, ensure_ascii=False, indent=1)
    if boxes:
        draw_boxes(img, page, os.path.join(outdir, name + '.boxes.png'))
    return name


def draw_boxes(img, page, out):
    mvg = ['fill none stroke-width 2']
    for k, f in all_fields({'header': page['header'], 'fields': page.get('fields'),
                            'rows': page.get('rows')}):
        if f['bbox']:
            mvg.append("stroke '%s' rectangle %d,%d %d,%d" % (
                'blue' if k.startswith('header') else 'lime', *f['bbox']))
    for r in page.get('rows') or []:
        mvg.append("stroke 'magenta' rectangle %d,%d %d,%d" % tuple(r['bbox']))
    subprocess.run(['convert', img, '-draw', '\n'.join(mvg), '-define', 'png:compression-level=1',
                    out], check=True)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('outdir')
    ap.add_argument('--pages', type=int, default=10)
    ap.add_argument('--seed', type=int, default=1)
    ap.add_argument('--first', type=int, default=0, help='index of the first page (default 0)')
    ap.add_argument('--kinds', default='ledger,card,underline,plain')
    ap.add_argument('--difficulty', default='mix', choices=['mix', 'clean', 'moderate', 'hard'])
    ap.add_argument('--boxes', action='store_true')
    ap.add_argument('--repeat-staff', action='store_true',
                    help='a batch of a few departments whose supervisors recur')
    a = ap.parse_args()
    staff = C.Staff(a.seed) if a.repeat_staff else None
    kinds = a.kinds.split(',')
    bad = [k for k in kinds if k not in KINDS]
    if bad:
        ap.error('unknown kind %s' % ','.join(bad))
    os.makedirs(a.outdir, exist_ok=True)
    os.environ.setdefault('MAGICK_THREAD_LIMIT', '1')
    faces = Faces()
    for i in range(a.first, a.first + a.pages):
        print(draw_page(faces, a.outdir, a.seed, i, kinds, a.difficulty, a.boxes, staff),
              flush=True)


if __name__ == '__main__':
    main()
