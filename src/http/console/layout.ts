import { createHash } from 'node:crypto';
import type { FastifyReply } from 'fastify';
import { sendHtml } from '../send-html.ts';
import { html, raw, type SafeHtml } from './html.ts';
import type { Tone } from './views/tone.ts';

/** The console's one stylesheet, in parts; each rule on its own line. */
const BASE_CSS = `
:root {
  --ink: #1d2330; --muted: #5b6475; --line: #e3e6ec; --bg: #f6f7f9;
  --ok: #17794a; --bad: #b42318; --warn: #9a6700; --accent: #3451b2;
}
* { box-sizing: border-box; }
body {
  margin: 0; font: 15px/1.5 system-ui, -apple-system, "Segoe UI", sans-serif;
  color: var(--ink); background: var(--bg);
}
a { color: var(--accent); text-decoration: none; }
a:hover { text-decoration: underline; }
main { max-width: 1100px; margin: 0 auto; padding: 16px; }
h1 { font-size: 1.4rem; margin: 8px 0 16px; }
h2 { font-size: 1.1rem; margin: 24px 0 8px; }
.muted { color: var(--muted); }
.small { font-size: .85rem; }
.mono { font-family: ui-monospace, Menlo, monospace; font-size: .85rem; word-break: break-all; }
.row { display: flex; flex-wrap: wrap; gap: 8px; align-items: center; }
.form-gap { padding-top: 10px; }
.form-gap-top { margin-top: 10px; }
.grow { flex: 1; min-width: 200px; }
.nowrap { white-space: nowrap; }
pre { background: #f1f3f6; padding: 10px; border-radius: 6px; overflow-x: auto; font-size: .8rem; }
time[title] { text-decoration: underline dotted #c9ced8; }
`;

const HEADER_CSS = `
header { background: #fff; border-bottom: 1px solid var(--line); }
header .bar {
  max-width: 1100px; margin: 0 auto; padding: 10px 16px;
  display: flex; flex-wrap: wrap; gap: 6px 18px; align-items: center;
}
header .brand { font-weight: 700; margin-right: 8px; }
header nav { display: flex; flex-wrap: wrap; gap: 4px 14px; flex: 1; }
header nav a { color: var(--muted); padding: 4px 0; }
header nav a.here { color: var(--ink); font-weight: 600; border-bottom: 2px solid var(--accent); }
.demo-banner {
  background: #fdf3d8; color: var(--warn); border-bottom: 1px solid #f0dca0;
  padding: 8px 16px; text-align: center; font-weight: 600;
}
.flash { padding: 10px 14px; border-radius: 8px; margin-bottom: 14px; background: #e3f4ea; color: var(--ok); }
.flash.bad { background: #fde8e6; color: var(--bad); }
.login { max-width: 380px; margin: 12vh auto; }
.pager { margin-top: 10px; }
`;

const PANEL_CSS = `
.cards { display: grid; grid-template-columns: repeat(auto-fit, minmax(160px, 1fr)); gap: 12px; }
.card { background: #fff; border: 1px solid var(--line); border-radius: 8px; padding: 12px 14px; }
.card .value { font-size: 1.6rem; font-weight: 700; }
.card .label { color: var(--muted); font-size: .85rem; }
a.card { color: inherit; }
.panel {
  background: #fff; border: 1px solid var(--line); border-radius: 8px;
  padding: 4px 14px 12px; margin-bottom: 16px; overflow-x: auto;
}
.badge {
  display: inline-block; padding: 1px 8px; border-radius: 10px; font-size: .8rem; font-weight: 600;
  background: #eef0f4; color: var(--muted); white-space: nowrap;
}
.badge.ok { background: #e3f4ea; color: var(--ok); }
.badge.bad { background: #fde8e6; color: var(--bad); }
.badge.warn { background: #fdf3d8; color: var(--warn); }
.chart { width: 100%; height: 140px; }
.legend span { margin-right: 14px; }
.legend .swatch { width: 10px; height: 10px; margin-right: 4px; vertical-align: -1px; }
.chart-dates { position: relative; height: 1.4em; }
.chart-dates span { position: absolute; transform: translateX(-50%); white-space: nowrap; }
.chart-dates span.last { right: 0; transform: none; }
ul.effects { margin: 0; padding-left: 18px; }
ul.cases { margin: 8px 0; padding-left: 18px; }
`;

const TABLE_CSS = `
table { border-collapse: collapse; width: 100%; }
th, td { text-align: left; padding: 7px 8px; border-bottom: 1px solid var(--line); vertical-align: top; }
th { color: var(--muted); font-weight: 600; font-size: .85rem; }
tr:last-child td { border-bottom: 0; }
td { overflow-wrap: anywhere; }
.num { text-align: right; white-space: nowrap; }
`;

