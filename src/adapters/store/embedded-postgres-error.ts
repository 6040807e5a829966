/** A failure whose message is written for the person running Handoff: what went wrong and how to fix it. */
export class EmbeddedPostgresError extends Error {
  override name = 'EmbeddedPostgresError';
}
