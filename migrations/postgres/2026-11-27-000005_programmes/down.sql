DROP TABLE assignment_jobs;
DROP TABLE cohort_members;
DROP TABLE cohort_rules;
DROP TABLE cohorts;
DROP TABLE programme_courses;
DROP TABLE programmes;
