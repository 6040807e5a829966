import { describe, expect, it } from 'vitest';
import { parseMemberList } from '../../src/core/teams/member-list.ts';

describe('the member list an admin pastes', () => {
  it('reads one address a line, normalised and each once', () => {
    expect(parseMemberList('Ada@Example.com\n\n  grace@example.com \r\nada@example.com\n')).toEqual({
      emails: ['ada@example.com', 'grace@example.com'],
      unreadable: [],
    });
  });

  it('reads a CSV export with a header, the address in any column, quoted, with commas, semicolons or tabs', () => {
    const csv = 'Name,Email,Role\n"Ada Lovelace","ada@example.com",lead\nGrace;grace@example.com\nLin\tlin@example.com';
    expect(parseMemberList(csv).emails).toEqual(['ada@example.com', 'grace@example.com', 'lin@example.com']);
    expect(parseMemberList(csv).unreadable).toEqual([]);
  });

  it('reports the lines after the first that hold no address, with their number', () => {
    expect(parseMemberList('email\nada@example.com\nBob Smith\n').unreadable).toEqual([{ line: 3, text: 'Bob Smith' }]);
  });
});
