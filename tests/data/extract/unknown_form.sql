-- A page of some other paper (minutes of a meeting): matches no template.
INSERT INTO fx_word(line, x, y, w, h, text) VALUES
 (0, 700, 200, 600, 70, '系务会议记录'),
 (1, 200, 400, 400, 40, '时间：1990年3月5日'),
 (2, 200, 480, 900, 40, '出席：张三 李四 王五'),
 (3, 200, 560, 1200, 40, '讨论研究生招生计划及导师安排');
