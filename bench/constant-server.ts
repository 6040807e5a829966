/**
 * The access baseline: the smallest `node:http` server that answers what the access API answers
 * (same JSON, same content type), as a script for `node -e`, so it runs in a process of its own
 * like Handoff does. It prints one line once it listens.
 */
const ANSWER = JSON.stringify({
  granted: true,
  until: null,
  reason: 'Bought Course 12 & Community (product-12) in order 80000000001',
});

export function spawnedAnswer(port: number): string {
  return `
    const body = ${JSON.stringify(ANSWER)};
    require('node:http')
      .createServer((request, response) => {
        response.writeHead(200, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(body) });
        response.end(body);
      })
      .listen(${port}, '127.0.0.1', () => console.log('listening'));
  `;
}
