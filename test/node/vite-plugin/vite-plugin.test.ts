import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { get } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, before, describe, it } from 'node:test';

import { build, createServer, preview, type ViteDevServer, type PreviewServer } from 'vite';

import { McError } from '../../../sdk/protocol/errors.ts';
import { microcanvas, type MicrocanvasOptions } from '../../../vite-plugin/index.ts';

/** A project of a host page and one widget page, in a temporary folder. */
function project(): string {
  const root = mkdtempSync(join(tmpdir(), 'mc-vite-plugin-'));
  const files: Record<string, string> = {
    'index.html':
      '<!doctype html><title>host</title><script type="module" src="./main.js"></script>',
    'main.js':
      "import { widgets, widgetOrigin } from 'virtual:microcanvas/widgets';\nwindow.urls = { widgets, widgetOrigin };\n",
    'widgets/hello/index.html':
      '<!doctype html><title>hello</title><script type="module" src="./hello.js"></script>',
    'widgets/hello/hello.js': "document.title = 'hello widget';\n",
  };
  for (const [file, text] of Object.entries(files)) {
    mkdirSync(dirname(join(root, file)), { recursive: true });
    writeFileSync(join(root, file), text);
  }
  return root;
}

const OPTIONS: MicrocanvasOptions = {
  widgets: { hello: 'widgets/hello/index.html' },
  connectSrc: ['https://sync.example'],
};

/** The port a started server listens on. */
const portOf = (server: { httpServer: { address(): unknown } | null }) =>
  (server.httpServer!.address() as AddressInfo).port;

/** Headers of a GET, as the browser would send it for `dest`, on `host` (localhost or 127.0.0.1). */
function headersOf(port: number, host: string, path: string, dest: string) {
  // node:http, not fetch: fetch does not let a request name its Host.
  return new Promise<Headers>((resolve, reject) => {
    const headers = { Host: `${host}:${port}`, 'Sec-Fetch-Dest': dest };
    get({ host: '127.0.0.1', port, path, headers }, (response) => {
      response.resume();
      response.on('end', () => {
        assert.equal(response.statusCode, 200, `${path} answered ${response.statusCode}`);
        const out = new Headers();
        for (const [name, value] of Object.entries(response.headers)) {
          if (typeof value === 'string') out.set(name, value);
        }
        resolve(out);
      });
    }).on('error', reject);
  });
}

