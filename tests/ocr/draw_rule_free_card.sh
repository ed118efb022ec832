#!/bin/bash
# draw_rule_free_card.sh OUT: how tests/data/ocr/rule_free_card.png was drawn
# (ImageMagick and fonts-noto-cjk).  A registration card of label：value
# pairs and no rules, in small serif print at 200 dpi, written for the test;
# chi_sim misreads the 蕉 of its values (王美蕉 as 王美区, 李蕉声 as 李薰声),
# PP-OCRv4 reads them right: the line reader changes the text of fields.
set -e
out=$1
F=Noto-Serif-CJK-SC
L=("研究生学籍登记表"
   "姓名：王美蕉            性别：女"
   "出生年月：1962年5月     民族：汉族"
   "籍贯：浙江省杭州市      学号：8501023"
   "系(所)：园林系          专业：美人蕉栽培学"
   "导师：李蕉声            入学年月：1985年9月")
args=(-size 1300x560 xc:white -fill black -font $F -pointsize 24)
y=90
for t in "${L[@]}"; do args+=(-annotate +80+$y "$t"); y=$((y+70)); done
convert "${args[@]}" -colorspace gray -density 200 -units PixelsPerInch "$out"
