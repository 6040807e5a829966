import nodemailer from 'nodemailer';

const TIMEOUT_MS = 15_000;

export type SmtpVerification = { ok: true } | { ok: false; kind: 'auth' | 'connection' | 'other'; message: string };

/**
 * Connects to the SMTP server of `url`, says hello and logs in when the URL carries a user, and
 * sends nothing (nodemailer's `verify()`: https://nodemailer.com/smtp/#verify-smtp-connection-configuration).
 */
export async function verifySmtp(url: string): Promise<SmtpVerification> {
  // With a user in the URL the login is the point of the check: try it even when the server does not
  // offer AUTH, which nodemailer would otherwise skip and call a success.
  const forceAuth = hasUser(url);
  const transport = nodemailer.createTransport({
    url,
    ...(forceAuth ? { forceAuth } : {}),
    connectionTimeout: TIMEOUT_MS,
    greetingTimeout: TIMEOUT_MS,
    socketTimeout: TIMEOUT_MS,
  });
  try {
    await transport.verify();
    return { ok: true };
  } catch (error) {
    const code = typeof error === 'object' && error !== null && 'code' in error ? String(error.code) : '';
    const message = error instanceof Error ? error.message : String(error);
    if (code === 'EAUTH' || code === 'ENOAUTH') return { ok: false, kind: 'auth', message };
    if (['ECONNECTION', 'ETIMEDOUT', 'ESOCKET', 'EDNS', 'ECONNREFUSED', 'ETLS'].includes(code))
      return { ok: false, kind: 'connection', message };
    return { ok: false, kind: 'other', message };
  } finally {
    transport.close();
  }
}

function hasUser(url: string): boolean {
  try {
    return new URL(url).username !== '';
  } catch {
    return false;
  }
}

/** The URL without its password, to show where Handoff tried to connect. */
export function smtpAddress(url: string): string {
  try {
    const parsed = new URL(url);
    return `${parsed.protocol}//${parsed.hostname}${parsed.port ? `:${parsed.port}` : ''}`;
  } catch {
    return 'the mail.smtp URL';
  }
}
