/**
 * The webhook bench's receiver (a child process, on the other core): answers every POST
 * with 204 at once, without verifying (the bench measures the sender), and notes when each
 * arrived, by path. `GET /span?path=/x&from=n` answers how many came to `/x` and when the
 * n-th (from 0) and the last arrived, so that the signed and the raw rates are measured the
 * same way, where the requests land. Prints its URL on stdout.
 */
import { createServer } from 'node:http';

const arrivals = new Map<string, number[]>();
const server = createServer((req, res) => {
  const url = new URL(req.url ?? '/', 'http://sink');
  if (req.method === 'GET' && url.pathname === '/span') {
    const times = arrivals.get(url.searchParams.get('path') ?? '') ?? [];
    const from = Number(url.searchParams.get('from') ?? 0);
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ count: times.length, first: times[from], last: times.at(-1) }));
    return;
  }
  req.resume();
  req.on('end', () => {
    const times = arrivals.get(url.pathname) ?? [];
    times.push(performance.now());
    arrivals.set(url.pathname, times);
    res.writeHead(204);
    res.end();
  });
});
server.listen(0, '127.0.0.1', () => {
  const address = server.address() as { port: number };
  process.stdout.write(`http://127.0.0.1:${address.port}\n`);
});
