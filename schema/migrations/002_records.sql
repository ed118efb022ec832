-- 002: extraction: which form a page is, records (one per card, one per ledger
-- row) and their fields with raw text, source words and boxes.

CREATE TABLE page_form (
    page_id  INTEGER PRIMARY KEY REFERENCES page(id),
    run_id   INTEGER NOT NULL REFERENCES run(id),
    template TEXT,                         -- template id, NULL = unknown form
    score    REAL NOT NULL DEFAULT 0,
    reason   TEXT NOT NULL DEFAULT '',
    header   TEXT NOT NULL DEFAULT '{}'    -- JSON: page-level header fields
) STRICT;

CREATE TABLE record (
    id       INTEGER PRIMARY KEY,
    page_id  INTEGER NOT NULL REFERENCES page(id),
    row_no   INTEGER NOT NULL DEFAULT 0,   -- ledger row (1-based); 0 for a card
    template TEXT NOT NULL,
    run_id   INTEGER NOT NULL REFERENCES run(id),
    state    TEXT NOT NULL DEFAULT 'extracted'
             CHECK (state IN ('extracted', 'normalized', 'pending', 'loaded')),
    x INTEGER NOT NULL DEFAULT 0, y INTEGER NOT NULL DEFAULT 0,
    w INTEGER NOT NULL DEFAULT 0, h INTEGER NOT NULL DEFAULT 0,
    UNIQUE (page_id, row_no)
) STRICT;
CREATE INDEX record_state ON record(state);

CREATE TABLE field (
    id        INTEGER PRIMARY KEY,
    record_id INTEGER NOT NULL REFERENCES record(id) ON DELETE CASCADE,
    key       TEXT NOT NULL,               -- canonical key: name, sex, birth_date, ...
    raw       TEXT,                        -- as read; NULL when missing
    value     TEXT,                        -- normalized (= raw until normalize runs)
    state     TEXT NOT NULL DEFAULT 'extracted'
              CHECK (state IN ('extracted', 'missing', 'auto', 'review',
                               'verified', 'invalid', 'rejected')),
    conf_min  REAL NOT NULL DEFAULT 0,
    conf_mean REAL NOT NULL DEFAULT 0,
    x INTEGER NOT NULL DEFAULT 0, y INTEGER NOT NULL DEFAULT 0,
    w INTEGER NOT NULL DEFAULT 0, h INTEGER NOT NULL DEFAULT 0,
    words     TEXT NOT NULL DEFAULT '[]',  -- JSON array of ocr_word ids
    rule      TEXT NOT NULL DEFAULT '',    -- template id + rule that chose the value
    UNIQUE (record_id, key)
) STRICT;
CREATE INDEX field_state ON field(state);
