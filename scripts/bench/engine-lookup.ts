import { Schema, type Connection } from 'mongoose';
import { fmt, median, timeEach } from './stats.ts';

/**
 * How the engine finds one document, by `_id` and by another indexed field, as the collection
 * grows. Baseline: the `_id` lookup in a collection of 1,000 documents, measured in the same run.
 *
 * On FerretDB 1.24 with SQLite an `_id` filter is pushed into SQL, but SQLite still scans the
 * table: FerretDB indexes `_id` as `sjson->"_id"` and queries `sjson->'$._id'`, two expressions
 * SQLite does not recognise as the same. Any other filter is decoded and matched in Go, row by row.
 */

interface Doc {
  _id: string;
  key: string;
  group: number;
  body: string;
}

const SIZES = [1_000, 10_000, 50_000];
const ROUNDS = 5;
const ID_LOOKUPS = 40;
const KEY_LOOKUPS = 6;

export async function engineLookup(connection: Connection): Promise<string[]> {
  const schema = new Schema<Doc>({ _id: String, key: String, group: Number, body: String }, { versionKey: false });
  schema.index({ key: 1 }, { unique: true });
  const Docs = connection.model<Doc>('BenchDoc', schema, 'bench_docs');
  await Docs.deleteMany({});
  await Docs.init();
  const rows: { size: number; idMs: number; keyMs: number }[] = [];
  let inserted = 0;
  const body = 'x'.repeat(200);
  for (const size of SIZES) {
    while (inserted < size) {
      const batch = Array.from({ length: Math.min(1000, size - inserted) }, (_, offset) => {
        const index = inserted + offset;
        return { _id: `doc:${index}`, key: `key-${index}`, group: index % 100, body };
      });
      await Docs.insertMany(batch, { ordered: false });
      inserted += batch.length;
    }
    const byId: number[] = [];
    const byKey: number[] = [];
    const pick = () => Math.floor(Math.random() * size);
    for (let round = 0; round < ROUNDS; round++) {
      // Both kinds in every round, so machine noise hits them alike.
      byId.push(median(await timeEach(ID_LOOKUPS, () => Docs.findOne({ _id: `doc:${pick()}` }).lean())));
      byKey.push(median(await timeEach(KEY_LOOKUPS, () => Docs.findOne({ key: `key-${pick()}` }).lean())));
    }
    rows.push({ size, idMs: median(byId), keyMs: median(byKey) });
  }
  await Docs.collection.drop();

  const baseline = rows[0]!.idMs;
  return [
    `engine lookup: one document, medians of ${ROUNDS} rounds; baseline = by _id in 1,000 documents (${fmt(baseline)} ms)`,
    '| documents | by _id | × baseline | by indexed field | × baseline |',
    '|---:|---:|---:|---:|---:|',
    ...rows.map(
      (row) =>
        `| ${row.size.toLocaleString('en')} | ${fmt(row.idMs)} ms | ${(row.idMs / baseline).toFixed(1)} | ${fmt(row.keyMs)} ms | ${(row.keyMs / baseline).toFixed(1)} |`,
    ),
  ];
}
