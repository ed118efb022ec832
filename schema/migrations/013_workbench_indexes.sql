-- The workbench's lookups by foreign key (issue #22): the page view finds
-- each field's latest review item and the study its value went to; the
-- per-batch throughput groups pages, decisions and loads by batch and hour.
CREATE INDEX review_item_field ON review_item(field_id) WHERE field_id IS NOT NULL;
CREATE INDEX provenance_field ON provenance(field_id);
CREATE INDEX file_batch ON file(batch_id);
CREATE INDEX review_decision_decided ON review_decision(decided);
