-- The plan's yearly report over a province (a million dossiers) must come back within a second, and
-- aggregating one facts row per dossier cannot (about 4 s at a million). So the facts are rolled up
-- further, incrementally: indicator_rollup holds, per Vietnam day and per Vietnam month, per agency,
-- procedure and bucket of the time to a signed paper, the sums of the facts of its dossiers. A report
-- over whole days sums whole months' rows and the days at its edges; the medians and 95th
-- percentiles of the time to a signed paper, which do not add up, come from the buckets
-- (storage's toSignedBounds: log-spaced, 16 to a doubling, so an estimate is within 4.5 % of the exact
-- value).

-- The share of pages flagged for review is counted over the same pages as pages: those of the
-- signed papers and results.
ALTER TABLE dossier_facts ADD COLUMN pages_flagged integer NOT NULL DEFAULT 0;

-- A dossier deleted takes its facts with it (and so its share of the rollup).
ALTER TABLE dossier_facts DROP CONSTRAINT dossier_facts_dossier_id_fkey,
    ADD FOREIGN KEY (dossier_id) REFERENCES dossiers (id) ON DELETE CASCADE;

-- The refresh now follows a dossier moved to another agency, procedure or day, and the pages flagged
-- of its signed papers. It first locks the dossiers' facts rows, in order, then reads the
-- attachments in a statement of its own: under READ COMMITTED that statement's snapshot sees every
-- change committed by whoever refreshed before it, so two workers changing one dossier at once
-- (one attaching a paper, one signing another) cannot leave facts that miss either change.
-- Nothing locks a facts row before a document's or a dossier's row, so the lock adds no deadlock.
DROP FUNCTION refresh_dossier_facts(uuid[]);
CREATE FUNCTION refresh_dossier_facts(ids uuid[]) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    PERFORM 1 FROM dossier_facts WHERE dossier_id = ANY (ids) ORDER BY dossier_id FOR UPDATE;
    INSERT INTO dossier_facts AS f (dossier_id, agency, procedure_code, received_at, papers, papers_signed,
                                    results, results_signed, reused, pages, pages_flagged, to_signed)
    SELECT x.id, x.agency, x.procedure_code, x.received_at,
           count(dd.document_id) FILTER (WHERE dd.role = 'component'),
           count(*) FILTER (WHERE dd.role = 'component' AND coalesce(d.signed_key, '') <> ''),
           count(dd.document_id) FILTER (WHERE dd.role = 'result'),
           count(*) FILTER (WHERE dd.role = 'result' AND coalesce(d.signed_key, '') <> ''),
           count(*) FILTER (WHERE dd.reused),
           coalesce(sum(d.pages) FILTER (WHERE coalesce(d.signed_key, '') <> ''), 0),
           coalesce(sum((SELECT count(*) FROM pages pg WHERE pg.document_id = d.id AND pg.review))
                        FILTER (WHERE coalesce(d.signed_key, '') <> ''), 0),
           extract(epoch FROM min(d.signed_at) FILTER (WHERE NOT dd.reused) - x.received_at)
    FROM dossiers x
    LEFT JOIN dossier_documents dd ON dd.dossier_id = x.id
    LEFT JOIN documents d ON d.id = dd.document_id
    WHERE x.id = ANY (ids)
    GROUP BY x.id
    ON CONFLICT (dossier_id) DO UPDATE SET agency = EXCLUDED.agency, procedure_code = EXCLUDED.procedure_code,
        received_at = EXCLUDED.received_at, papers = EXCLUDED.papers, papers_signed = EXCLUDED.papers_signed,
        results = EXCLUDED.results, results_signed = EXCLUDED.results_signed, reused = EXCLUDED.reused,
        pages = EXCLUDED.pages, pages_flagged = EXCLUDED.pages_flagged, to_signed = EXCLUDED.to_signed
    -- An unchanged row is not rewritten, so it takes no rollup row's lock.
    WHERE (f.agency, f.procedure_code, f.received_at, f.papers, f.papers_signed, f.results, f.results_signed,
           f.reused, f.pages, f.pages_flagged, f.to_signed)
          IS DISTINCT FROM (EXCLUDED.agency, EXCLUDED.procedure_code, EXCLUDED.received_at, EXCLUDED.papers,
           EXCLUDED.papers_signed, EXCLUDED.results, EXCLUDED.results_signed, EXCLUDED.reused, EXCLUDED.pages,
           EXCLUDED.pages_flagged, EXCLUDED.to_signed);
