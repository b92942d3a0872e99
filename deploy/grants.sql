-- assessment-kit: who may do what in one mission database. Run in the mission's database
-- after `assessment-kit new`, as a mission lead (the tables' owner) or an administrator:
--   psql "postgresql://lead_maria@db.example.org/freedonia_2026" -f deploy/grants.sql
-- Safe to run again. The roles come from roles.sql.

-- The tables were made by the lead who ran `assessment-kit new`; the leads' group owns
-- them, so every lead can upgrade the mission and grant access.
ALTER TABLE mission_schema OWNER TO assessment_lead;
ALTER TABLE mission OWNER TO assessment_lead;
ALTER TABLE instruments OWNER TO assessment_lead;
ALTER TABLE respondents OWNER TO assessment_lead;
ALTER TABLE answers OWNER TO assessment_lead;
ALTER TABLE consolidated OWNER TO assessment_lead;
ALTER TABLE history OWNER TO assessment_lead;
ALTER FUNCTION history_append_only() OWNER TO assessment_lead;

-- Nobody but the owner by default: no CREATE in the schema, no rights through PUBLIC.
REVOKE ALL ON ALL TABLES IN SCHEMA public FROM PUBLIC;
REVOKE CREATE ON SCHEMA public FROM PUBLIC;
GRANT USAGE ON SCHEMA public TO assessment_assessor, assessment_reader;

-- Readers read.
GRANT SELECT ON ALL TABLES IN SCHEMA public TO assessment_reader;

-- Assessors read everything and write the interview's tables...
GRANT SELECT ON ALL TABLES IN SCHEMA public TO assessment_assessor;
GRANT INSERT, UPDATE, DELETE ON respondents, answers, consolidated TO assessment_assessor;
-- ...choose the sections assessed (instruments.sections), nothing else of the instruments...
GRANT UPDATE (sections) ON instruments TO assessment_assessor;
-- ...and append to the history, which they can never change or delete: no UPDATE, DELETE
-- or TRUNCATE is granted (and the history_append_only trigger refuses them for anyone).
GRANT INSERT ON history TO assessment_assessor;
GRANT USAGE ON SEQUENCE history_id_seq TO assessment_assessor;
