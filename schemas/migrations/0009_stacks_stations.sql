-- A scanned stack with cover and separator sheets is split into papers: the stack's own document
-- ends as 'split' (it is never coded, signed or archived: its sheets stay out of the archive), and
-- each paper is a document of its own, listed here with the stack pages it holds.
ALTER TABLE documents DROP CONSTRAINT documents_status_check;
ALTER TABLE documents ADD CONSTRAINT documents_status_check
    CHECK (status IN ('received', 'processing', 'done', 'failed', 'split'));

CREATE TABLE document_parts (
    stack_id    uuid NOT NULL REFERENCES documents (id),
    n           integer NOT NULL CHECK (n >= 1),
    document_id uuid NOT NULL REFERENCES documents (id),
    first_page  integer NOT NULL CHECK (first_page >= 1),
    last_page   integer NOT NULL CHECK (last_page >= first_page),
    dossier_id  uuid REFERENCES dossiers (id),  -- the dossier its sheet named, when it was attached
    PRIMARY KEY (stack_id, n)
);
CREATE INDEX document_parts_document ON document_parts (document_id);

-- What each scanner station last said of itself (POST /api/v1/stations/report): the admin screen
-- shows when it was last heard from and what waits or failed on it.
CREATE TABLE station_reports (
    account_id  bigint PRIMARY KEY REFERENCES accounts (id),
    reported_at timestamptz NOT NULL,
    client      text NOT NULL DEFAULT '',
    version     text NOT NULL DEFAULT '',
    host        text NOT NULL DEFAULT '',
    dirs        text[] NOT NULL DEFAULT '{}',
    waiting     integer NOT NULL DEFAULT 0,
    sending     integer NOT NULL DEFAULT 0,
    sent_today  integer NOT NULL DEFAULT 0,
    failed      integer NOT NULL DEFAULT 0,
    last_error  text NOT NULL DEFAULT ''
);