END $$;

CREATE FUNCTION dossier_facts_of_move() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM refresh_dossier_facts(ARRAY[NEW.id]);
    RETURN NULL;
END $$;
CREATE TRIGGER dossier_facts_move AFTER UPDATE OF agency, procedure_code, received_at ON dossiers
    FOR EACH ROW WHEN ((OLD.agency, OLD.procedure_code, OLD.received_at) IS DISTINCT FROM (NEW.agency, NEW.procedure_code, NEW.received_at))
    EXECUTE FUNCTION dossier_facts_of_move();

-- An attachment removed, or moved to another dossier, changes the facts of the dossier it left too.
CREATE FUNCTION dossier_facts_of_detachment() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM refresh_dossier_facts(ARRAY[OLD.dossier_id]);
    RETURN NULL;
END $$;
CREATE TRIGGER dossier_facts_detachment AFTER DELETE OR UPDATE OF dossier_id ON dossier_documents
    FOR EACH ROW EXECUTE FUNCTION dossier_facts_of_detachment();

-- A page's flag changed on a signed paper (a person cleared it, the page was read again, its pages
-- were set anew) changes the pages flagged of its dossiers; on a paper not signed yet it counts
-- nowhere, so the OCR stage's recording takes no dossier's lock.
CREATE FUNCTION dossier_facts_of_page() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM refresh_dossier_facts(ARRAY(SELECT dd.dossier_id FROM dossier_documents dd JOIN documents d ON d.id = dd.document_id
                                        WHERE dd.document_id = OLD.document_id AND coalesce(d.signed_key, '') <> ''));
    RETURN NULL;
END $$;
CREATE TRIGGER dossier_facts_page AFTER UPDATE OF review ON pages
    FOR EACH ROW WHEN (OLD.review IS DISTINCT FROM NEW.review) EXECUTE FUNCTION dossier_facts_of_page();
CREATE TRIGGER dossier_facts_page_gone AFTER DELETE ON pages
    FOR EACH ROW WHEN (OLD.review) EXECUTE FUNCTION dossier_facts_of_page();

-- The bucket of a time to a signed paper, in seconds: -1 none yet; 0 under a second (a paper signed
-- before its dossier was received is counted here too); b >= 1 holds [2^((b-1)/16), 2^(b/16)).
-- toSignedBounds in storage/tosigned.go is the same table.
CREATE FUNCTION to_signed_bucket(s double precision) RETURNS smallint LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT CASE WHEN s IS NULL THEN -1 WHEN s < 1 THEN 0 ELSE 1 + floor(16 * ln(s) / ln(2)) END::smallint
$$;

CREATE TABLE indicator_rollup (
    grain          text NOT NULL CHECK (grain IN ('day', 'month')),
    start          date NOT NULL,       -- the Vietnam day, or the first day of the Vietnam month
    agency         text NOT NULL,
    procedure_code text NOT NULL,
    bucket         smallint NOT NULL,   -- to_signed_bucket of the dossiers' time to a signed paper
    dossiers       integer NOT NULL,
    digitized      integer NOT NULL,    -- dossiers with a paper or result signed
    with_results   integer NOT NULL,
    results_signed integer NOT NULL,    -- dossiers with a result signed
    reused         integer NOT NULL,    -- dossiers with a paper reused
    papers         bigint NOT NULL,
    papers_signed  bigint NOT NULL,
    pages          bigint NOT NULL,
    pages_flagged  bigint NOT NULL,
    PRIMARY KEY (grain, start, agency, procedure_code, bucket)
);

