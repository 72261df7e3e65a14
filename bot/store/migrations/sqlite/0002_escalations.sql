-- Escalations to on-call: the one place where text of a message is kept (the paste, masked and
-- shortened, and the note), deleted with the escalation after the retention.
CREATE TABLE escalations (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    platform TEXT NOT NULL,
    channel TEXT NOT NULL,
    thread TEXT NOT NULL,
    card_channel TEXT,
    card_message TEXT,
    entry TEXT NOT NULL,
    reporter TEXT NOT NULL,
    note TEXT,
    paste TEXT NOT NULL,
    state TEXT NOT NULL,
    opened_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    -- When the next reminder is due (open escalations only); moved on by the claim that sends it.
    next_reminder_at BIGINT,
    reminders BIGINT NOT NULL DEFAULT 0
);
CREATE INDEX escalations_channel ON escalations (platform, channel, state, opened_at);
CREATE INDEX escalations_due ON escalations (next_reminder_at);
CREATE INDEX escalations_opened ON escalations (opened_at);

-- Who did what to an escalation, and when.
CREATE TABLE escalation_events (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    escalation BIGINT NOT NULL,
    at BIGINT NOT NULL,
    by_user TEXT NOT NULL,
    what TEXT NOT NULL,
    note TEXT
);
CREATE INDEX escalation_events_of ON escalation_events (escalation, at);
