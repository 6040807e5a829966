import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestHandoff, type TestHandoff } from '../support/handoff.ts';

describe('/api/openapi.json', () => {
  let handoff: TestHandoff;
  beforeAll(async () => {
    handoff = await startTestHandoff();
  });
  afterAll(() => handoff.close());

  it('documents every JSON API route from its schema, with the bearer token, and nothing else', async () => {
    const response = await handoff.server.inject({ method: 'GET', url: '/api/openapi.json' });
    expect(response.statusCode).toBe(200);
    const document = response.json<{
      openapi: string;
      paths: Record<string, Record<string, { summary?: string; parameters?: { name: string }[] }>>;
      components: unknown;
    }>();
    expect(document.openapi).toBe('3.1.0');
    expect(Object.keys(document.paths).sort()).toEqual([
      '/api/access',
      '/api/contacts/{email}',
      '/api/contacts/{email}/timeline',
      '/api/deliveries',
      '/api/deliveries/{id}',
      '/api/deliveries/{id}/replay',
      '/api/dunning',
      '/api/jobs/{id}/retry',
      '/api/problems',
      '/api/teams',
      '/api/teams/{id}',
      '/api/teams/{id}/leader',
      '/api/teams/{id}/leader-link',
      '/api/teams/{id}/members',
      '/api/teams/{id}/members/{email}',
      '/api/teams/{id}/seats',
      '/api/webhooks/deliveries',
      '/api/webhooks/endpoints',
      '/api/webhooks/endpoints/{id}',
    ]);
    expect(document.paths['/api/access']!.get!.summary).toBe(
      'Whether an email has access to an offering now (for membership sites)',
    );
    expect(document.paths['/api/access']!.get!.parameters!.map((parameter) => parameter.name).sort()).toEqual([
      'email',
      'offering',
    ]);
    expect(document.components).toMatchObject({ securitySchemes: { adminToken: { type: 'http', scheme: 'bearer' } } });
  });
});