-- indicator_rollup_delta takes out what the facts rows gone added to the rollup and adds what the
-- rows came add: exact whatever runs beside it, since each row is changed by an increment under its
-- row lock. Rows are changed in the order of their key, so two statements that touch the same rows
-- wait for each other instead of deadlocking; a net change of nothing (a fact that did not change
-- what it counts) touches no row. Rows that fall to zero stay: they add nothing to a sum.
CREATE FUNCTION indicator_rollup_delta(gone dossier_facts[], came dossier_facts[]) RETURNS void LANGUAGE sql AS $$
    INSERT INTO indicator_rollup AS r (grain, start, agency, procedure_code, bucket, dossiers, digitized, with_results,
                                       results_signed, reused, papers, papers_signed, pages, pages_flagged)
    SELECT g.grain, g.start, c.agency, c.procedure_code, to_signed_bucket(c.to_signed), sum(c.sign),
           sum(c.sign * (c.papers_signed + c.results_signed > 0)::int), sum(c.sign * (c.results > 0)::int),
           sum(c.sign * (c.results_signed > 0)::int), sum(c.sign * (c.reused > 0)::int),
           sum(c.sign * c.papers), sum(c.sign * c.papers_signed), sum(c.sign * c.pages), sum(c.sign * c.pages_flagged)
    FROM (SELECT -1 AS sign, o.* FROM unnest(gone) o UNION ALL SELECT 1, n.* FROM unnest(came) n) c
    CROSS JOIN LATERAL (SELECT (c.received_at AT TIME ZONE 'Asia/Ho_Chi_Minh')::date AS day) v
    CROSS JOIN LATERAL (VALUES ('day', v.day), ('month', date_trunc('month', v.day)::date)) g (grain, start)
    GROUP BY 1, 2, 3, 4, 5
    HAVING (sum(c.sign), sum(c.sign * (c.papers_signed + c.results_signed > 0)::int), sum(c.sign * (c.results > 0)::int),
            sum(c.sign * (c.results_signed > 0)::int), sum(c.sign * (c.reused > 0)::int), sum(c.sign * c.papers),
            sum(c.sign * c.papers_signed), sum(c.sign * c.pages), sum(c.sign * c.pages_flagged))
           IS DISTINCT FROM (0, 0, 0, 0, 0, 0::numeric, 0::numeric, 0::numeric, 0::numeric)
    ORDER BY 1, 2, 3, 4, 5
    ON CONFLICT (grain, start, agency, procedure_code, bucket) DO UPDATE SET
        dossiers = r.dossiers + EXCLUDED.dossiers, digitized = r.digitized + EXCLUDED.digitized,
        with_results = r.with_results + EXCLUDED.with_results, results_signed = r.results_signed + EXCLUDED.results_signed,
        reused = r.reused + EXCLUDED.reused, papers = r.papers + EXCLUDED.papers,
        papers_signed = r.papers_signed + EXCLUDED.papers_signed, pages = r.pages + EXCLUDED.pages,
        pages_flagged = r.pages_flagged + EXCLUDED.pages_flagged
$$;

-- One statement's changes to the facts, applied at once (a refresh of many dossiers is one delta).
CREATE FUNCTION indicator_rollup_of_facts() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        PERFORM indicator_rollup_delta('{}', ARRAY(SELECT ROW(n.*)::dossier_facts FROM new_facts n));
    ELSIF TG_OP = 'DELETE' THEN
        PERFORM indicator_rollup_delta(ARRAY(SELECT ROW(o.*)::dossier_facts FROM old_facts o), '{}');
    ELSE
        PERFORM indicator_rollup_delta(ARRAY(SELECT ROW(o.*)::dossier_facts FROM old_facts o), ARRAY(SELECT ROW(n.*)::dossier_facts FROM new_facts n));
    END IF;
    RETURN NULL;
END $$;

-- rebuild_indicator_rollup makes the rollup again from the facts, for a bulk load that turned the
-- triggers off.
CREATE FUNCTION rebuild_indicator_rollup() RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    LOCK TABLE indicator_rollup IN EXCLUSIVE MODE;
    DELETE FROM indicator_rollup;
    PERFORM indicator_rollup_delta('{}', ARRAY(SELECT f FROM dossier_facts f));
END $$;

SELECT refresh_dossier_facts(ARRAY(SELECT id FROM dossiers));
SELECT rebuild_indicator_rollup();

CREATE TRIGGER indicator_rollup_insert AFTER INSERT ON dossier_facts REFERENCING NEW TABLE AS new_facts
    FOR EACH STATEMENT EXECUTE FUNCTION indicator_rollup_of_facts();
CREATE TRIGGER indicator_rollup_update AFTER UPDATE ON dossier_facts REFERENCING OLD TABLE AS old_facts NEW TABLE AS new_facts
    FOR EACH STATEMENT EXECUTE FUNCTION indicator_rollup_of_facts();
CREATE TRIGGER indicator_rollup_delete AFTER DELETE ON dossier_facts REFERENCING OLD TABLE AS old_facts
    FOR EACH STATEMENT EXECUTE FUNCTION indicator_rollup_of_facts();
