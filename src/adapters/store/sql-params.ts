/**
 * A statement's parameters, numbered as their values are added: `add` returns the placeholder
 * (`$n`) for the value it was given, so the SQL that uses a value is written with it and no
 * placeholder is ever numbered by hand (nor kept in step across the files that build one
 * statement). Built the same way on every call, a statement's text stays the same, as a named
 * (prepared) statement requires.
 */
export class SqlParams {
  readonly values: unknown[] = [];

  add(value: unknown): string {
    this.values.push(value);
    return `$${this.values.length}`;
  }
}
