// `npm start`: the demo on Vite's dev server. The page is opened on `localhost`; the
// widgets are served by the same server on `127.0.0.1`, which the browser treats as
// another site. MC_PORT picks the port (default 5173; the next free one if taken).
import { createServer } from 'vite';

const server = await createServer({
  configFile: new URL('../vite.config.ts', import.meta.url).pathname,
});
await server.listen();

const address = server.httpServer?.address();
const port = typeof address === 'object' && address ? address.port : server.config.server.port;
console.log(
  `microcanvas demo: http://localhost:${port}/  (widgets are served from http://127.0.0.1:${port})`,
);

let closing = false;
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, async () => {
    if (closing) return;
    closing = true;
    await server.close();
    process.exit(0);
  });
}
