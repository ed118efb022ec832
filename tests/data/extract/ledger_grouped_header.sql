-- on: ledger_wrapped
-- The ledger of ledger_wrapped.sql with its dates under a grouping header:
-- 在校时间 over two columns saying only 入学 and 毕业.
UPDATE fx_word SET text = '入学', w = 80 WHERE line = 2 AND text = '入学年月';
UPDATE fx_word SET text = '毕业', w = 80 WHERE line = 2 AND text = '毕业年月';
INSERT INTO fx_word(line, x, y, w, h, text) VALUES (10, 1700, 420, 160, 39, '在校时间');
