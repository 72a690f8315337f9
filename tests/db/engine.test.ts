import { expect } from 'chai';
import { Schema, Types, type Connection, type Model } from 'mongoose';
import { isFerretDB, trusted } from '../../backend/src/db/database.ts';
import { toAppError } from '../../backend/src/http/errors.ts';
import { freshDatabase, type TestDatabase } from '../helpers/engine.ts';

/**
 * What the rest of Convene relies on, proven against the engine the tests run on (the embedded
 * FerretDB on SQLite unless MONGODB_URI is set). README's "Database" section reports the results.
 */

interface Org {
  _id: Types.ObjectId;
  name: string;
  domain: string;
}
interface Person {
  _id: Types.ObjectId;
  email: string;
  org: Types.ObjectId;
  roles: string[];
  logins: number;
  history: { at: Date; what: string }[];
}
interface Item {
  _id: string;
  channel: string;
  seq: number;
  kind: string;
  size: number;
}

function models(connection: Connection) {
  const Org = connection.model<Org>('Org', new Schema<Org>({ name: { type: String, required: true }, domain: String }));
  const personSchema = new Schema<Person>({
    email: { type: String, required: true },
    org: { type: Schema.Types.ObjectId, ref: 'Org' },
    roles: [String],
    logins: { type: Number, default: 0 },
    history: [{ _id: false, at: Date, what: String }],
  });
  personSchema.index({ email: 1 }, { unique: true });
  const Person = connection.model<Person>('Person', personSchema);
  const itemSchema = new Schema<Item>({ _id: String, channel: String, seq: Number, kind: String, size: Number });
  itemSchema.index({ kind: 1 });
  const Item = connection.model<Item>('Item', itemSchema);
  return { Org, Person, Item };
}

