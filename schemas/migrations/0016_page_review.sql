-- Whether a page's text needs a person's eye is a fact of its recognition, decided once by the OCR
-- stage with the threshold it was configured with (SOHOA_OCR_MIN_CONFIDENCE), not recomputed by
-- every reader: so the API and the indicators' share of pages flagged for review agree, and a
-- threshold changed later does not rewrite what was flagged before. Pages read before this column
-- existed are flagged as the API flagged them then, with the default threshold of 70.
ALTER TABLE pages ADD COLUMN review boolean NOT NULL DEFAULT false;
UPDATE pages SET review = confidence < 70 WHERE ocr_key IS NOT NULL;
