#!/bin/bash
# draw_turned_card.sh OUT: how tests/data/ocr/card_turned90.jpg was drawn
# (ImageMagick and fonts-arphic-ukai, as bench/drawpages.py draws a hard plain
# card: faint letter-spaced print on tinted paper).  A registration card without rules:
# short labels and values far apart at tab stops, in a Kai face spaced
# out, softened by a blur and noise, stored turned 90 degrees.  Read upright, Tesseract's
# layout takes its pairs for vertical text, a character a line.
set -e
out=$1
F=AR-PL-UKai-CN
L=("姓名|王美蕉|性别|女"
   "民族|汉族|籍贯|浙江"
   "学号|8501023|系别|园林系"
   "专业|果树学|导师|李声"
   "入学|1985年9月|学制|三年"
   "政治面貌|团员|婚否|未婚"
   "家庭出身|职员|本人成分|学生")
args=(-size 1700x1200 xc:gray88 -fill gray45 -font $F -pointsize 26 -kerning 14)
y=150
for t in "${L[@]}"; do
    IFS='|' read -r a b c d <<< "$t"
    args+=(-annotate +120+$y "$a" -annotate +420+$y "$b" -annotate +900+$y "$c" -annotate +1200+$y "$d")
    y=$((y+140))
done
convert -seed 20 "${args[@]}" -colorspace gray -blur 0x1.2 -attenuate 0.4 +noise Gaussian -rotate 90 \
    -density 200 -units PixelsPerInch -quality 40 "$out"
