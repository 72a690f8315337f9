import type { Connection } from 'mongoose';

/** What run.ts gives every benchmark. */
export interface BenchContext {
  /** mongodb:// URI of the engine (embedded FerretDB or MONGODB_URI), without a database name. */
  uri: string;
  /** A connection to the run's own scratch database (dropped at the end). */
  connection: Connection;
  /** The embedded FerretDB's process id, to read its CPU time; undefined on MONGODB_URI. */
  enginePid?: number;
  /** Short and unique per run: benchmarks name their databases `bench_<what>_<runId>` and drop them. */
  runId: string;
}

export interface BenchOutput {
  /** Markdown printed to the terminal. */
  lines: string[];
  /** The same results as data, for bench-results/*.json. */
  data: unknown;
}

export interface Benchmark {
  name: string;
  run(context: BenchContext): Promise<BenchOutput>;
}
