-- Search at a province's size (a million documents and more).

-- A document's text and search vectors go to its TOAST table whenever its row is toasted at all (a
-- row over 2 kB), not only until the row is under 2 kB: the row left is a few hundred bytes, so a
-- search that reads the rows of thousands of matches (their dates, kinds, agencies, owners) reads
-- a page for every twenty of them instead of one for every one or two. 512 bytes leaves the short
-- columns (kind, title, hashes) in the row: a lower target would toast them too, and each read of
-- a kind would be a look-up in the TOAST table. It applies to rows written from now on, such as
-- those rewritten below.
ALTER TABLE documents SET (toast_tuple_target = 512);

-- The two search vectors are made by these functions only, so that the index stage (storage's
-- Index) and a bulk load make the same: with diacritics, for ranking exact matches first, and
-- folded, so "ho tich" finds "hộ tịch" (folding alone would make bán, bạn and ban collide). The
-- text is folded before it is parsed, as a search's words are: the parser reads 110/QD-UBND as one
-- token but 110/QĐ-UBND as three, so folding only the tokens would never find a notation with Đ
-- typed without it. (unaccent is stable, not immutable, because its rules could change; they are
-- fixed here, and the vectors are stored, never an index's expression.)
CREATE FUNCTION sohoa_search(title text, body text) RETURNS tsvector
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    RETURN setweight(to_tsvector('simple', title), 'A') || setweight(to_tsvector('simple', body), 'B');
CREATE FUNCTION sohoa_search_folded(title text, body text) RETURNS tsvector
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    RETURN setweight(to_tsvector('sohoa_folded', unaccent(title)), 'A') || setweight(to_tsvector('sohoa_folded', unaccent(body)), 'B');
UPDATE documents SET search_folded = sohoa_search_folded(title, text) WHERE search_folded IS NOT NULL;

-- What a search filters by, once each: the receiving agency (for a document of none, the left part
-- of its code, which is that agency's identifier), and the paper's date: its issue date, or when
-- that is not known the day it was received in Vietnam's time (UTC+7).
CREATE FUNCTION sohoa_agency(agency text, code text) RETURNS text
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    RETURN coalesce(agency, nullif(split_part(code, '-', 1), ''));
CREATE FUNCTION sohoa_day(issued date, received timestamptz) RETURNS date
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    RETURN coalesce(issued, (received AT TIME ZONE INTERVAL '+07:00')::date);

-- The same, as lexemes of a vector beside each search vector in its GIN index: a:agency, k:kind,
-- o:owner, m:YYYYMM of the date. A common word and an agency's quarter are then intersected in the
-- index, instead of every document with the word being collected and the rows filtered.
-- sohoa_search_filter is the query of a search's filters in those lexemes, NULL when there are
-- none; a date range is its months, when it spans two years at most (the rows still decide the
-- days).
CREATE FUNCTION sohoa_month(day date) RETURNS text
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    RETURN to_char(day::timestamp, 'YYYYMM');
CREATE FUNCTION sohoa_search_meta(agency text, code text, kind text, owner text, issued date, received timestamptz) RETURNS tsvector
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    RETURN array_to_tsvector(array_remove(ARRAY['a:' || sohoa_agency(agency, code), 'k:' || nullif(kind, ''), 'o:' || owner,
        'm:' || sohoa_month(sohoa_day(issued, received))], NULL));
CREATE FUNCTION sohoa_lexeme(s text) RETURNS text
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    RETURN '''' || replace(replace(s, '\', '\\'), '''', '''''') || '''';
CREATE FUNCTION sohoa_months(from_day date, to_day date) RETURNS text
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    RETURN (SELECT '(' || string_agg(sohoa_lexeme('m:' || sohoa_month(m::date)), ' | ') || ')'
        FROM generate_series(date_trunc('month', from_day::timestamp), to_day::timestamp, interval '1 month') m
        WHERE to_day >= from_day AND to_day < from_day + 731);
CREATE FUNCTION sohoa_search_filter(agency text, kind text, owner text, from_day date, to_day date) RETURNS tsquery
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    RETURN (SELECT nullif(string_agg(c, ' & '), '')::tsquery FROM (VALUES
        (CASE WHEN agency <> '' THEN sohoa_lexeme('a:' || agency) END),
        (CASE WHEN kind <> '' THEN sohoa_lexeme('k:' || kind) END),
        (CASE WHEN owner <> '' THEN sohoa_lexeme('o:' || owner) END),
        (sohoa_months(from_day, to_day))) AS f(c));

DROP INDEX documents_search, documents_search_folded;
CREATE INDEX documents_search ON documents USING gin
    (search, sohoa_search_meta(agency, code, kind, owner_id, issued_on, created_at));
CREATE INDEX documents_search_folded ON documents USING gin
    (search_folded, sohoa_search_meta(agency, code, kind, owner_id, issued_on, created_at));

-- A search of many matches reads the newest papers (by their date) first, with or without an
-- agency: these indexes give them in that order.
CREATE INDEX documents_day ON documents (sohoa_day(issued_on, created_at), created_at, id);
CREATE INDEX documents_agency_day ON documents (sohoa_agency(agency, code), sohoa_day(issued_on, created_at), created_at, id);
