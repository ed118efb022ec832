-- The workbench's lookups (issue #22).
--
-- The page view finds each field's latest review item and the study its
-- value went to; the per-batch throughput groups pages, decisions and
-- loads by batch and hour.
CREATE INDEX review_item_field ON review_item(field_id) WHERE field_id IS NOT NULL;
CREATE INDEX provenance_field ON provenance(field_id);
CREATE INDEX file_batch ON file(batch_id);
CREATE INDEX review_decision_decided ON review_decision(decided);

-- The queue's grouped order (batch, scan, page, field key, reason, id) spans
-- four tables, so no index could serve it: a page of 100,000 open items
-- sorted them all, and each neighbour of an item scanned them.  qkey is that
-- tuple as one string (numbers zero-padded, parts split by char(1), which
-- no path, key or reason holds), set once when the item is made: none of
-- its parts changes afterwards.  An index on it turns the first page into
-- an index walk and each neighbour into one seek.
ALTER TABLE review_item ADD COLUMN qkey TEXT NOT NULL DEFAULT '';
CREATE TRIGGER review_item_qkey AFTER INSERT ON review_item BEGIN
  UPDATE review_item SET qkey =
    (SELECT printf('%020d', coalesce(fl.batch_id, 0)) || char(1) || coalesce(fl.path, '') ||
            char(1) || printf('%010d', coalesce(p.page_index, 0)) || char(1) ||
            coalesce((SELECT f.key FROM field f WHERE f.id = NEW.field_id), '') || char(1) ||
            NEW.reason || char(1) || printf('%020d', NEW.id)
     FROM (SELECT 1) LEFT JOIN page p ON p.id = coalesce(NEW.page_id,
            (SELECT r.page_id FROM record r WHERE r.id = NEW.record_id))
     LEFT JOIN file fl ON fl.id = p.file_id)
  WHERE id = NEW.id;
END;
UPDATE review_item SET qkey =
  (SELECT printf('%020d', coalesce(fl.batch_id, 0)) || char(1) || coalesce(fl.path, '') ||
          char(1) || printf('%010d', coalesce(p.page_index, 0)) || char(1) ||
          coalesce((SELECT f.key FROM field f WHERE f.id = review_item.field_id), '') ||
          char(1) || review_item.reason || char(1) || printf('%020d', review_item.id)
   FROM (SELECT 1) LEFT JOIN page p ON p.id = coalesce(review_item.page_id,
          (SELECT r.page_id FROM record r WHERE r.id = review_item.record_id))
   LEFT JOIN file fl ON fl.id = p.file_id);
CREATE INDEX review_item_queue_open ON review_item(qkey) WHERE state = 'open';
CREATE INDEX review_item_queue ON review_item(qkey);
