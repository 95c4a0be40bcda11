ALTER TABLE enrolments DROP COLUMN score_percent;
