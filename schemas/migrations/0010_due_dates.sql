-- The return appointment (ngày hẹn trả kết quả) the counter gives when it receives a dossier: a day,
-- printed on the receipt.
ALTER TABLE dossiers ADD COLUMN due_on date;
