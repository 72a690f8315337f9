// Preloaded into a server by profile.ts (NODE_OPTIONS=--import …): records a CPU profile from
// start to SIGTERM (or exit) and writes it to $CPU_PROFILE_FILE. (--cpu-prof is refused in NODE_OPTIONS.)
import { Session } from 'node:inspector';
import { writeFileSync } from 'node:fs';

const session = new Session();
session.connect();
session.post('Profiler.enable');
session.post('Profiler.setSamplingInterval', { interval: 500 });
session.post('Profiler.start');
let written = false;
const write = () => {
  if (written) return;
  written = true;
  // Same-thread inspector sessions answer synchronously, so this is done before the handler returns.
  session.post('Profiler.stop', (error, result) => {
    if (!error) writeFileSync(process.env.CPU_PROFILE_FILE, JSON.stringify(result.profile));
  });
};
process.prependListener('SIGTERM', write);
process.once('exit', write);
