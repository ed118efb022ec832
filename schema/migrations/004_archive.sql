-- 004: the review queue with its decisions, and the archive proper: persons,
-- study records, the sources they came from, and per-value provenance.

CREATE TABLE review_item (
    id        INTEGER PRIMARY KEY,
    kind      TEXT NOT NULL CHECK (kind IN ('field', 'match', 'page', 'conflict')),
    field_id  INTEGER REFERENCES field(id) ON DELETE CASCADE,
    record_id INTEGER REFERENCES record(id) ON DELETE CASCADE,
    page_id   INTEGER REFERENCES page(id),
    reason    TEXT NOT NULL,               -- low_confidence, flag:..., match, unknown_form, conflict
    detail    TEXT NOT NULL DEFAULT '',
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
    before_state TEXT NOT NULL,
    after_state  TEXT NOT NULL,
    before_value TEXT,
    after_value  TEXT,
    candidate    INTEGER,                  -- pick: rank chosen
    note         TEXT NOT NULL DEFAULT '',
    undoes       INTEGER REFERENCES review_decision(id)
) STRICT;
CREATE INDEX review_decision_item ON review_decision(item_id);

CREATE TABLE person (
    id              INTEGER PRIMARY KEY,
    name_written    TEXT NOT NULL,         -- as on the primary source
    name_simplified TEXT NOT NULL,
    pinyin          TEXT NOT NULL,         -- toneless, no spaces: "zhangsan"
    lookalike_key   TEXT NOT NULL,         -- OCR-confusion folded simplified name
    birth           TEXT,                  -- YYYY-MM
    sex             TEXT
) STRICT;
CREATE INDEX person_simplified ON person(name_simplified);
CREATE INDEX person_pinyin ON person(pinyin);
CREATE INDEX person_lookalike ON person(lookalike_key);

CREATE TABLE study_record (
    id              INTEGER PRIMARY KEY,
    person_id       INTEGER NOT NULL REFERENCES person(id),
    university      TEXT,
    department      TEXT,
    student_no      TEXT,
    major_hist      TEXT,                  -- historical major name as normalized
    major_code_hist TEXT,
    major_edition   TEXT,                  -- catalog edition in force for the record
    code_2022       TEXT,
    name_2022       TEXT,
    enroll          TEXT,
    grad            TEXT,
    degree          TEXT,
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
    linked_by TEXT NOT NULL DEFAULT ''     -- rule or operator that linked it
) STRICT;

-- For every archived value: the field it came from (the start of the walk to pixels).
CREATE TABLE provenance (
    study_id INTEGER NOT NULL REFERENCES study_record(id),
    key      TEXT NOT NULL,
    field_id INTEGER NOT NULL REFERENCES field(id),
    value    TEXT,
    PRIMARY KEY (study_id, key)
) STRICT;
