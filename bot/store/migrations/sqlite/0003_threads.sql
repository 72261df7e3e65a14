-- The thread of a piece of feedback ("still failing" presses are counted per thread), and the
-- steps a walk showed in a thread ("step:user:at" separated by ";"; ids only), for escalations.
ALTER TABLE feedback ADD COLUMN thread TEXT;
CREATE INDEX feedback_thread ON feedback (platform, channel, thread, kind);
ALTER TABLE progress ADD COLUMN trail TEXT NOT NULL DEFAULT '';
-- One open escalation per thread (a thread is named once its card is posted).
CREATE UNIQUE INDEX escalations_open_thread ON escalations (platform, channel, thread)
    WHERE state <> 'resolved' AND thread <> '';
