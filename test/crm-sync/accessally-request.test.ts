import { describe, expect, it } from 'vitest';
import {
  accessAllyCallShapeFor,
  buildAccessAllyRequest,
  type AccessAllyFieldOverrides,
} from '../../src/adapters/accessally/accessally-request.ts';

const ADA = {
  remoteId: '12345',
  email: 'ada+курс@example.com',
  firstName: null,
  knownSince: Date.UTC(2026, 11, 2, 22, 15, 30, 125),
};

function requestFor(provider: string, overrides: AccessAllyFieldOverrides = {}) {
  const shaped = accessAllyCallShapeFor(provider, overrides);
  if (!('shape' in shaped)) throw new Error(shaped.problem);
  return buildAccessAllyRequest(shaped.shape, ADA);
}

describe('the AccessAlly call per CRM', () => {
  it("ActiveCampaign: its automation's form fields", () => {
    expect(requestFor('activecampaign')).toEqual({
      contentType: 'application/x-www-form-urlencoded',
      body: 'contact%5Bid%5D=12345&contact%5Bemail%5D=ada%2B%D0%BA%D1%83%D1%80%D1%81%40example.com',
    });
  });

  it("Keap: its HTTP Post's contactId, and the configured names when given", () => {
    expect(new URLSearchParams(requestFor('keap').body).get('contactId')).toBe('12345');
    expect(requestFor('keap', { contactIdField: 'cid', emailField: 'mail' }).body).toBe(
      'cid=12345&mail=ada%2B%D0%BA%D1%83%D1%80%D1%81%40example.com',
    );
  });

  it('Ontraport: the contact id alone, no name, no new line', () => {
    expect(requestFor('ontraport')).toEqual({ contentType: 'application/x-www-form-urlencoded', body: '12345' });
  });

  it("Kit: Kit's subscriber event payload, the id a number", () => {
    const request = requestFor('kit');
    expect(request.contentType).toBe('application/json');
    expect(JSON.parse(request.body)).toEqual({
      subscriber: {
        id: 12345,
        first_name: null,
        email_address: 'ada+курс@example.com',
        state: 'active',
        created_at: '2026-12-02T22:15:30.125Z',
        fields: {},
      },
    });
  });

  it('refuses Drip, and field names where the call has none', () => {
    expect(accessAllyCallShapeFor('drip', {})).toMatchObject({ key: 'crm' });
    expect(accessAllyCallShapeFor('ontraport', { emailField: 'mail' })).toMatchObject({ key: 'emailField' });
    expect(accessAllyCallShapeFor('kit', { contactIdField: 'cid' })).toMatchObject({ key: 'contactIdField' });
  });
});
