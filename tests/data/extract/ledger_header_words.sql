-- on: ledger_wrapped
-- The ledger of ledger_wrapped.sql headed with longer words: 导师姓名
-- (which holds 姓名, the name's label) and 学科专业 (专业 at its end: the
-- column must span the whole word, or the majors fall outside it).
UPDATE fx_word SET text = '导师姓名', w = 160 WHERE line = 2 AND text = '导 师';
UPDATE fx_word SET text = '学科专业', w = 160 WHERE line = 2 AND text = '专业';
