DROP TABLE password_resets;
DROP TABLE notification_templates;
DROP TABLE notification_settings;
DROP TABLE outbox;
DROP TABLE notifications;
