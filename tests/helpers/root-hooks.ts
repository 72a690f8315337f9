import { stopEngine } from './engine.ts';

/** Mocha root hooks: the shared database engine is started on first use and stopped at the end. */
export const mochaHooks = {
  async afterAll(this: Mocha.Context) {
    this.timeout(15_000);
    await stopEngine();
  },
};
