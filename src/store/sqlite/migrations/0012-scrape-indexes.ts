/**
 * Indexes that let `/metrics` and GetQueueAttributes count without reading rows: the SQS counts
 * and oldest-message times come from covering index ranges, and the asynchronous event depth
 * skips the hour of `succeeded` rows kept for replay.
 */
export const SCRAPE_INDEXES = {
  id: '0012-scrape-indexes',
  sql: `
  -- Expiry (queue_id, sent_at) as before; with visible_at it also finds the oldest visible message
  -- and counts the expired ones (not yet deleted) by visibility, without reading rows.
  DROP INDEX sqs_messages_sent;
  CREATE INDEX sqs_messages_sent ON sqs_messages(queue_id, sent_at, visible_at);
  -- In flight: received (a receipt token) and not visible yet; the rest of the invisible are delayed.
  -- The token is in the index so the count reads the index alone.
  CREATE INDEX sqs_messages_received ON sqs_messages(queue_id, visible_at, sent_at, token)
    WHERE token IS NOT NULL;

  CREATE INDEX async_events_live ON async_events(function, state) WHERE state <> 'succeeded';
  `,
};