describe('microcanvas Vite plugin', () => {
  let root: string;
  before(() => {
    root = project();
  });
  after(() => rmSync(root, { recursive: true, force: true }));

  describe('dev server', () => {
    let server: ViteDevServer;
    let port: number;
    before(async () => {
      server = await createServer({
        root,
        configFile: false,
        logLevel: 'silent',
        server: { port: 0 },
        plugins: [microcanvas(OPTIONS)],
      });
      await server.listen();
      port = portOf(server);
    });
    after(() => server.close());

    it('listens on IPv4 loopback, so that localhost and 127.0.0.1 are two sites of one server', () => {
      assert.equal((server.httpServer!.address() as AddressInfo).address, '127.0.0.1');
    });

    it('gives the host page CSP with frame-ancestors, frame-src of the widget site, COOP and Permissions-Policy', async () => {
      for (const path of ['/', '/index.html']) {
        const headers = await headersOf(port, 'localhost', path, 'document');
        const csp = headers.get('content-security-policy') ?? '';
        assert.match(csp, /frame-ancestors 'none'/);
        assert.match(csp, new RegExp(`frame-src http://127\\.0\\.0\\.1:${port}(;|$)`));
        assert.match(csp, /script-src 'self';/);
        assert.match(csp, /worker-src 'self';/);
        // The HMR socket, and the sync server with its WebSocket form.
        assert.match(
          csp,
          new RegExp(
            `connect-src 'self' https://sync\\.example wss://sync\\.example ws://localhost:${port};`,
          ),
        );
        assert.equal(headers.get('cross-origin-opener-policy'), 'same-origin');
        assert.match(headers.get('permissions-policy') ?? '', /camera=\(\), microphone=\(\)/);
        assert.equal(headers.get('access-control-allow-origin'), null);
      }
    });

    it('gives widget pages and the modules they load CORS and CORP, framed by the host site only', async () => {
      for (const [path, dest] of [
        ['/widgets/hello/index.html', 'iframe'],
        ['/widgets/hello/hello.js', 'script'],
        ['/@vite/client', 'script'],
      ] as const) {
        const headers = await headersOf(port, '127.0.0.1', path, dest);
        assert.equal(headers.get('access-control-allow-origin'), '*', path);
        assert.equal(headers.get('cross-origin-resource-policy'), 'cross-origin', path);
        assert.equal(
          headers.get('content-security-policy'),
          `frame-ancestors http://localhost:${port}`,
        );
        assert.equal(headers.get('cross-origin-opener-policy'), null, path);
      }
    });

    it('treats any other top-level document as a host page (the SPA fallback serves index.html)', async () => {
      const headers = await headersOf(port, 'localhost', '/some/route', 'document');
      assert.match(headers.get('content-security-policy') ?? '', /frame-ancestors 'none'/);
    });

    it('serves virtual:microcanvas/widgets, which computes the other loopback name in the page', async () => {
      const module = await server.transformRequest('virtual:microcanvas/widgets');
      const code = module!.code;
      const run = new Function(
        'location',
        `${code.replace(/export const (\w+)/g, 'exports.$1')}; return exports;`.replace(
          /^/,
          'const exports = {};',
        ),
      );
      const page = { protocol: 'http:', hostname: 'localhost', port: String(port) };
      const { widgets, widgetOrigin } = run(page);
      assert.equal(widgetOrigin, `http://127.0.0.1:${port}`);
      assert.deepEqual(widgets, { hello: `http://127.0.0.1:${port}/widgets/hello/index.html` });
      assert.equal(
        run({ ...page, hostname: '127.0.0.1' }).widgetOrigin,
        `http://localhost:${port}`,
      );
    });
  });

  describe('build and preview', () => {
    let out: string;
    let server: PreviewServer;
    let port: number;
    before(async () => {
      out = join(root, 'dist');
      await build({
        root,
        configFile: false,
        logLevel: 'silent',
        plugins: [microcanvas({ ...OPTIONS, widgetOrigin: 'https://widgets.example' })],
      });
      server = await preview({
        root,
        configFile: false,
        logLevel: 'silent',
        preview: { port: 0 },
        plugins: [microcanvas(OPTIONS)],
      });
      port = portOf(server);
    });
    after(() => server.close());

    it('builds each widget as a page of its own beside the host page', () => {
      assert.ok(existsSync(join(out, 'index.html')));
      const widget = readFileSync(join(out, 'widgets/hello/index.html'), 'utf8');
      assert.match(widget, /<script type="module" crossorigin src="\/assets\/[^"]+\.js">/);
    });

    it('writes widgetOrigin into the built widget URLs', () => {
      const html = readFileSync(join(out, 'index.html'), 'utf8');
      const script = /src="(\/assets\/[^"]+\.js)"/.exec(html)![1]!;
      const code = readFileSync(join(out, script), 'utf8');
      assert.match(code, /https:\/\/widgets\.example/);
      assert.match(code, /\/widgets\/hello\/index\.html/);
    });

    it('applies the same headers in vite preview', async () => {
      const host = await headersOf(port, 'localhost', '/', 'document');
      assert.match(host.get('content-security-policy') ?? '', /frame-ancestors 'none'/);
      // No dev server, no HMR socket.
      assert.doesNotMatch(host.get('content-security-policy') ?? '', /ws:\/\/localhost/);
      const widget = await headersOf(port, '127.0.0.1', '/widgets/hello/', 'iframe');
      assert.equal(widget.get('access-control-allow-origin'), '*');
      assert.equal(widget.get('cross-origin-resource-policy'), 'cross-origin');
    });
  });

  describe('options', () => {
    it('refuses what is not an origin, a page outside the root, and widgets in a host-only project', () => {
      const refuses = (options: MicrocanvasOptions, field: RegExp) =>
        assert.throws(
          () => microcanvas(options),
          (error: unknown) =>
            error instanceof McError &&
            error.code === 'INVALID_ARGUMENT' &&
            field.test(error.message),
        );
      refuses({ widgetOrigin: 'https://widgets.example/path' }, /^widgetOrigin/);
      refuses({ connectSrc: ['not a url'] }, /^connectSrc\[0\]/);
      refuses({ widgets: { hello: '../elsewhere/index.html' } }, /^widgets\.hello/);
      refuses({ widgets: { 'a b': 'a.html' } }, /^widgets/);
      refuses({ role: 'host', widgets: { hello: 'hello.html' } }, /^widgets/);
      refuses({ role: 'guest' as never }, /^role/);
    });

    it('lets a header be replaced or removed', async () => {
      const { hostPageHeaders, widgetHeaders } = await import('../../../vite-plugin/index.ts');
      const host = hostPageHeaders({
        overrides: {
          'cross-origin-opener-policy': 'same-origin-allow-popups',
          'Referrer-Policy': false,
        },
      });
      assert.equal(host['cross-origin-opener-policy'], 'same-origin-allow-popups');
      assert.equal(host['Cross-Origin-Opener-Policy'], undefined);
      assert.equal(host['Referrer-Policy'], undefined);
      assert.equal(
        widgetHeaders({ overrides: { 'Cross-Origin-Resource-Policy': false } })[
          'Cross-Origin-Resource-Policy'
        ],
        undefined,
      );
    });

    it('delegates a listed feature to the given origins and keeps denying the rest', async () => {
      const { hostPermissionsPolicy } = await import('../../../vite-plugin/index.ts');
      const policy = hostPermissionsPolicy({ camera: ['https://widgets.example'] });
      assert.match(policy, /camera=\(self "https:\/\/widgets\.example"\)/);
      assert.match(policy, /microphone=\(\)/);
    });
  });
});
