import { normaliseEmail } from '../email-address.ts';

/** The addresses found in a pasted list or CSV, and the lines that held none. */
export interface MemberList {
  /** Normalised, each once, in the order first seen. */
  emails: string[];
  /** Lines (1-based) with no address in them, as written; a first line without one is a header, not a problem. */
  unreadable: { line: number; text: string }[];
}

const CELL_SEPARATOR = /[,;\t]/;

/**
 * Reads the people to add from what an admin pastes: one address a line, or a CSV export (any
 * column; the first cell with an `@` is the address; commas, semicolons or tabs; quoted cells).
 * Whether an address is valid is decided when it is added, with the same rule as one added alone.
 */
export function parseMemberList(text: string): MemberList {
  const emails: string[] = [];
  const unreadable: MemberList['unreadable'] = [];
  text.split(/\r?\n/).forEach((lineText, index) => {
    if (lineText.trim() === '') return;
    const address = lineText
      .split(CELL_SEPARATOR)
      .map((cell) => cell.trim().replace(/^"(.*)"$/, '$1'))
      .find((cell) => cell.includes('@'));
    if (address === undefined) {
      if (index > 0) unreadable.push({ line: index + 1, text: lineText.trim().slice(0, 200) });
      return;
    }
    const email = normaliseEmail(address);
    if (!emails.includes(email)) emails.push(email);
  });
  return { emails, unreadable };
}
