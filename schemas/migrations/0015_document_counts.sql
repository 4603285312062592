-- How many documents are in each status, kept current for the metrics (GET /metrics), which read
-- it at every scrape: counting the documents table instead scans all of it (459 ms at a million
-- documents here, BenchmarkDocumentsByStatus, and growing). Each status change appends a row of
-- deltas rather than updating one row per status: a transaction that changes several documents (a
-- stack split into its papers) would otherwise lock those few hot rows in an order another one
-- could lock the other way round, a deadlock. Readers sum the rows, and fold them into one row per
-- status once they are many (storage.Postgres.DocumentsByStatus), so the table stays short.
CREATE TABLE document_counts (
    id     bigserial PRIMARY KEY,
    status text NOT NULL,
    n      bigint NOT NULL
);

CREATE FUNCTION count_documents() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP <> 'INSERT' THEN
        INSERT INTO document_counts (status, n) VALUES (OLD.status, -1);
    END IF;
    IF TG_OP <> 'DELETE' THEN
        INSERT INTO document_counts (status, n) VALUES (NEW.status, 1);
    END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER document_counts_rows AFTER INSERT OR DELETE ON documents
    FOR EACH ROW EXECUTE FUNCTION count_documents();
CREATE TRIGGER document_counts_status AFTER UPDATE OF status ON documents
    FOR EACH ROW WHEN (OLD.status IS DISTINCT FROM NEW.status) EXECUTE FUNCTION count_documents();

CREATE FUNCTION clear_document_counts() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM document_counts;
    RETURN NULL;
END $$;
CREATE TRIGGER document_counts_truncate AFTER TRUNCATE ON documents
    FOR EACH STATEMENT EXECUTE FUNCTION clear_document_counts();

-- The documents already there: no other process writes them while they are counted.
LOCK TABLE documents IN SHARE MODE;
INSERT INTO document_counts (status, n) SELECT status, count(*) FROM documents GROUP BY status;
