import type { ErrorCode } from 'yaml';

/**
 * A YAML syntax error in words a creator can act on: what is wrong on the line, and how to fix it.
 * The parser's own message follows in brackets for whoever knows YAML.
 */
const PLAIN: Partial<Record<ErrorCode, string>> = {
  TAB_AS_INDENT: 'this line is indented with a tab; YAML needs spaces. Fix: replace the tab with spaces (2 per level).',
  BAD_INDENT:
    'this line is not indented like the lines around it. Fix: line it up with the other keys of the same group (2 spaces per level).',
  MULTILINE_IMPLICIT_KEY:
    'a key and its value are not where YAML expects them, usually an indentation slip or a missing ": " on this or the line above. Fix: write "key: value", with the same indentation as its neighbours.',
  BLOCK_AS_IMPLICIT_KEY:
    'a key and its value are not where YAML expects them, usually an indentation slip or a missing ": " on this or the line above. Fix: write "key: value", with the same indentation as its neighbours.',
  MISSING_CHAR:
    'something opened here is never closed (a quote, [ or {). Fix: add the closing " or \' or ] or } on the same line.',
  DUPLICATE_KEY: 'this key is written twice in the same group. Fix: keep one of them.',
  BAD_SCALAR_START:
    'this value starts with a character YAML reserves (such as @ or `). Fix: put the value in double quotes.',
  UNEXPECTED_TOKEN:
    'YAML did not expect this here, often a stray character or a value that needs quotes. Fix: check the punctuation, and quote values that contain ": " or " #".',
  BAD_DQ_ESCAPE:
    'a backslash in a double-quoted value starts an unknown escape. Fix: write \\\\ for a backslash, or use single quotes.',
  MULTIPLE_DOCS: 'the file holds several YAML documents (a line with ---). Fix: keep a single one.',
};

export function plainYamlProblem(code: ErrorCode, parserMessage: string): string {
  const firstLine = parserMessage.split('\n')[0] ?? parserMessage;
  const plain = PLAIN[code];
  return plain
    ? `${plain} [${firstLine}]`
    : `${firstLine}. Fix: check this line's indentation (spaces, 2 per level) and punctuation.`;
}
