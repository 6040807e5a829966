import { pino, type Logger } from 'pino';

/**
 * JSON logs on stderr (stdout stays for what a person asked a command for). Secrets and raw
 * bodies are redacted wherever they might appear: ThriveCart puts its secret word inside every
 * body, and CRM keys travel in headers.
 */
export function createLogger(level = process.env.LOG_LEVEL ?? 'info'): Logger {
  return pino(
    {
      level,
      redact: {
        paths: [
          'thrivecart_secret',
          '*.thrivecart_secret',
          'body',
          '*.body',
          'req.headers.authorization',
          'req.headers.cookie',
          'headers.authorization',
          '*.apiKey',
          '*.secret',
          '*.password',
          '*.token',
        ],
        censor: '[redacted]',
      },
    },
    pino.destination(2),
  );
}
