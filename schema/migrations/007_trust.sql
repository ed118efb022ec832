-- 007: the evidence behind each value.  A field is read by more than one
-- reader (Tesseract during OCR, a second recognizer over the field's box);
-- each reading is kept, and the value chosen carries p, its probability of
-- being right from all the evidence, with the evidence itself (JSON: each
-- feature and how much it weighed) for provenance.  QA samples record which
-- auto-verified values were drawn for the acceptance check (抽检).

CREATE TABLE field_reading (
    id       INTEGER PRIMARY KEY,
    field_id INTEGER NOT NULL REFERENCES field(id) ON DELETE CASCADE,
    reader   TEXT NOT NULL,                -- 'tesseract', 'rec2' (PP-OCRv4)
    text     TEXT NOT NULL,                -- as read, '' when the reader saw nothing
    conf     REAL NOT NULL,                -- the reader's own confidence, 0-1
    detail   TEXT NOT NULL DEFAULT '{}',   -- JSON: per-character probabilities, alternatives
    run_id   INTEGER REFERENCES run(id),
    UNIQUE (field_id, reader)
) STRICT;

ALTER TABLE field ADD COLUMN p REAL;                          -- NULL until normalize weighs it
ALTER TABLE field ADD COLUMN evidence TEXT NOT NULL DEFAULT '';

CREATE TABLE qa_sample (
    id       INTEGER PRIMARY KEY,
    field_id INTEGER NOT NULL UNIQUE REFERENCES field(id) ON DELETE CASCADE,
    batch_id INTEGER NOT NULL REFERENCES batch(id),
    item_id  INTEGER REFERENCES review_item(id),
    rate     REAL NOT NULL,                -- the sampling rate it was drawn at
    drawn    TEXT NOT NULL,
    operator TEXT NOT NULL
) STRICT;
CREATE INDEX qa_sample_batch ON qa_sample(batch_id);
