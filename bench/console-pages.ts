/**
 * Console pages on a large database: each page's median load time over a few requests, logged in
 * as a person would be. Run after the access benchmark has seeded its 100,000 contacts.
 */

/** The pages a creator opens, with a search and a contact page among them. */
function consolePaths(someEmail: string): string[] {
  return [
    '/',
    '/contacts',
    '/contacts?q=access-4242',
    `/contacts/${encodeURIComponent(someEmail)}`,
    '/deliveries',
    '/deliveries?status=applied',
    '/dunning',
    '/problems',
    '/webhooks',
    '/setup',
  ];
}

const REQUESTS_PER_PAGE = 5;

export async function measureConsolePages(
  url: string,
  token: string,
  someEmail: string,
): Promise<Record<string, number>> {
  const login = await fetch(`${url}/login`, {
    method: 'POST',
    redirect: 'manual',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: `secret=${encodeURIComponent(token)}&name=bench`,
  });
  const cookie = (login.headers.get('set-cookie') ?? '').split(';')[0];
  if (!cookie) throw new Error(`console login failed (${login.status})`);
  const medians: Record<string, number> = {};
  for (const path of consolePaths(someEmail)) {
    const times: number[] = [];
    for (let request = 0; request < REQUESTS_PER_PAGE; request += 1) {
      const started = performance.now();
      const response = await fetch(`${url}${path}`, { headers: { cookie } });
      await response.text();
      if (response.status !== 200) throw new Error(`console page ${path} answered ${response.status}`);
      times.push(performance.now() - started);
    }
    medians[path] = Math.round(times.sort((a, b) => a - b)[Math.floor(times.length / 2)]! * 10) / 10;
  }
  return medians;
}
