#!/usr/bin/env python3
"""bench/draw_underline_fixture.py - draw tests/data/e2e/underline_card.png.

A registration card cut to its top: title, record number and three rows of
label：value pairs, each value typed onto an underline a line higher than
its label (the typist's sheet fed off), as the `raised` kind of
bench/drawpages.py draws them but further off; labels in Noto Serif, values
in AR PL UKai (a Kai typewriter face); 200 dpi grey, light grain, eight
grey levels so the PNG stays small.  tests/e2e/underline_card.sh reads it.

usage: bench/draw_underline_fixture.py OUT.png
needs: python3, ImageMagick convert, fonts-noto-cjk, fonts-arphic-ukai
"""
import os
import subprocess
import sys

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import drawpages as D  # noqa: E402

# the values the test expects, in the card's order
PAIRS = [[('姓名：', '欧阳建平'), ('性别：', '男')],
         [('出生年月：', '1961年3月'), ('民族：', '回族')],
         [('籍贯：', '河南洛阳'), ('学号：', '8531207')]]
LABEL_FACE, VALUE_FACE = 'Noto Serif CJK SC', 'AR PL UKai CN'
LS, VS, LIFT = 40, 44, 0.9  # label and value size (px at 300 dpi), lift in ems


def main():
    if len(sys.argv) != 2:
        raise SystemExit(__doc__.split('\n\n')[-2])
    out = sys.argv[1]
    pg = D.Page(D.Faces(), 2480, 1100)
    title = '西北电讯工程学院研究生学籍登记表'
    pg.text('form', LABEL_FACE, 64, (pg.w - pg.width(LABEL_FACE, 64, title)) / 2, 200, title)
    pg.text('form', LABEL_FACE, LS, 1640, 330, '学籍档案号：')
    pg.text('value', VALUE_FACE, VS, 1640 + pg.width(LABEL_FACE, LS, '学籍档案号：') + 10, 330,
            '研字第0712号')
    x0, x1, base = 160, 2320, 520
    for row in PAIRS:
        cw = (x1 - x0) / len(row)
        for k, (label, value) in enumerate(row):
            cx = x0 + k * cw
            pg.text('form', LABEL_FACE, LS, cx + 10, base, label)
            vx = cx + 10 + pg.width(LABEL_FACE, LS, label) + 0.4 * LS
            pg.line(vx - 6, base + 0.25 * VS, cx + cw - 40, base + 0.25 * VS, 2)
            pg.text('value', VALUE_FACE, VS, vx + 40, base - LIFT * VS, value)
        base += 200
    mvg = '\n'.join(pg.form).replace('stroke INK', "stroke '#181818'")
    mvg += "\nfill '#1c2440'\n" + '\n'.join(pg.values)
    subprocess.run(['convert', '-size', '%dx%d' % (pg.w, pg.h), 'xc:white', '-fill', '#181818',
                    '-draw', mvg, '-blur', '0x0.4', '-seed', '7', '-attenuate', '0.15', '+noise',
                    'Gaussian', '-colorspace', 'gray', '-resize', '66.667%', '+dither', '-colors',
                    '8', '-density', '200', '-units', 'PixelsPerInch', '-depth', '8',
                    '-define', 'png:compression-level=9', out], check=True)


if __name__ == '__main__':
    main()
