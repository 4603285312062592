-- The plan's indicators are read over a year of a province's dossiers (a million, with five million
-- papers). Reading them from the attachments each time would join millions of rows; instead each
-- dossier keeps one row of facts, recomputed by triggers whenever a paper is attached to it or one
-- of its papers is signed, so a report aggregates one narrow table.
ALTER TABLE documents ADD COLUMN signed_at timestamptz;
UPDATE documents SET signed_at = updated_at WHERE coalesce(signed_key, '') <> '';

CREATE TABLE dossier_facts (
    dossier_id     uuid PRIMARY KEY REFERENCES dossiers (id),
    agency         text NOT NULL,
    procedure_code text NOT NULL,
    received_at    timestamptz NOT NULL,
    papers         integer NOT NULL,  -- components handed in or reused
    papers_signed  integer NOT NULL,  -- of those, digitized: signed and archived
    results        integer NOT NULL,
    results_signed integer NOT NULL,
    reused         integer NOT NULL,  -- components taken from the store instead of handed in again
    pages          integer NOT NULL,  -- pages of the signed papers and results
    -- seconds from receipt to the first paper handed in with it being signed; null before
    to_signed      double precision
);
CREATE INDEX dossier_facts_received ON dossier_facts (received_at);

CREATE FUNCTION refresh_dossier_facts(ids uuid[]) RETURNS void LANGUAGE sql AS $$
    INSERT INTO dossier_facts AS f (dossier_id, agency, procedure_code, received_at, papers, papers_signed,
                                    results, results_signed, reused, pages, to_signed)
    SELECT x.id, x.agency, x.procedure_code, x.received_at,
           count(dd.document_id) FILTER (WHERE dd.role = 'component'),
           count(*) FILTER (WHERE dd.role = 'component' AND coalesce(d.signed_key, '') <> ''),
           count(dd.document_id) FILTER (WHERE dd.role = 'result'),
           count(*) FILTER (WHERE dd.role = 'result' AND coalesce(d.signed_key, '') <> ''),
           count(*) FILTER (WHERE dd.reused),
           coalesce(sum(d.pages) FILTER (WHERE coalesce(d.signed_key, '') <> ''), 0),
           extract(epoch FROM min(d.signed_at) FILTER (WHERE NOT dd.reused) - x.received_at)
    FROM dossiers x
    LEFT JOIN dossier_documents dd ON dd.dossier_id = x.id
    LEFT JOIN documents d ON d.id = dd.document_id
    WHERE x.id = ANY (ids)
    GROUP BY x.id
    ON CONFLICT (dossier_id) DO UPDATE SET papers = EXCLUDED.papers, papers_signed = EXCLUDED.papers_signed,
        results = EXCLUDED.results, results_signed = EXCLUDED.results_signed, reused = EXCLUDED.reused,
        pages = EXCLUDED.pages, to_signed = EXCLUDED.to_signed
$$;

CREATE FUNCTION dossier_facts_of_dossier() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM refresh_dossier_facts(ARRAY[NEW.id]);
    RETURN NULL;
END $$;
CREATE TRIGGER dossier_facts_dossier AFTER INSERT ON dossiers
    FOR EACH ROW EXECUTE FUNCTION dossier_facts_of_dossier();

CREATE FUNCTION dossier_facts_of_attachment() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM refresh_dossier_facts(ARRAY[NEW.dossier_id]);
    RETURN NULL;
END $$;
CREATE TRIGGER dossier_facts_attachment AFTER INSERT OR UPDATE ON dossier_documents
    FOR EACH ROW EXECUTE FUNCTION dossier_facts_of_attachment();

CREATE FUNCTION dossier_facts_of_document() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM refresh_dossier_facts(ARRAY(SELECT dossier_id FROM dossier_documents WHERE document_id = NEW.id));
    RETURN NULL;
END $$;
CREATE TRIGGER dossier_facts_document AFTER UPDATE OF signed_key, pages ON documents
    FOR EACH ROW WHEN (OLD.signed_key IS DISTINCT FROM NEW.signed_key OR OLD.pages IS DISTINCT FROM NEW.pages)
    EXECUTE FUNCTION dossier_facts_of_document();

SELECT refresh_dossier_facts(ARRAY(SELECT id FROM dossiers));
