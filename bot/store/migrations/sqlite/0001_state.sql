-- What the bot remembers: ids, entry ids and times, never the text of a message.

-- Once only: an event, and a message, is claimed by the insert that succeeds first.
CREATE TABLE event_claims (
    platform TEXT NOT NULL,
    event_id TEXT NOT NULL,
    at BIGINT NOT NULL,
    PRIMARY KEY (platform, event_id)
);
CREATE TABLE message_claims (
    platform TEXT NOT NULL,
    channel TEXT NOT NULL,
    message TEXT NOT NULL,
    at BIGINT NOT NULL,
    PRIMARY KEY (platform, channel, message)
);
CREATE INDEX event_claims_at ON event_claims (at);
CREATE INDEX message_claims_at ON message_claims (at);

-- Our reply to a source message (edits of the source update it).
CREATE TABLE replies (
    platform TEXT NOT NULL,
    channel TEXT NOT NULL,
    source TEXT NOT NULL,
    reply TEXT NOT NULL,
    entry TEXT NOT NULL,
    lang TEXT NOT NULL,
    at BIGINT NOT NULL,
    PRIMARY KEY (platform, channel, source)
);
CREATE INDEX replies_at ON replies (at);

-- What each message of ours that carries buttons is about.
CREATE TABLE buttons (
    platform TEXT NOT NULL,
    channel TEXT NOT NULL,
    message TEXT NOT NULL,
    entry TEXT NOT NULL,
    lang TEXT NOT NULL,
    at BIGINT NOT NULL,
    PRIMARY KEY (platform, channel, message)
);
CREATE INDEX buttons_at ON buttons (at);

-- The last full answer of an entry in a channel (the cooldown points to it).
CREATE TABLE cooldowns (
    platform TEXT NOT NULL,
    channel TEXT NOT NULL,
    entry TEXT NOT NULL,
    reply TEXT NOT NULL,
    at BIGINT NOT NULL,
    PRIMARY KEY (platform, channel, entry)
);

CREATE TABLE mutes (
    platform TEXT NOT NULL,
    channel TEXT NOT NULL,
    until BIGINT NOT NULL,
    PRIMARY KEY (platform, channel)
);

-- How far a guided walk went in a thread.
CREATE TABLE progress (
    platform TEXT NOT NULL,
    channel TEXT NOT NULL,
    thread TEXT NOT NULL,
    entry TEXT NOT NULL,
    step BIGINT NOT NULL,
    user_id TEXT,
    at BIGINT NOT NULL,
    PRIMARY KEY (platform, channel, thread)
);

-- Kept for the statistics: every answer posted, and every piece of feedback.
CREATE TABLE answers (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    platform TEXT NOT NULL,
    channel TEXT NOT NULL,
    entry TEXT NOT NULL,
    at BIGINT NOT NULL
);
CREATE INDEX answers_at ON answers (at);
CREATE TABLE feedback (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    platform TEXT NOT NULL,
    channel TEXT NOT NULL,
    user_id TEXT,
    entry TEXT NOT NULL,
    kind TEXT NOT NULL,
    at BIGINT NOT NULL
);
CREATE INDEX feedback_at ON feedback (at);

-- Replies waiting to be sent (filled by the delivery hardening; empty until then).
CREATE TABLE outbox (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    platform TEXT NOT NULL,
    channel TEXT NOT NULL,
    source TEXT,
    payload TEXT NOT NULL,
    attempts BIGINT NOT NULL DEFAULT 0,
    created_at BIGINT NOT NULL,
    next_at BIGINT NOT NULL
);