describe('database engine compatibility', function () {
  let db: TestDatabase;
  let Org: Model<Org>;
  let Person: Model<Person>;
  let Item: Model<Item>;

  before(async function () {
    db = await freshDatabase('engine');
    ({ Org, Person, Item } = models(db.connection));
    await Promise.all([Org.init(), Person.init(), Item.init()]);
  });

  after(async function () {
    await db.drop();
  });

  afterEach(async function () {
    await Promise.all([Org.deleteMany({}), Person.deleteMany({}), Item.deleteMany({})]);
  });

  it('creates, reads, updates and deletes a document', async function () {
    const org = await Org.create({ name: 'Example Ministry', domain: 'ministry.example' });
    const found = await Org.findById(org._id).lean();
    expect(found?.name).to.equal('Example Ministry');
    await Org.updateOne({ _id: org._id }, { $set: { name: 'Renamed Ministry' } });
    expect((await Org.findById(org._id).lean())?.name).to.equal('Renamed Ministry');
    await Org.deleteOne({ _id: org._id });
    expect(await Org.findById(org._id).lean()).to.equal(null);
  });

  it('reports a unique index violation as duplicate key 11000, which the API turns into a 409', async function () {
    await Person.create({ email: 'a@example.org' });
    let caught: unknown;
    try {
      await Person.create({ email: 'a@example.org' });
    } catch (error) {
      caught = error;
    }
    expect((caught as { code?: number }).code).to.equal(11000);
    const mapped = toAppError(caught);
    expect(mapped.status).to.equal(409);
    expect(mapped.code).to.equal('duplicate');
    expect(JSON.stringify(mapped.details)).not.to.contain('a@example.org');
    expect(await Person.countDocuments({})).to.equal(1);
  });

  it('applies $inc, $push and $addToSet atomically with findOneAndUpdate', async function () {
    const person = await Person.create({ email: 'b@example.org', roles: ['member'] });
    const updated = await Person.findOneAndUpdate(
      { _id: person._id },
      { $inc: { logins: 2 }, $push: { history: { at: new Date(0), what: 'signed in' } }, $addToSet: { roles: 'liaison' } },
      { returnDocument: 'after' },
    ).lean();
    expect(updated?.logins).to.equal(2);
    expect(updated?.history).to.have.length(1);
    expect(updated?.roles).to.deep.equal(['member', 'liaison']);
    const again = await Person.findOneAndUpdate({ _id: person._id }, { $addToSet: { roles: 'liaison' }, $inc: { logins: 1 } }, { returnDocument: 'after' }).lean();
    expect(again?.roles).to.deep.equal(['member', 'liaison']);
    expect(again?.logins).to.equal(3);
  });

  it('keeps concurrent $inc counters exact (gap-free sequence numbers depend on it)', async function () {
    await Item.create({ _id: 'counter', channel: 'c', seq: 0, kind: 'counter', size: 0 });
    const results = await Promise.all(
      Array.from({ length: 40 }, () => Item.findOneAndUpdate({ _id: 'counter' }, { $inc: { seq: 1 } }, { returnDocument: 'after' }).lean()),
    );
    const seqs = results.map((doc) => doc!.seq).sort((a, b) => a - b);
    expect(seqs).to.deep.equal(Array.from({ length: 40 }, (_, index) => index + 1));
  });

  it('populates a reference', async function () {
    const org = await Org.create({ name: 'Small Host', domain: 'host.example' });
    await Person.create({ email: 'c@host.example', org: org._id });
    const person = await Person.findOne({ email: 'c@host.example' }).populate<{ org: Org }>('org').lean();
    expect(person?.org.name).to.equal('Small Host');
  });

  // FerretDB 1.24 computes only the first accumulator of a $group stage (the others come back 0),
  // so Convene's aggregations use one accumulator per $group.
  it('aggregates with $match, $group (one accumulator per stage) and $sort', async function () {
    await Item.insertMany([
      { _id: 'x:1', channel: 'x', seq: 1, kind: 'message', size: 10 },
      { _id: 'x:2', channel: 'x', seq: 2, kind: 'message', size: 30 },
      { _id: 'y:1', channel: 'y', seq: 1, kind: 'message', size: 5 },
      { _id: 'y:2', channel: 'y', seq: 2, kind: 'notice', size: 100 },
    ]);
    const totals = await Item.aggregate<{ _id: string; total: number }>([
      { $match: { kind: 'message' } },
      { $group: { _id: '$channel', total: { $sum: '$size' } } },
      { $sort: { total: -1 } },
    ]);
    expect(totals).to.deep.equal([
      { _id: 'x', total: 40 },
      { _id: 'y', total: 5 },
    ]);
    const counts = await Item.aggregate<{ _id: string; count: number }>([
      { $match: { kind: 'message' } },
      { $group: { _id: '$channel', count: { $sum: 1 } } },
      { $sort: { _id: 1 } },
    ]);
    expect(counts).to.deep.equal([
      { _id: 'x', count: 2 },
      { _id: 'y', count: 1 },
    ]);
  });

  it('paginates by _id with a cursor, stable while new documents arrive', async function () {
    const people = await Person.insertMany(Array.from({ length: 25 }, (_, index) => ({ email: `p${index}@example.org` })));
    const ids = people.map((person) => String(person._id)).sort();
    const seen: string[] = [];
    let after: Types.ObjectId | undefined;
    for (;;) {
      const page = await Person.find(after ? { _id: trusted({ $gt: after }) } : {})
        .sort({ _id: 1 })
        .limit(10)
        .lean();
      if (page.length === 0) break;
      seen.push(...page.map((person) => String(person._id)));
      after = page.at(-1)!._id;
      // A document created mid-way sorts after the cursor and is picked up, never duplicated.
      if (seen.length === 10) await Person.create({ email: 'late@example.org' });
    }
    expect(seen.slice(0, 25)).to.deep.equal(ids);
    expect(seen).to.have.length(26);
    expect(new Set(seen).size).to.equal(26);
  });

  it('finds documents by a deterministic string _id (the point lookup the design relies on)', async function () {
    await Item.insertMany(Array.from({ length: 5 }, (_, index) => ({ _id: `chan:${index + 1}`, channel: 'chan', seq: index + 1, kind: 'message', size: 1 })));
    const found = await Item.find({ _id: trusted({ $in: ['chan:2', 'chan:4', 'chan:9'] }) }).sort({ seq: 1 }).lean();
    expect(found.map((item) => item._id)).to.deep.equal(['chan:2', 'chan:4']);
  });

  it('neutralises query operators smuggled into a filter value (sanitizeFilter): a 400, never a match', async function () {
    await Person.create({ email: 'victim@example.org' });
    const injected = JSON.parse('{"$ne": null}') as unknown as string;
    let caught: unknown;
    let found: unknown = 'not run';
    try {
      found = await Person.findOne({ email: injected }).lean();
    } catch (error) {
      caught = error;
    }
    expect(found).to.equal('not run');
    expect(toAppError(caught).status).to.equal(400);
  });

  it('keeps a duplicate _id insert atomic under concurrency: exactly one wins', async function () {
    const results = await Promise.allSettled(
      Array.from({ length: 10 }, () => Item.create({ _id: 'claim:1', channel: 'claim', seq: 1, kind: 'message', size: 1 })),
    );
    expect(results.filter((result) => result.status === 'fulfilled')).to.have.length(1);
    for (const result of results) {
      if (result.status === 'rejected') expect((result.reason as { code?: number }).code).to.equal(11000);
    }
  });

  it('uses a single connection against FerretDB, so this process cannot interleave its own updates', async function () {
    const client = db.connection.getClient();
    const poolSize = (client.options as { maxPoolSize?: number }).maxPoolSize;
    if (await isFerretDB(db.connection)) expect(poolSize).to.equal(1);
    else expect(poolSize).to.be.greaterThan(1);
  });

  it('rejects filters on paths the schema does not know (strictQuery)', async function () {
    let caught: unknown;
    try {
      await Person.findOne({ notAField: 'x' } as never).lean();
    } catch (error) {
      caught = error;
    }
    expect(caught).to.be.instanceOf(Error);
  });
});
