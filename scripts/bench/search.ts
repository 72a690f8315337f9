import { randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { Schema } from 'mongoose';
import { loadConfig } from '../../backend/src/config/config.ts';
import { createLogger } from '../../backend/src/http/logger.ts';
import type { Actor } from '../../backend/src/policy/policy.ts';
import { terms } from '../../backend/src/search/search.analyzer.ts';
import { SearchIndex } from '../../backend/src/search/search.index.ts';
import { SEARCH_TYPES, type SearchDocument, type SearchType } from '../../backend/src/search/search.types.ts';
import { startServer } from '../../backend/src/server.ts';
import type { BenchContext, BenchOutput } from './context.ts';
import { createChannels, plenaryId, seedMembers } from './fixtures.ts';
import { fmt, median, percentile } from './stats.ts';
import { int, ratio, table } from './table.ts';

/**
 * Search at scale: a generated corpus of 100,000 messages and 10,000 other documents (questions,
 * answers, papers, library resources, alerts, members), written through the index in bulk, then
 * one-, two- and three-word queries (common, middling and rare words; multi-word queries are
 * drawn from one document so they have hits) through `SearchIndex.search`, with the access check
 * and snippets, against a baseline in the same run: a flat collection of the same 110,000 items
 * with a multikey `terms` index, `find({terms: t}).limit(20)` by one exact term. Then the send
 * latency of a message over HTTP with indexing on and off, on the same database.
 *
 * The bench's sources stand in for the capabilities': `visible` keeps items of 3 of 5 spaces (and
 * those outside spaces), as a member of one sector sees them; `present` reads the generated text.
 */

const MESSAGES = Number(process.env.BENCH_SEARCH_MESSAGES ?? 100_000);
const OTHERS = Number(process.env.BENCH_SEARCH_OTHERS ?? 10_000);
const BUCKETS = Number(process.env.BENCH_SEARCH_BUCKETS ?? 512);
const CHUNK = Number(process.env.BENCH_SEARCH_CHUNK ?? 500);
const VOCABULARY = 20_000;
const ROUNDS = 3;
const QUERIES_PER_CLASS = 30;
const BASELINE_PER_ROUND = 10;
const SENDS_PER_ROUND = 20;

/** A small deterministic generator (mulberry32), so every run indexes the same corpus. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Pseudo-words of 2 to 4 syllables, letters only, distinct after analysis. */
function vocabulary(rand: () => number): string[] {
  const onsets = 'b c d f g k l m n p r s t v z br dr gr kr pl st tr'.split(' ');
  const vowels = 'a e i o u ai ou'.split(' ');
  const out: string[] = [];
  const seen = new Set<string>();
  while (out.length < VOCABULARY) {
    const syllables = 2 + Math.floor(rand() * 3);
    let word = '';
    for (let index = 0; index < syllables; index++) word += onsets[Math.floor(rand() * onsets.length)]! + vowels[Math.floor(rand() * vowels.length)]!;
    word += 'nrlsmtk'[Math.floor(rand() * 7)]!;
    const [term] = [...terms(word)];
    if (!term || seen.has(term)) continue;
    seen.add(term);
    out.push(word);
  }
  return out;
}

/** Zipf-like word ranks, p(rank) ∝ 1/(rank + 10): the head of content words is not too steep. */
function zipf(rand: () => number, size: number): () => number {
  const weights = Array.from({ length: size }, (_, rank) => 1 / (rank + 10));
  const cumulative: number[] = [];
  let sum = 0;
  for (const weight of weights) cumulative.push((sum += weight));
  return () => {
    const target = rand() * sum;
    let low = 0;
    let high = size - 1;
    while (low < high) {
      const mid = (low + high) >> 1;
      if (cumulative[mid]! < target) low = mid + 1;
      else high = mid;
    }
    return low;
  };
}

interface Corpus {
  docs: SearchDocument[];
  words: string[];
  /** Word ranks of each document, for drawing multi-word queries that have hits. */
  ranks: number[][];
  spaces: string[];
}

function corpus(): Corpus {
  const rand = random(42);
  const words = vocabulary(rand);
  const rank = zipf(rand, words.length);
  const spaces = Array.from({ length: 5 }, () => randomBytes(12).toString('hex'));
  const channels = Array.from({ length: 50 }, (_, index) => ({ id: randomBytes(12).toString('hex'), space: spaces[index % spaces.length]! }));
  const authors = Array.from({ length: 500 }, () => randomBytes(12).toString('hex'));
  const start = Date.now() - 365 * 86_400_000;
  const docs: SearchDocument[] = [];
  const ranks: number[][] = [];
  const text = (count: number) => {
    const picked = Array.from({ length: count }, rank);
    ranks.push(picked);
    return picked.map((index) => words[index]!).join(' ');
  };
  for (let index = 0; index < MESSAGES; index++) {
    const channel = channels[index % channels.length]!;
    docs.push({
      key: `message:${channel.id}:${Math.floor(index / channels.length) + 1}`,
      type: 'message',
      spaceId: channel.space,
      channelId: channel.id,
      authorId: authors[Math.floor(rand() * authors.length)]!,
      tags: [],
      createdAt: new Date(start + index * 300_000),
      title: '',
      text: text(8 + Math.floor(rand() * 23)),
    });
  }
  const others = SEARCH_TYPES.filter((type) => type !== 'message');
  for (let index = 0; index < OTHERS; index++) {
    const type = others[index % others.length]! as SearchType;
    const inSpace = type === 'question' || type === 'answer' || type === 'paper' || type === 'library';
    const channel = channels[index % channels.length]!;
    const body = text(50 + Math.floor(rand() * 101));
    const title = body.split(' ').slice(0, 6).join(' ');
    docs.push({
      key: `${type}:${randomBytes(12).toString('hex')}`,
      type,
      spaceId: inSpace ? channel.space : null,
      channelId: inSpace ? channel.id : null,
      authorId: type === 'member' ? null : authors[Math.floor(rand() * authors.length)]!,
      tags: [words[rank()]!, words[rank()]!],
      createdAt: new Date(start + rand() * 365 * 86_400_000),
      title,
      text: body,
    });
  }
  return { docs, words, ranks, spaces };
}

interface QueryClass {
  name: string;
  queries: string[];
}

/** Query words by rank: common (top 50), middling (200–999), rare (3,000 and beyond). */
function queryClasses(data: Corpus, rand: () => number): QueryClass[] {
  const pick = (low: number, high: number) => data.words[low + Math.floor(rand() * (high - low))]!;
  const fromDoc = (count: number) => {
    for (;;) {
      const ranks = data.ranks[Math.floor(rand() * data.ranks.length)]!;
      const distinct = [...new Set(ranks)];
      if (distinct.length < count) continue;
      // One rare-ish word and the rest common-ish from the same document, as people combine them.
      const sorted = distinct.sort((a, b) => a - b);
      const chosen = count === 2 ? [sorted[0]!, sorted[sorted.length - 1]!] : [sorted[0]!, sorted[Math.floor(sorted.length / 2)]!, sorted[sorted.length - 1]!];
      return chosen.map((rank) => data.words[rank]!).join(' ');
    }
  };
  const n = QUERIES_PER_CLASS;
  return [
    { name: '1 word, common (rank < 50)', queries: Array.from({ length: n }, () => pick(0, 50)) },
    { name: '1 word, middling (rank 200–999)', queries: Array.from({ length: n }, () => pick(200, 1000)) },
    { name: '1 word, rare (rank ≥ 3,000)', queries: Array.from({ length: n }, () => pick(3000, VOCABULARY)) },
    { name: '2 words, common + common', queries: Array.from({ length: n }, () => `${pick(0, 50)} ${pick(0, 50)}`) },
    { name: '2 words from one document', queries: Array.from({ length: n }, () => fromDoc(2)) },
    { name: '3 words from one document', queries: Array.from({ length: n }, () => fromDoc(3)) },
  ];
}

const ACTOR: Actor = { id: 'bench', status: 'member', roles: [], sector: 'industry', organisationId: null };

export async function searchAtScale(context: BenchContext): Promise<BenchOutput> {
  const lines: string[] = [];
  let started = performance.now();
  const data = corpus();
  const generateMs = performance.now() - started;
  const byKey = new Map(data.docs.map((doc) => [doc.key, doc]));
  const allowedSpaces = new Set(data.spaces.slice(0, 3));

  const index = new SearchIndex(context.connection, { buckets: BUCKETS, chunkSize: CHUNK });
  await index.open();
  for (const type of SEARCH_TYPES) {
    index.registerSource({
      type,
      visible: async (_actor, refs) => new Set(refs.filter((ref) => ref.spaceId === null || allowedSpaces.has(ref.spaceId)).map((ref) => ref.key)),
      present: async (_actor, refs) => new Map(refs.map((ref) => [ref.key, { title: byKey.get(ref.key)!.title, text: byKey.get(ref.key)!.text, link: '/' }])),
    });
  }
  started = performance.now();
  await index.indexMany(data.docs, { fresh: true });
  const indexMs = performance.now() - started;
  process.stderr.write(`search bench: indexed ${data.docs.length} documents in ${(indexMs / 1000).toFixed(1)} s\n`);
  const postings = data.docs.reduce((sum, doc) => sum + terms(`${doc.title}\n${doc.text}`).size, 0);

  // The baseline: the same items in one flat collection with a multikey index on their terms.
  const Flat = context.connection.model('SearchFlat', new Schema({ _id: String, terms: [String] }, { versionKey: false }).index({ terms: 1 }), 'bench_search_flat');
  await Flat.init();
  started = performance.now();
  for (let offset = 0; offset < data.docs.length; offset += 1000) {
    await Flat.collection.insertMany(
      data.docs.slice(offset, offset + 1000).map((doc) => ({ _id: doc.key, terms: [...terms(`${doc.title}\n${doc.text}`)] })) as never,
      { ordered: false },
    );
  }
  const flatMs = performance.now() - started;
  process.stderr.write(`search bench: flat baseline filled in ${(flatMs / 1000).toFixed(1)} s\n`);

  const rand = random(7);
  const classes = queryClasses(data, rand);
  const baselineTerms = [...classes[0]!.queries, ...classes[1]!.queries, ...classes[2]!.queries].map((query) => [...terms(query)][0]!);
  const perClass = new Map<string, { p50: number[]; p99: number[]; all: number[]; hits: number[] }>();
  const baseline = { p50: [] as number[], p99: [] as number[], all: [] as number[] };
  for (let round = 0; round < ROUNDS; round++) {
    for (const queryClass of classes) {
      const times: number[] = [];
      const hits: number[] = [];
      for (const q of queryClass.queries) {
        const t0 = performance.now();
        const result = await index.search(ACTOR, { q, page: 1, pageSize: 20 }, 'en');
        times.push(performance.now() - t0);
        hits.push(result.total);
      }
      const entry = perClass.get(queryClass.name) ?? { p50: [], p99: [], all: [], hits };
      entry.p50.push(percentile(times, 50));
      entry.p99.push(percentile(times, 99));
      entry.all.push(...times);
      perClass.set(queryClass.name, entry);
    }
    const times: number[] = [];
    for (let query = 0; query < BASELINE_PER_ROUND; query++) {
      const term = baselineTerms[(round * BASELINE_PER_ROUND + query * 7) % baselineTerms.length]!;
      const t0 = performance.now();
      await Flat.find({ terms: term }).limit(20).lean();
      times.push(performance.now() - t0);
    }
    process.stderr.write(`search bench: round ${round + 1} done\n`);
    baseline.p50.push(percentile(times, 50));
    baseline.p99.push(percentile(times, 99));
    baseline.all.push(...times);
  }
  const base = { p50: median(baseline.p50), p99: median(baseline.p99) };
  const rows = [...perClass].map(([name, entry]) => ({ name, p50: median(entry.p50), p99: median(entry.p99), medianHits: median(entry.hits) }));
  const overall = { p50: percentile([...perClass.values()].flatMap((entry) => entry.all), 50), p99: percentile([...perClass.values()].flatMap((entry) => entry.all), 99) };

  lines.push(
    `search at scale: ${int(MESSAGES)} messages + ${int(OTHERS)} other documents (${int(postings)} postings; ${BUCKETS} buckets, chunks of ${CHUNK}); ` +
      `corpus generated in ${(generateMs / 1000).toFixed(1)} s, indexed in bulk in ${(indexMs / 1000).toFixed(1)} s; flat baseline collection filled in ${(flatMs / 1000).toFixed(1)} s. ` +
      `${QUERIES_PER_CLASS} queries per class per round, ${ROUNDS} rounds, medians of the rounds' p50 and p99; page of 20 with access check and snippets. ` +
      `Baseline: find({terms: t}).limit(20) on the flat collection, ${BASELINE_PER_ROUND} one-word queries per round (same common/middling/rare words).`,
    ...table(
      ['query', 'median hits', 'p50', 'p99', 'p50 / baseline p50', 'p99 / baseline p99'],
      ['l', 'r', 'r', 'r', 'r', 'r'],
      [
        ...rows.map((row) => [row.name, int(row.medianHits), `${fmt(row.p50)} ms`, `${fmt(row.p99)} ms`, ratio(row.p50, base.p50), ratio(row.p99, base.p99)]),
        ['all classes together', '', `${fmt(overall.p50)} ms`, `${fmt(overall.p99)} ms`, ratio(overall.p50, base.p50), ratio(overall.p99, base.p99)],
        ['baseline: flat `find({terms}).limit(20)`', '', `${fmt(base.p50)} ms`, `${fmt(base.p99)} ms`, '1.0', '1.0'],
      ],
    ),
  );
  const met = overall.p99 <= 5 * base.p99;
  lines.push(`target p99 ≤ 5× baseline p99 (all classes together): ${met ? 'met' : 'NOT met'}`);

  // Send latency with indexing on and off: the app, in this process, on this same database.
  const sessionSecret = randomBytes(32).toString('base64url');
  const config = loadConfig({ NODE_ENV: 'test' }, { mongodbUri: context.uri, databaseName: context.connection.name, sessionSecret, postingBurst: 10_000, logLevel: 'silent' });
  const server = await startServer({ config, logger: createLogger({ logLevel: 'silent' }), announceSetup: false });
  const sends = { on: [] as number[], off: [] as number[], indexing: [] as number[] };
  try {
    const models = server.ctx.models;
    const [member] = await seedMembers(models, 1, sessionSecret);
    const [channelId] = await createChannels(models, await plenaryId(models), ['search-bench']);
    const search = server.ctx.search;
    const realIndex = search.index.bind(search);
    const words = data.words;
    const textRand = random(99);
    const send = async (on: boolean, n: number) => {
      search.index = on ? realIndex : async () => undefined;
      const text = Array.from({ length: 20 }, () => words[Math.floor(textRand() * 2000)]!).join(' ');
      const t0 = performance.now();
      const res = await fetch(`${server.url}/api/channels/${channelId}/messages`, {
        method: 'POST',
        headers: { cookie: member!.cookie, 'content-type': 'application/json', 'x-convene-csrf': '1', accept: 'application/json' },
        body: JSON.stringify({ text, idempotencyKey: `bench-${on ? 'on' : 'off'}-${n}-${randomBytes(4).toString('hex')}` }),
      });
      await res.text();
      const elapsed = performance.now() - t0;
      if (res.status !== 201) throw new Error(`send: ${res.status}`);
      // The index write runs after the reply; wait for it, so sends do not pile up behind each other.
      const t1 = performance.now();
      await search.idle();
      if (on) sends.indexing.push(performance.now() - t1);
      return elapsed;
    };
    for (let warm = 0; warm < 4; warm++) await send(warm % 2 === 0, -warm);
    const onRounds: number[] = [];
    const offRounds: number[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      const on: number[] = [];
      const off: number[] = [];
      for (let n = 0; n < SENDS_PER_ROUND; n++) {
        // Alternate, so noise hits both alike.
        if ((n + round) % 2) on.push(await send(true, round * 100 + n));
        else off.push(await send(false, round * 100 + n));
      }
      onRounds.push(median(on));
      offRounds.push(median(off));
      sends.on.push(...on);
      sends.off.push(...off);
    }
    search.index = realIndex;
    const on = median(onRounds);
    const off = median(offRounds);
    lines.push(
      '',
      `send latency (POST /api/channels/:id/messages, 20 words, same database as the index above), medians of ${ROUNDS} rounds of ${SENDS_PER_ROUND / 2} sends each way, alternating:`,
      ...table(
        ['', 'indexing on', 'indexing off', 'on / off'],
        ['l', 'r', 'r', 'r'],
        [
          ['median send latency', `${fmt(on)} ms`, `${fmt(off)} ms`, ratio(on, off)],
          ['p99 send latency (all sends)', `${fmt(percentile(sends.on, 99))} ms`, `${fmt(percentile(sends.off, 99))} ms`, ratio(percentile(sends.on, 99), percentile(sends.off, 99))],
          ['index write after the reply (median)', `${fmt(median(sends.indexing))} ms`, '—', ''],
        ],
      ),
      `target: indexing adds ≤ 20 % to the send latency: ${on <= off * 1.2 ? 'met' : 'NOT met'} (+${(((on - off) / off) * 100).toFixed(0)} %)`,
    );
    return {
      lines,
      data: { messages: MESSAGES, others: OTHERS, buckets: BUCKETS, chunk: CHUNK, postings, generateMs, indexMs, flatMs, rows, overall, baseline: base, targetMet: met, sends: { on, off, indexingMedian: median(sends.indexing) } },
    };
  } finally {
    await server.close();
  }
}
