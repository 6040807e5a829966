import { describe, expect, it } from 'vitest';
import { parseMultipartForm } from '../../src/http/console/multipart-form.ts';

const TYPE = 'multipart/form-data; boundary=----x7';

function body(...parts: string[]): Buffer {
  return Buffer.from(`preamble\r\n${parts.map((part) => `------x7\r\n${part}\r\n`).join('')}------x7--\r\n`);
}

describe('a multipart form from the console', () => {
  it('reads text fields and a file as text, the first of a repeated name', () => {
    const form = body(
      'Content-Disposition: form-data; name="_csrf"\r\n\r\ntoken',
      'Content-Disposition: form-data; name="file"; filename="team.csv"\r\nContent-Type: text/csv\r\n\r\nName,Email\r\nKim,kim@example.com',
      'Content-Disposition: form-data; name="_csrf"\r\n\r\nsecond',
    );
    expect(parseMultipartForm(form, TYPE)).toEqual({ _csrf: 'token', file: 'Name,Email\r\nKim,kim@example.com' });
  });

  it('refuses a body that does not match its content type', () => {
    expect(parseMultipartForm(Buffer.from('email=a%40b.c'), TYPE)).toBeNull();
    expect(
      parseMultipartForm(body('Content-Disposition: form-data; name="a"\r\n\r\nb'), 'multipart/form-data'),
    ).toBeNull();
    expect(parseMultipartForm(Buffer.from('------x7\r\nno headers------x7--'), TYPE)).toBeNull();
    expect(parseMultipartForm(body('Content-Type: text/plain\r\n\r\nno name'), TYPE)).toBeNull();
  });
});
