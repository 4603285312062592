-- Integrity under faults (issue "Nothing mixed up, nothing lost, nothing left waiting").

-- What a person reads about a failure: a stable code beside the Vietnamese reason, and whether a
-- retry can help (a bad input never; an outage that outlasted the retry budget yes).
ALTER TABLE documents
    ADD COLUMN error_code     text NOT NULL DEFAULT '',
    ADD COLUMN retryable      boolean NOT NULL DEFAULT false,
    ADD COLUMN signed_version text NOT NULL DEFAULT '',   -- object version of the signed file
    -- The PDF/A conformance of the archive copy: '2u' for what sohoa builds; a signed original kept
    -- byte for byte has its own, or '' when it is not PDF/A (pdfa.Check says why, in the history).
    ADD COLUMN conformance    text NOT NULL DEFAULT '';

-- Which worker runs a stage or a page, and the generation of that work: when a worker dies, another
-- takes its work over under a new generation (a new task ID), and the dead worker's task, handed out
-- again by Asynq later, is stale.
ALTER TABLE stages
    ADD COLUMN worker text NOT NULL DEFAULT '',
    ADD COLUMN gen    integer NOT NULL DEFAULT 0;
ALTER TABLE pages
    ADD COLUMN ocr_worker text NOT NULL DEFAULT '',
    ADD COLUMN ocr_gen    integer NOT NULL DEFAULT 0;

-- Every worker process beats here every few seconds; one not seen for a while is dead.
CREATE TABLE workers (
    id         text PRIMARY KEY,
    host       text NOT NULL DEFAULT '',
    pid        integer NOT NULL DEFAULT 0,
    started_at timestamptz NOT NULL DEFAULT now(),
    seen_at    timestamptz NOT NULL DEFAULT now()
);

-- This database's identity: a database made afresh (a restore, a reinstall) gets a new one, which
-- tells the queues in Redis that tasks left there by the old one are not this database's.
CREATE TABLE deployment (
    id         uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    created_at timestamptz NOT NULL DEFAULT now(),
    one        boolean NOT NULL DEFAULT true UNIQUE CHECK (one)
);
INSERT INTO deployment DEFAULT VALUES;
