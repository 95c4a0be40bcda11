DROP INDEX lessons_order_idx;
ALTER TABLE enrolments DROP COLUMN score_percent;