const FORM_CSS = `
form.inline { display: inline; }
form.inline button { margin: 4px 4px 0 0; }
form.stack { display: grid; gap: 8px; max-width: 420px; }
input, select, textarea {
  font: inherit; padding: 7px 9px; border: 1px solid #c9ced8; border-radius: 6px; background: #fff; max-width: 100%;
}
button {
  font: inherit; padding: 7px 14px; border-radius: 6px; border: 1px solid var(--accent);
  background: var(--accent); color: #fff; cursor: pointer;
}
button.secondary { background: #fff; color: var(--accent); }
button.danger { background: var(--bad); border-color: var(--bad); }
`;

/**
 * Phones: a table's rows become cards (cells one under the other), so no column, "why" or button is
 * pushed off the screen; the heading row is hidden, so each cell shows its column's heading
 * (data-label, table.ts) above its value.
 */
const PHONE_CSS = `
@media (max-width: 640px) {
  .hide-phone { display: none; }
  main { padding: 10px; }
  .panel { overflow-x: visible; }
  table, tbody, tr, td, th { display: block; width: 100%; }
  thead { display: none; }
  tr { padding: 6px 0; border-bottom: 1px solid var(--line); }
  tr:last-child { border-bottom: 0; }
  th, td { padding: 2px 0; border-bottom: 0; }
  td.num { text-align: left; }
  td.nowrap { white-space: normal; }
  td:empty { display: none; }
  td[data-label]:not([data-label=""])::before {
    content: attr(data-label); display: block; color: var(--muted); font-size: .75rem; font-weight: 600;
  }
}
`;

const STYLE = raw([BASE_CSS, HEADER_CSS, PANEL_CSS, TABLE_CSS, FORM_CSS, PHONE_CSS].join(''));

/** The stylesheet's digest, for the Content-Security-Policy that allows this one inline <style> and no other. */
export const STYLE_SHA256 = createHash('sha256').update(STYLE.text).digest('base64');

export interface PageOptions {
  title: string;
  /** Which nav entry is current (its path). */
  section?: string;
  csrfToken?: string;
  flash?: { text: string; bad?: boolean } | null;
}

const NAV: [string, string][] = [
  ['/', 'Overview'],
  ['/contacts', 'Contacts'],
  ['/teams', 'Teams'],
  ['/deliveries', 'Deliveries'],
  ['/dunning', 'Dunning'],
  ['/webhooks', 'Webhooks'],
  ['/problems', 'Problems'],
  ['/import', 'Import'],
  ['/setup', 'Setup'],
];

/** Answers with a console page: `body` in the frame. */
export function sendPage(reply: FastifyReply, options: PageOptions, body: SafeHtml): FastifyReply {
  return sendHtml(reply, page(options, body));
}

/** The page frame: navigation, flash message, logout. */
export function page(options: PageOptions, body: SafeHtml): SafeHtml {
  return html`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${options.title} · Handoff</title><style>${STYLE}</style></head>
<body>
${options.csrfToken === undefined ? '' : header(options.section, options.csrfToken)}
<main>
${options.flash ? html`<div class="flash ${options.flash.bad ? 'bad' : ''}" role="status">${options.flash.text}</div>` : ''}
${body}
</main></body></html>`;
}

function header(section: string | undefined, csrfToken: string): SafeHtml {
  const links = NAV.map(
    ([path, label]) => html`<a href="${path}" class="${section === path ? 'here' : ''}">${label}</a>`,
  );
  const logout = html`<form class="inline" method="post" action="/logout">${csrfField(csrfToken)}
<button class="secondary" type="submit">Log out</button></form>`;
  return html`<header><div class="bar"><span class="brand">Handoff</span><nav>${links}</nav>${logout}</div></header>`;
}

/**
 * Shown on every console page while the ThriveCart secret word is the public demo value (which
 * Handoff only accepts on a loopback address, see config/demo-secret.ts).
 */
export const DEMO_BANNER = html`<div class="demo-banner" role="alert">
Demo mode: the ThriveCart secret word is the public demo value, so anyone could send purchases.
Handoff accepts it only on this computer; set THRIVECART_SECRET to your secret word before going live.</div>`;

/** A hidden CSRF field for forms that change something. */
export function csrfField(token: string): SafeHtml {
  return html`<input type="hidden" name="_csrf" value="${token}">`;
}

export function badge(text: string, tone: Tone = 'plain'): SafeHtml {
  return html`<span class="badge ${tone === 'plain' ? '' : tone}">${text}</span>`;
}
