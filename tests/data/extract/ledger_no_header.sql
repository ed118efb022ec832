-- on: ledger_wrapped
-- The ledger of ledger_wrapped.sql with its column header lost (a faded
-- header row, or a continuation page printed without one): its title makes
-- it a ledger, but no column says what its values are.  It must not pass
-- as a ledger page with no students: it is an unknown form, for review.
DELETE FROM fx_word WHERE line = 2;
