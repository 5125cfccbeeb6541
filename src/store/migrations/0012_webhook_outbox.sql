-- Webhook delivery outcome: a row the worker gave up on (after SGW_WEBHOOK_MAX_ATTEMPTS)
-- is marked failed rather than retried for ever, and stays visible in GET /webhooks/deliveries.
-- last_status is the HTTP status of the last attempt (null when no answer came).
ALTER TABLE webhook_outbox ADD COLUMN failed_at timestamptz;
ALTER TABLE webhook_outbox ADD COLUMN last_status integer;
ALTER TABLE webhook_outbox ADD COLUMN last_attempt_at timestamptz;
DROP INDEX webhook_outbox_pending;
CREATE INDEX webhook_outbox_due ON webhook_outbox (next_attempt_at) WHERE delivered_at IS NULL AND failed_at IS NULL;
CREATE INDEX webhook_outbox_recipient ON webhook_outbox (recipient, created_at);
