/**
 * Reads a `multipart/form-data` body of text fields and small text files (a CSV chosen in a
 * form) into one value per field name, the first when a name repeats; a file's value is its
 * content as UTF-8. Nothing binary is expected: the console only takes text this way. Returns
 * null for a body that is not multipart as its content type says.
 * Format: RFC 7578 (parts separated by `--boundary`, each with headers, a blank line, the value).
 */
/** The largest form a console upload may send: a list of a few thousand people, with names and other columns. */
export const CONSOLE_UPLOAD_LIMIT = 512 * 1024;

export function parseMultipartForm(body: Buffer, contentType: string): Record<string, string> | null {
  const boundary = /boundary=(?:"([^"]+)"|([^;\s]+))/i.exec(contentType);
  const delimiter = boundary ? `--${boundary[1] ?? boundary[2]}` : null;
  if (!delimiter) return null;
  const parts = body.toString('utf8').split(delimiter);
  // Before the first delimiter is a preamble; after the last one (`--`) an epilogue.
  if (parts.length < 2 || !parts.at(-1)!.startsWith('--')) return null;
  const fields: Record<string, string> = {};
  for (const part of parts.slice(1, -1)) {
    const headerEnd = part.indexOf('\r\n\r\n');
    if (!part.startsWith('\r\n') || headerEnd < 0 || !part.endsWith('\r\n')) return null;
    const name = /^content-disposition:\s*form-data;.*?\bname="([^"]*)"/im.exec(part.slice(0, headerEnd))?.[1];
    if (name === undefined) return null;
    if (!(name in fields)) fields[name] = part.slice(headerEnd + 4, -2);
  }
  return fields;
}
