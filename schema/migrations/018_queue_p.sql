-- The review queue by p (issue #22).
--
-- Sorted by its field's p, the queue sorted every open item (p lives on
-- field, the walk is over review_item): 644 ms for the first page of
-- 100,000.  qp is a copy of the field's p, kept equal to it by triggers on
-- every write of either side (a stage rewriting p, a field made again with
-- a reused id, an item made), so no writer in C has to remember it.  The
-- indexes hold the two orders' keys as expressions, the same text the
-- queue's ORDER BY and its neighbour seeks use (archive/review_queue.c):
-- items without p last, ties by id.
ALTER TABLE review_item ADD COLUMN qp REAL;
UPDATE review_item SET qp = (SELECT f.p FROM field f WHERE f.id = review_item.field_id)
  WHERE field_id IS NOT NULL;
CREATE TRIGGER review_item_qp AFTER INSERT ON review_item WHEN NEW.field_id IS NOT NULL BEGIN
  UPDATE review_item SET qp = (SELECT f.p FROM field f WHERE f.id = NEW.field_id)
    WHERE id = NEW.id;
END;
CREATE TRIGGER review_item_qp_field AFTER UPDATE OF field_id ON review_item BEGIN
  UPDATE review_item SET qp = (SELECT f.p FROM field f WHERE f.id = NEW.field_id)
    WHERE id = NEW.id;
END;
CREATE TRIGGER field_p_queue AFTER UPDATE OF p ON field WHEN NEW.p IS NOT OLD.p BEGIN
  UPDATE review_item SET qp = NEW.p WHERE field_id = NEW.id;
END;
CREATE TRIGGER field_insert_queue AFTER INSERT ON field BEGIN
  UPDATE review_item SET qp = NEW.p WHERE field_id = NEW.id;
END;
CREATE TRIGGER field_delete_queue AFTER DELETE ON field BEGIN
  UPDATE review_item SET qp = NULL WHERE field_id = OLD.id;
END;
CREATE INDEX review_item_p_open ON review_item(qp IS NULL, coalesce(qp, 0))
  WHERE state = 'open';
CREATE INDEX review_item_pdesc_open ON review_item(qp IS NULL, -coalesce(qp, 0))
  WHERE state = 'open';
CREATE INDEX review_item_p ON review_item(qp IS NULL, coalesce(qp, 0));
CREATE INDEX review_item_pdesc ON review_item(qp IS NULL, -coalesce(qp, 0));
