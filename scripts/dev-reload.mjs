// Live reload for `make dev` without cargo-leptos. Leptos' reload script (in pages served while the
// portal runs with LEPTOS_WATCH set) holds a WebSocket to ws://<host>:<port>/live_reload and reloads
// the page on `{"all":true}`. This process serves that socket and watches the portal's port: when
// the portal answers again after being down (nodemon restarted it after a rebuild), every open
// page is told to reload. A TCP connect, not an HTTP request, so the portal's log stays quiet.
//   node scripts/dev-reload.mjs <reload port> <portal host:port>
import { createRequire } from 'node:module';
import net from 'node:net';

// `ws` is installed with the journeys' packages (end2end/package.json), not beside this script.
const require = createRequire(new URL('../end2end/package.json', import.meta.url));
const { WebSocketServer } = require('ws');

const [reloadPort, portal] = [Number(process.argv[2] ?? 3001), process.argv[3] ?? '127.0.0.1:3000'];
const [portalHost, portalPort] = [portal.slice(0, portal.lastIndexOf(':')), Number(portal.slice(portal.lastIndexOf(':') + 1))];

const server = new WebSocketServer({ host: '127.0.0.1', port: reloadPort, path: '/live_reload' });
server.on('error', (e) => {
  console.error(`live reload is off: ${e.message}`);
  process.exit(1);
});

function answers() {
  return new Promise((resolve) => {
    const socket = net.connect({ host: portalHost, port: portalPort });
    socket.setTimeout(1000);
    socket.once('connect', () => { socket.destroy(); resolve(true); });
    socket.once('error', () => resolve(false));
    socket.once('timeout', () => { socket.destroy(); resolve(false); });
  });
}

let wasUp = false;
setInterval(async () => {
  const up = await answers();
  if (up && !wasUp) {
    for (const client of server.clients) client.send('{"all":true}');
  }
  wasUp = up;
}, 300);
