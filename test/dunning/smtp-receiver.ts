import { SMTPServer } from 'smtp-server';
import type { AddressInfo } from 'node:net';

/** One message as the receiving server got it, with the parts a reader sees decoded. */
export interface ReceivedEmail {
  from: string;
  to: string[];
  subject: string;
  text: string;
  html: string;
}

/**
 * A real SMTP server in the test process (port 0): Handoff talks SMTP to it over TCP. `down`
 * makes it answer every message with a temporary failure (421), like a provider outage.
 * `answerDelayMs` makes it keep each message (in `received`) that long before answering "250 OK",
 * like a provider scanning it first: a sender that dies in between never hears it was accepted.
 */
export interface SmtpReceiver {
  url: string;
  received: ReceivedEmail[];
  down: boolean;
  answerDelayMs: number;
  close(): Promise<void>;
}

export async function startSmtpReceiver(): Promise<SmtpReceiver> {
  const receiver: SmtpReceiver = { url: '', received: [], down: false, answerDelayMs: 0, close: async () => undefined };
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    logger: false,
    onMailFrom(_address, _session, callback) {
      if (!receiver.down) return callback();
      callback(Object.assign(new Error('Service temporarily unavailable, try again later'), { responseCode: 421 }));
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', () => {
        const envelope = {
          from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
          to: session.envelope.rcptTo.map((rcpt) => rcpt.address),
        };
        receiver.received.push({ ...envelope, ...decodeMessage(Buffer.concat(chunks).toString('utf8')) });
        if (receiver.answerDelayMs > 0) setTimeout(() => callback(), receiver.answerDelayMs);
        else callback();
      });
    },
  });
  // A sender that dies mid-message (the crash tests SIGKILL it) resets its connection: not the receiver's error.
  server.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code !== 'ECONNRESET' && error.code !== 'EPIPE') throw error;
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  receiver.url = `smtp://127.0.0.1:${(server.server.address() as AddressInfo).port}`;
  receiver.close = () => new Promise<void>((resolve) => server.close(() => resolve()));
  return receiver;
}

/** Just enough MIME for nodemailer's output: headers, a multipart/alternative body, QP or base64 parts. */
function decodeMessage(raw: string): { subject: string; text: string; html: string } {
  const [head = '', ...rest] = raw.split(/\r?\n\r?\n/);
  const headers = unfold(head);
  const body = rest.join('\r\n\r\n');
  const boundary = /boundary="?([^";\r\n]+)"?/i.exec(headers.get('content-type') ?? '')?.[1];
  const parts = boundary ? body.split(`--${boundary}`).slice(1, -1) : [`${head}\r\n\r\n${body}`];
  const decoded = { text: '', html: '' };
  for (const part of parts) {
    const [partHead = '', ...partBody] = part.replace(/^\r?\n/, '').split(/\r?\n\r?\n/);
    const partHeaders = unfold(partHead);
    const content = decodeTransfer(partBody.join('\r\n\r\n'), partHeaders.get('content-transfer-encoding') ?? '7bit');
    if ((partHeaders.get('content-type') ?? '').startsWith('text/html')) decoded.html = content;
    else if ((partHeaders.get('content-type') ?? '').startsWith('text/plain')) decoded.text = content;
  }
  return { subject: decodeWords(headers.get('subject') ?? ''), ...decoded };
}

function unfold(head: string): Map<string, string> {
  const headers = new Map<string, string>();
  for (const line of head.replace(/\r?\n[ \t]+/g, ' ').split(/\r?\n/)) {
    const colon = line.indexOf(':');
    if (colon > 0) headers.set(line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim());
  }
  return headers;
}

function decodeTransfer(content: string, encoding: string): string {
  if (encoding.toLowerCase() === 'base64') return Buffer.from(content.replace(/\s+/g, ''), 'base64').toString('utf8');
  if (encoding.toLowerCase() !== 'quoted-printable') return content.replace(/\r\n/g, '\n').trimEnd();
  const bytes = content.replace(/=\r?\n/g, '').replace(/\r\n/g, '\n');
  return Buffer.from(
    bytes.replace(/=([0-9A-F]{2})/g, (_match, hex: string) => String.fromCharCode(parseInt(hex, 16))),
    'latin1',
  )
    .toString('utf8')
    .trimEnd();
}

/** RFC 2047 encoded words, as nodemailer writes non-ASCII subjects. */
function decodeWords(value: string): string {
  return value.replace(/=\?utf-8\?([QB])\?([^?]*)\?=\s*/gi, (_match, kind: string, text: string) =>
    kind.toUpperCase() === 'B'
      ? Buffer.from(text, 'base64').toString('utf8')
      : Buffer.from(
          text
            .replace(/_/g, ' ')
            .replace(/=([0-9A-F]{2})/g, (_hex, hex: string) => String.fromCharCode(parseInt(hex, 16))),
          'latin1',
        ).toString('utf8'),
  );
}
