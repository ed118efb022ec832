-- templates: templates_free
-- A 研究生学籍卡 of label：value pairs with no rule at all (the template
-- declares rules="none"), each value at a tab stop far right of its label,
-- read as a line of its own.  The OCR lost the student number and garbled
-- 政治面貌 beyond recognition (下洁面家): the text under 学号 is that pair,
-- not a value, so the student number is missing.  所在系 was read 三在系:
-- before its colon it is still the label.  The form date is written on an
-- underline (the field declares rules="underline") and runs into it.
INSERT INTO fx_word(line, x, y, w, h, text) VALUES
 (0, 700, 200, 900, 80, '华东工学院研究生学籍卡'),
 (1, 170, 400, 110, 45, '姓名：'), (2, 700, 402, 180, 45, '欧阳建平'),
 (3, 170, 520, 110, 45, '性别：'), (4, 700, 522, 45, 45, '男'),
 (5, 170, 640, 230, 45, '出生日期：'), (6, 700, 642, 160, 45, '1961.03'),
 (7, 170, 760, 110, 45, '学号：'),
 (8, 170, 880, 230, 45, '下洁面家：'), (9, 700, 882, 180, 45, '中共党员'),
 (10, 170, 1000, 160, 45, '三在系：'), (11, 700, 1002, 135, 45, '化学系'),
 (12, 170, 1120, 110, 45, '专业：'), (13, 700, 1122, 180, 45, '有机化学'),
 (14, 170, 1240, 110, 45, '导师：'), (15, 700, 1242, 135, 45, '周培源'),
 (16, 170, 1360, 230, 45, '毕业日期：'), (17, 700, 1362, 160, 45, '1988.07'),
 (18, 170, 1480, 110, 45, '学位：'), (19, 700, 1482, 180, 45, '理学硕士'),
 (20, 170, 1700, 230, 40, '填卡日期：'), (20, 420, 1702, 300, 40, '1988.7.10____');
