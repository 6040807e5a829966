/** A configuration problem, worded for the person who wrote the file. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}
