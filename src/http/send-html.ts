import type { FastifyReply } from 'fastify';
import type { SafeHtml } from './console/html.ts';

/** Answers with an HTML document built by the `html` template (so everything in it is escaped). */
export function sendHtml(reply: FastifyReply, document: SafeHtml): FastifyReply {
  return reply.type('text/html').send(document.text);
}
