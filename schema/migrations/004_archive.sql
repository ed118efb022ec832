-- 004: the review queue with its decisions, and the archive proper: persons,
-- study records, the sources they came from, and per-value provenance.
-- Written by `dangan review` (archive/review.c) and `dangan load`
-- (archive/load.c); read by provenance, lookup and export.  See
-- docs/review-load.md for the life of an item and of a record.

CREATE TABLE review_item (
    id        INTEGER PRIMARY KEY,
    kind      TEXT NOT NULL CHECK (kind IN ('field', 'match', 'page', 'conflict')),
    field_id  INTEGER REFERENCES field(id) ON DELETE CASCADE,
    record_id INTEGER REFERENCES record(id) ON DELETE CASCADE,
    page_id   INTEGER REFERENCES page(id),
    study_id  INTEGER REFERENCES study_record(id), -- conflict: the study the record would join
    reason    TEXT NOT NULL,               -- first word of field.flag (low_confidence, month ...),
                                           -- 'match', 'unknown_form' or 'conflict'
    detail    TEXT NOT NULL DEFAULT '',    -- the whole flag, or what conflicts with what
    state     TEXT NOT NULL DEFAULT 'open'
              CHECK (state IN ('open', 'accepted', 'picked', 'corrected', 'rejected')),
    version   INTEGER NOT NULL DEFAULT 0,  -- bumped by every decision (optimistic locking)
    created   TEXT NOT NULL
) STRICT;
CREATE INDEX review_item_state ON review_item(state, reason);
CREATE UNIQUE INDEX review_item_unique ON review_item(kind, coalesce(field_id, 0),
                                                      coalesce(record_id, 0), coalesce(page_id, 0));

-- Decisions are rows of their own, never overwrites; undo is a decision too.
CREATE TABLE review_decision (
    id           INTEGER PRIMARY KEY,
    item_id      INTEGER NOT NULL REFERENCES review_item(id),
    verb         TEXT NOT NULL CHECK (verb IN ('accept', 'pick', 'correct', 'reject', 'undo')),
    operator     TEXT NOT NULL,
    decided      TEXT NOT NULL,
    item_before  TEXT NOT NULL,            -- review_item.state before / after
    item_after   TEXT NOT NULL,
    before_state TEXT NOT NULL,            -- field.state (page.state for page items)
    after_state  TEXT NOT NULL,
    before_value TEXT,                     -- field.value before / after
    after_value  TEXT,
    before_match TEXT,                     -- JSON {decision,code,name,rule} of the field before
    after_match  TEXT,
    rule_id      INTEGER REFERENCES mapping_rule(id), -- mapping rule a pick/correct created
    candidate    INTEGER,                  -- pick: rank chosen
    note         TEXT NOT NULL DEFAULT '', -- reject: why
    undoes       INTEGER REFERENCES review_decision(id)
) STRICT;
CREATE INDEX review_decision_item ON review_decision(item_id);

-- One human being.  Persons are created by load from a record's name field;
-- a second source of the same person links to the same person and study.
CREATE TABLE person (
    id              INTEGER PRIMARY KEY,
    name_written    TEXT NOT NULL,         -- as on the primary source (field.raw)
    name_simplified TEXT NOT NULL,
    pinyin          TEXT NOT NULL,         -- toneless, no spaces: "zhangsan"
    lookalike_key   TEXT NOT NULL,         -- OCR-confusion folded simplified name
    birth           TEXT,                  -- YYYY-MM (birth_date field value)
    sex             TEXT                   -- 男 / 女 as normalized
) STRICT;
CREATE INDEX person_simplified ON person(name_simplified);
CREATE INDEX person_pinyin ON person(pinyin);
CREATE INDEX person_lookalike ON person(lookalike_key);

-- One programme of study of a person (a master's, a doctorate).  Every
-- non-NULL value has a provenance row naming the field it came from; a value
-- missing on the primary source may be filled from a linked one.
CREATE TABLE study_record (
    id              INTEGER PRIMARY KEY,
    person_id       INTEGER NOT NULL REFERENCES person(id),
    university      TEXT,                  -- page_form.header $.university of the primary page
    department      TEXT,
    student_no      TEXT,
    major_hist      TEXT,                  -- historical major name as normalized
    major_code_hist TEXT,                  -- historical code (major_code field or match path)
    major_edition   TEXT,                  -- catalog edition in force for the record
    code_2022       TEXT,                  -- field.match_code (auto, operator rule or pick)
    name_2022       TEXT,
    enroll          TEXT,                  -- YYYY-MM
    grad            TEXT,                  -- YYYY-MM
    degree          TEXT,                  -- canonical degree, e.g. 工学硕士 (norm_degree)
    certificate_no  TEXT,
    supervisor      TEXT,
    load_run        INTEGER NOT NULL REFERENCES run(id),
    loaded          TEXT NOT NULL
) STRICT;
CREATE INDEX study_person ON study_record(person_id);

-- Which extracted records a study record was built from (card, ledger row...).
CREATE TABLE study_source (
    study_id  INTEGER NOT NULL REFERENCES study_record(id),
    record_id INTEGER NOT NULL UNIQUE REFERENCES record(id),
    role      TEXT NOT NULL CHECK (role IN ('primary', 'linked')),
    linked_by TEXT NOT NULL DEFAULT '',    -- rule or operator that linked it
    load_run  INTEGER REFERENCES run(id)   -- the load run that added this source
) STRICT;

-- For every archived value: the field it came from (the start of the walk to pixels).
CREATE TABLE provenance (
    study_id INTEGER NOT NULL REFERENCES study_record(id),
    key      TEXT NOT NULL,
    field_id INTEGER NOT NULL REFERENCES field(id),
    value    TEXT,
    PRIMARY KEY (study_id, key)
) STRICT;

-- Why a record is not loaded yet (one row per pending record, rewritten by
-- every load; removed when the record loads).  `dangan status` groups these.
CREATE TABLE load_wait (
    record_id INTEGER PRIMARY KEY REFERENCES record(id) ON DELETE CASCADE,
    reason    TEXT NOT NULL,               -- e.g. "major: match not decided"
    since     TEXT NOT NULL
) STRICT;
