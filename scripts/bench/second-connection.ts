import mongoose from 'mongoose';
import { performance } from 'node:perf_hooks';
import type { BenchContext, BenchOutput } from './context.ts';
import { fmt, median } from './stats.ts';
import { ratio, table } from './table.ts';

/**
 * Would reads on a second connection help? FerretDB 1.24 makes updates atomic only among the
 * commands of one connection (database.ts), so writes must stay on one. Reads cannot break that,
 * so the question is whether the engine answers a read on another connection while the first is
 * busy. Measured: READS point reads (each a scan of a 2,000-document collection, as the embedded
 * engine does), READ_CONCURRENCY at a time, while WRITES updates stream on the write connection;
 * reads on the write connection itself (the app today) against reads on a second connection.
 */
const DOCS = 2_000;
const READS = 400;
const READ_CONCURRENCY = 20;
const WRITES = 400;
const ROUNDS = 3;

export async function secondConnection({ uri, runId }: BenchContext): Promise<BenchOutput> {
  const name = `bench_conn_${runId}`;
  const open = () => mongoose.createConnection(uri, { dbName: name, maxPoolSize: 1, retryWrites: false }).asPromise();
  const writer = await open();
  const reader = await open();
  try {
    const docs = writer.collection<{ _id: string; n: number; body: string }>('bench_reads');
    await docs.insertMany(Array.from({ length: DOCS }, (_, index) => ({ _id: `d${index}`, n: 0, body: 'x'.repeat(300) })));
    const run = async (readOn: mongoose.Connection) => {
      const readDocs = readOn.collection<{ _id: string; n: number }>('bench_reads');
      let writes = 0;
      let stop = false;
      const writing = (async () => {
        while (!stop && writes < WRITES) {
          await docs.updateOne({ _id: `d${writes % DOCS}` }, { $inc: { n: 1 } });
          writes++;
        }
      })();
      const started = performance.now();
      let next = 0;
      await Promise.all(
        Array.from({ length: READ_CONCURRENCY }, async () => {
          while (next < READS) {
            const index = next++;
            await readDocs.findOne({ _id: `d${(index * 7) % DOCS}` });
          }
        }),
      );
      const readMs = performance.now() - started;
      stop = true;
      await writing;
      return { readMs, writesDuring: writes };
    };
    const same: number[] = [];
    const second: number[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      for (const which of round % 2 ? ['second', 'same'] : ['same', 'second']) {
        const result = await run(which === 'same' ? writer : reader);
        (which === 'same' ? same : second).push(READS / (result.readMs / 1000));
      }
    }
    const a = median(same);
    const b = median(second);
    return {
      lines: [
        `**Reads on a second connection** (embedded engine): ${READS} point reads of a ${DOCS.toLocaleString('en')}-document collection, ${READ_CONCURRENCY} at a time, while updates stream on the write connection; medians of ${ROUNDS} rounds`,
        '',
        ...table(['reads on', 'reads/s', 'against the write connection'], ['l', 'r', 'r'], [
          ['the write connection (as the app does)', fmt(a), '1'],
          ['a second connection', fmt(b), ratio(b, a)],
        ]),
      ],
      data: { same, second },
    };
  } finally {
    await writer.dropDatabase();
    await Promise.all([writer.close(), reader.close()]);
  }
}
