-- The reusable e-data store: who papers belong to, the dossiers they were handed in with, and every
-- reuse, so that nobody is asked twice for a paper the state already holds (Thông tư 32/2017 Điều 4.2.a).

-- unaccent folds Vietnamese diacritics (and đ) for search that matches with or without them. As a
-- text search configuration it folds while parsing, so ts_headline still marks the words of the
-- original text, diacritics and all.
CREATE EXTENSION IF NOT EXISTS unaccent;
CREATE TEXT SEARCH CONFIGURATION sohoa_folded (COPY = simple);
ALTER TEXT SEARCH CONFIGURATION sohoa_folded
    ALTER MAPPING FOR asciiword, word, numword, asciihword, hword, numhword, hword_part, hword_asciipart, hword_numpart
    WITH unaccent, simple;

CREATE TABLE agencies (
    id     text PRIMARY KEY,                        -- QCVN 102 identifier, 000.00.53.H26
    name   text NOT NULL,
    parent text REFERENCES agencies (id)
);

CREATE TABLE procedures (
    code text PRIMARY KEY,                          -- national catalogue code of the procedure
    name text NOT NULL
);

CREATE TABLE owners (
    id         text PRIMARY KEY,                    -- canonical CCCD (12 digits) or tax code
    kind       text NOT NULL CHECK (kind IN ('citizen', 'business')),
    name       text NOT NULL DEFAULT '',
    created_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE dossiers (
    id             uuid PRIMARY KEY,
    code           text NOT NULL UNIQUE,            -- Thông tư 01/2018 Điều 19
    procedure_code text NOT NULL REFERENCES procedures (code),
    agency         text NOT NULL REFERENCES agencies (id),
    owner_id       text NOT NULL REFERENCES owners (id),
    received_at    timestamptz NOT NULL,
    status         text NOT NULL DEFAULT 'received',
    staff          text NOT NULL DEFAULT ''
);
CREATE INDEX dossiers_owner ON dossiers (owner_id, received_at DESC);

-- What a paper is, beyond its bytes: filled by the uploader or extracted from the OCR text.
ALTER TABLE documents
    ADD COLUMN owner_id         text REFERENCES owners (id),
    ADD COLUMN kind             text NOT NULL DEFAULT '',   -- e.g. Giấy khai sinh
    ADD COLUMN notation         text NOT NULL DEFAULT '',   -- số, ký hiệu: 110/KH-UBND
    ADD COLUMN issued_on        date,
    ADD COLUMN issuing_body     text NOT NULL DEFAULT '',
    ADD COLUMN valid_until      date,                       -- null: no end
    ADD COLUMN validity_scope   text NOT NULL DEFAULT '',   -- phạm vi hiệu lực
    ADD COLUMN reusable         boolean NOT NULL DEFAULT true,
    ADD COLUMN confidence_level text NOT NULL DEFAULT '02', -- Thông tư 05/2025: 02 digitized
    ADD COLUMN search_folded    tsvector;
CREATE INDEX documents_owner ON documents (owner_id);
CREATE INDEX documents_search_folded ON documents USING gin (search_folded);

-- A paper belongs to the dossier it was handed in with, and to every later dossier that reused it
-- from the store instead of asking for it again.
CREATE TABLE dossier_documents (
    dossier_id     uuid NOT NULL REFERENCES dossiers (id),
    document_id    uuid NOT NULL REFERENCES documents (id),
    role           text NOT NULL CHECK (role IN ('component', 'result')),
    component_code text NOT NULL UNIQUE,            -- agency identifier + '-' + TP/KQ + sequence
    reused         boolean NOT NULL DEFAULT false,  -- taken from the store (DuocLayTuKhoDMQG)
    attached_at    timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (dossier_id, document_id)
);
CREATE INDEX dossier_documents_document ON dossier_documents (document_id);

-- Running numbers that are not daily (component and result codes), per agency and series.
CREATE TABLE serials (
    agency text NOT NULL,
    series text NOT NULL,
    last   integer NOT NULL,
    PRIMARY KEY (agency, series)
);

-- Append-only history: who did what to which dossier, document or owner (Nghị định 13/2023 asks
-- that access to a citizen's records be logged).
CREATE TABLE events (
    id          bigserial PRIMARY KEY,
    at          timestamptz NOT NULL DEFAULT now(),
    actor       text NOT NULL DEFAULT '',
    action      text NOT NULL,
    dossier_id  uuid,
    document_id uuid,
    owner_id    text,
    detail      jsonb NOT NULL DEFAULT '{}'
);
CREATE INDEX events_dossier ON events (dossier_id, id);
CREATE INDEX events_document ON events (document_id, id);

CREATE FUNCTION events_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'events are append-only';
END $$;
CREATE TRIGGER events_append_only BEFORE UPDATE OR DELETE ON events
    FOR EACH ROW EXECUTE FUNCTION events_append_only();
