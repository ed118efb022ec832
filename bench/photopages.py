#!/usr/bin/env python3
"""bench/photopages.py - drawn pages made into phone photos of them.

Takes the pages bench/drawpages.py drew (IMAGE + NAME.truth.json) and writes
each as a phone would photograph it: on a darker table, in perspective (each
corner pulled in or out by up to 7% of the page), lit unevenly (a light
falling off across the page by 25-55%, from a random side), a little out of
focus, shrunk to a phone's 1536x2048 (about 170 dpi for an A4 page) and
saved as a JPEG marked 72 dpi, as phones mark them.  The truth file is
copied as is: the text is the page's, its boxes no longer are (bench/budget
and bench/real score text only).  Seeded: the same SEED makes the same
photos.

usage: bench/photopages.py SRC_DIR OUT_DIR [--seed S]
needs: ImageMagick (convert)
"""
import argparse
import glob
import os
import random
import shutil
import subprocess

EXTS = ('.jpg', '.jpeg', '.png', '.tif', '.tiff')


def photo(src, out, rng):
    w, h = map(int, subprocess.run(['identify', '-format', '%w %h', src + '[0]'],
                                   capture_output=True, text=True, check=True).stdout.split())
    long_side = 2048
    if w > h:
        fw, fh = long_side, round(long_side * h / w)
    else:
        fw, fh = round(long_side * w / h), long_side
    # the page shrunk into a frame with a margin of table around it
    m = 0.06
    pw, ph = round(fw * (1 - 2 * m)), round(fh * (1 - 2 * m))
    ox, oy = (fw - pw) / 2, (fh - ph) / 2

    def corner(x, y):
        return (x + rng.uniform(-0.07, 0.07) * pw, y + rng.uniform(-0.07, 0.07) * ph)
    src_pts = [(0, 0), (pw, 0), (pw, ph), (0, ph)]
    dst_pts = [corner(ox, oy), corner(ox + pw, oy), corner(ox + pw, oy + ph), corner(ox, oy + ph)]
    persp = ' '.join('%g,%g %g,%g' % (a[0], a[1], b[0], b[1]) for a, b in zip(src_pts, dst_pts))
    table = rng.choice(['#5a5048', '#6b6b70', '#3f3a36', '#8a7a66'])
    fall = rng.uniform(0.25, 0.55)
    dark = '#%02x%02x%02x' % ((round(255 * (1 - fall)),) * 3)
    angle = rng.choice([0, 90, 180, 270]) + rng.uniform(-30, 30)
    blur = rng.uniform(0.6, 1.3)
    cmd = ['convert', src + '[0]', '-resize', '%dx%d!' % (pw, ph),
           '-virtual-pixel', 'background', '-background', table,
           '-extent', '%dx%d' % (fw, fh),  # canvas the frame's size, page top left
           '-distort', 'Perspective', persp,
           '(', '-size', '%dx%d' % (fh + fw, fh + fw), 'gradient:white-' + dark,
           '-rotate', '%g' % angle, '-gravity', 'center', '-crop', '%dx%d+0+0' % (fw, fh),
           '+repage', ')',
           '-gravity', 'northwest', '-compose', 'multiply', '-composite',
           '-blur', '0x%g' % blur, '-density', '72', '-units', 'PixelsPerInch',
           '-quality', str(rng.randint(70, 90)), out]
    subprocess.run(cmd, check=True)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('src')
    ap.add_argument('out')
    ap.add_argument('--seed', type=int, default=1)
    a = ap.parse_args()
    os.makedirs(a.out, exist_ok=True)
    for f in sorted(glob.glob(os.path.join(a.src, '*'))):
        base, ext = os.path.splitext(f)
        if ext.lower() not in EXTS or not os.path.exists(base + '.truth.json'):
            continue
        name = os.path.basename(base) + '_photo'
        rng = random.Random('%d:%s' % (a.seed, name))
        photo(f, os.path.join(a.out, name + '.jpg'), rng)
        shutil.copy(base + '.truth.json', os.path.join(a.out, name + '.truth.json'))
        print(name + '.jpg', flush=True)


main()
