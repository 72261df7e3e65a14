-- When an escalation's card, not yet recorded as posted, is due to be posted by another process:
-- the one that opened it was killed between the two. Moved on by the claim that posts it; NULL
-- once the card is recorded.
ALTER TABLE escalations ADD COLUMN card_due_at BIGINT;
