-- assessment-kit on a team's PostgreSQL server: the roles, made once per server by an
-- administrator (psql -U postgres -f deploy/roles.sql). Safe to run again.
--
--   assessment_lead      owns the mission databases: creates missions (assessment-kit new),
--                        upgrades them, grants access (grants.sql). A mission lead logs in
--                        as a role that is a member of it.
--   assessment_assessor  answers interviews: reads the mission, adds and changes
--                        respondents, answers and consolidated answers, and appends to the
--                        history. It can neither change nor delete the history, nor alter
--                        the tables or their triggers: grants.sql gives it no more.
--   assessment_reader    reads a mission (scores, briefings, exports).
--
-- Each person signs in as their own login role, a member of one of these, so the server's
-- log and the mission's history (who) name the person. Passwords are set by the administrator
-- (\password ana in psql) and kept by each person in ~/.pgpass on the JupyterHub host,
-- never in a notebook, a URL or the mission.

DO $$
BEGIN
    IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'assessment_lead') THEN
        CREATE ROLE assessment_lead NOLOGIN;
    END IF;
    IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'assessment_assessor') THEN
        CREATE ROLE assessment_assessor NOLOGIN;
    END IF;
    IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'assessment_reader') THEN
        CREATE ROLE assessment_reader NOLOGIN;
    END IF;
END
$$;

-- Examples of people (uncomment and adapt; one line each):
-- CREATE ROLE lead_maria LOGIN IN ROLE assessment_lead;
-- CREATE ROLE ana LOGIN IN ROLE assessment_assessor;
-- CREATE ROLE bo LOGIN IN ROLE assessment_assessor;
--
-- A new mission: a database owned by the leads, then `assessment-kit new` as a lead, then
-- grants.sql in that database:
--   createdb -O assessment_lead freedonia_2026
--   assessment-kit new postgresql://lead_maria@db.example.org/freedonia_2026 ...
--   psql -U lead_maria -d freedonia_2026 -f deploy/grants.sql
