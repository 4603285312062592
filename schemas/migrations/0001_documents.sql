-- The e-data store's first tables: documents and what happened to them.
-- PostgreSQL is the truth about every document; Redis only carries work.

CREATE TABLE documents (
    id            uuid PRIMARY KEY,
    sha256        text NOT NULL UNIQUE,          -- of the original bytes; the same bytes make one document
    original_key  text NOT NULL,                 -- object key of the original in the work bucket
    filename      text NOT NULL DEFAULT '',
    source        text NOT NULL,                 -- api, s3:<bucket>/<key>, sweep:<bucket>/<key>
    size_bytes    bigint NOT NULL,
    media_type    text NOT NULL DEFAULT '',
    status        text NOT NULL DEFAULT 'received'
                  CHECK (status IN ('received', 'processing', 'done', 'failed')),
    stage         text NOT NULL DEFAULT 'ingest', -- the stage to run next, or the one that failed
    run           integer NOT NULL DEFAULT 1,     -- bumped on retry so task IDs stay unique
    error         text NOT NULL DEFAULT '',
    title         text NOT NULL DEFAULT '',
    pages         integer NOT NULL DEFAULT 0,
    code          text UNIQUE,
    pdf_key       text,                          -- unsigned PDF in the work bucket
    signed_key    text,                          -- signed PDF in the archive bucket
    signed_sha256 text,
    text          text NOT NULL DEFAULT '',
    search        tsvector,
    created_at    timestamptz NOT NULL DEFAULT now(),
    updated_at    timestamptz NOT NULL DEFAULT now()
);

CREATE INDEX documents_pending ON documents (updated_at) WHERE status IN ('received', 'processing');
CREATE INDEX documents_search ON documents USING gin (search);

CREATE TABLE pages (
    document_id uuid NOT NULL REFERENCES documents (id) ON DELETE CASCADE,
    n           integer NOT NULL,                -- 1-based
    image_key   text NOT NULL,
    format      text NOT NULL,
    width       integer NOT NULL,
    height      integer NOT NULL,
    dpi_x       double precision NOT NULL,
    dpi_y       double precision NOT NULL,
    ocr_key     text,                            -- words and boxes (JSON) in the work bucket
    text        text,
    confidence  double precision,
    PRIMARY KEY (document_id, n)
);

-- One row per stage per run: what a person sees as the document's history.
CREATE TABLE stages (
    document_id uuid NOT NULL REFERENCES documents (id) ON DELETE CASCADE,
    run         integer NOT NULL,
    name        text NOT NULL,
    status      text NOT NULL CHECK (status IN ('running', 'done', 'failed')),
    attempts    integer NOT NULL DEFAULT 0,
    started_at  timestamptz NOT NULL,
    finished_at timestamptz,
    error       text NOT NULL DEFAULT '',
    PRIMARY KEY (document_id, run, name)
);

-- Daily sequences per receiving agency for dossier codes (Thông tư 01/2018 Điều 19).
CREATE TABLE code_sequences (
    agency text NOT NULL,
    day    date NOT NULL,
    last   integer NOT NULL,
    PRIMARY KEY (agency, day)
);
