-- Deliveries keep the body as received (secret word removed) in `json`, not `jsonb`. Nothing
-- queries inside it (replay parses it again, the console shows it, erasure blanks it), so jsonb's
-- decomposition bought nothing and cost on every delivery: a ThriveCart purchase body is about
-- 2.3 kB as text and 2.9 kB as jsonb, which with the normalised event pushed each row past
-- PostgreSQL's 2 kB TOAST threshold. Every intake then compressed the body and wrote it out of
-- line to the TOAST table and its index. As json the compressed row stays in the table: about
-- 10 % less disk per delivery, and PostgreSQL's CPU per purchase went from 0.53–0.66 ms to
-- 0.39–0.56 ms (bench, 8 connections).
alter table deliveries alter column body type json using body::json;
