DROP TABLE assets;
DROP TABLE enrolments;
DROP TABLE version_files;
DROP TABLE lessons;
DROP TABLE course_modules;
DROP TABLE course_instructors;
DROP TABLE course_versions;
DROP TABLE courses;
