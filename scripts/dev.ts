import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/**
 * `npm run dev`: the server restarted on change (node --watch) and Vite's dev server with hot
 * reload on http://localhost:5173, which proxies /api and /socket.io to the server.
 */
const root = fileURLToPath(new URL('..', import.meta.url));
const children: ChildProcess[] = [
  spawn(process.execPath, ['--watch-path=backend/src', '--watch-path=config', '--import', 'tsx', 'backend/src/server.ts'], {
    cwd: root,
    stdio: 'inherit',
  }),
  spawn(process.execPath, ['node_modules/vite/bin/vite.js', '--config', 'frontend/vite.config.ts'], { cwd: root, stdio: 'inherit' }),
];

let stopping = false;
function stop(code: number) {
  if (stopping) return;
  stopping = true;
  for (const child of children) child.kill('SIGTERM');
  process.exitCode = code;
}
for (const child of children) child.once('exit', (code) => stop(code ?? 1));
process.once('SIGINT', () => stop(0));
process.once('SIGTERM', () => stop(0));
