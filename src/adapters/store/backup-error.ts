/** A backup that cannot be restored here; the message says why and what to do. */
export class BackupError extends Error {
  override name = 'BackupError';
}
