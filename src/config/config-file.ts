/** The configuration file read when neither --config nor HANDOFF_CONFIG names one. */
export const DEFAULT_CONFIG_FILE = 'handoff.config.yaml';
