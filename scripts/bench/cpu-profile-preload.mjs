// Preloaded into a server by profile-rest.ts (NODE_OPTIONS=--import …): records a CPU profile from
// start to exit and writes it to $CPU_PROFILE_FILE. (--cpu-prof itself is refused in NODE_OPTIONS.)
import { Session } from 'node:inspector';
import { writeFileSync } from 'node:fs';

const session = new Session();
session.connect();
session.post('Profiler.enable');
session.post('Profiler.setSamplingInterval', { interval: 200 });
session.post('Profiler.start');
process.once('exit', () => {
  // Same-thread inspector sessions answer synchronously, so this runs before the process ends.
  session.post('Profiler.stop', (error, result) => {
    if (!error) writeFileSync(process.env.CPU_PROFILE_FILE, JSON.stringify(result.profile));
  });
});
