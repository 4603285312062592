-- The national portal's export walks a period's dossiers in the order they were received, a page at
-- a time after the last one of the page before (GET /api/v1/dvcqg): an ordered scan of this index,
-- whatever the period's length, with the agencies filtered on the way.
CREATE INDEX dossiers_received ON dossiers (received_at, id);
