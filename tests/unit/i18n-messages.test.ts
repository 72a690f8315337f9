import { expect } from 'chai';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { negotiateLocale, matchLocale, textDirection } from '../../backend/src/shared/i18n/locale.ts';

const DIR = join(import.meta.dirname, '..', '..', 'config', 'i18n', 'messages');
type Messages = Record<string, unknown>;

function load(locale: string): Messages {
  const { $schema: _schema, ...messages } = JSON.parse(readFileSync(join(DIR, `${locale}.json`), 'utf8')) as Messages;
  return messages;
}

/** The inputs a message uses: `{name}` placeholders, and for plural variants their declared inputs. */
function placeholders(value: unknown): string[] {
  const found = new Set<string>();
  const texts: string[] = [];
  if (typeof value === 'string') texts.push(value);
  else if (Array.isArray(value)) {
    for (const variant of value as Array<{ declarations?: string[]; match?: Record<string, string> }>) {
      for (const declaration of variant.declarations ?? []) {
        const input = /^input\s+(\w+)/.exec(declaration);
        if (input) found.add(input[1]!);
      }
      texts.push(...Object.values(variant.match ?? {}));
    }
  }
  for (const text of texts) for (const match of text.matchAll(/\{(\w+)\}/g)) found.add(match[1]!);
  return [...found].sort();
}

/** The words every language keeps as the standards write them. */
function protocolWords(value: unknown): string[] {
  const text = JSON.stringify(value);
  return [...text.matchAll(/TLP:[A-Z+]+|\bSTIX\b/g)].map((match) => match[0]).sort();
}

const locales = readdirSync(DIR)
  .filter((name) => name.endsWith('.json'))
  .map((name) => name.slice(0, -5));
const base = load('en');

describe('the message files of every language', function () {
  it('are the six UN languages, with English as the base', function () {
    expect(locales.sort()).to.deep.equal(['ar', 'en', 'es', 'fr', 'ru', 'zh-Hans']);
    expect(Object.keys(base).length).to.be.greaterThan(20);
  });

  for (const locale of locales.filter((name) => name !== 'en')) {
    describe(locale, function () {
      const messages = load(locale);

      it('has every key of English and no other', function () {
        const missing = Object.keys(base).filter((key) => !(key in messages));
        const extra = Object.keys(messages).filter((key) => !(key in base));
        expect({ missing, extra }).to.deep.equal({ missing: [], extra: [] });
      });

      it('uses the same placeholders as English in every message', function () {
        const differing = Object.keys(base)
          .filter((key) => key in messages)
          .filter((key) => placeholders(base[key]).join() !== placeholders(messages[key]).join())
          .map((key) => `${key}: ${placeholders(base[key]).join() || '—'} ≠ ${placeholders(messages[key]).join() || '—'}`);
        expect(differing).to.deep.equal([]);
      });

      it('has no empty message and keeps TLP markings and STIX as written', function () {
        const empty = Object.entries(messages).filter(([, value]) => value === '' || value === null).map(([key]) => key);
        expect(empty).to.deep.equal([]);
        const changed = Object.keys(base)
          .filter((key) => key in messages && protocolWords(base[key]).join() !== protocolWords(messages[key]).join())
          .map((key) => key);
        expect(changed).to.deep.equal([]);
      });
    });
  }
});

describe('choosing a language', function () {
  it('takes the best match of Accept-Language by quality, then by order', function () {
    expect(negotiateLocale('fr-CA,fr;q=0.9,en;q=0.8')).to.equal('fr');
    expect(negotiateLocale('de-DE,de;q=0.9,ru;q=0.5,en;q=0.4')).to.equal('ru');
    expect(negotiateLocale('en;q=0.2, ar;q=0.9')).to.equal('ar');
    expect(negotiateLocale('zh-CN,zh;q=0.9')).to.equal('zh-Hans');
    expect(negotiateLocale('zh-TW')).to.equal('zh-Hans');
    expect(negotiateLocale('es-419')).to.equal('es');
    expect(negotiateLocale('de, ja;q=0.5')).to.equal(null);
    expect(negotiateLocale('fr;q=0, es')).to.equal('es');
    expect(negotiateLocale('*')).to.equal(null);
    expect(negotiateLocale('')).to.equal(null);
    expect(negotiateLocale('ru;q=abc, fr')).to.equal('fr');
  });

  it('matches a tag to a language of ours and knows which way each is written', function () {
    expect(matchLocale('ZH-hans')).to.equal('zh-Hans');
    expect(matchLocale('ar-MA')).to.equal('ar');
    expect(matchLocale('pt-BR')).to.equal(null);
    expect(textDirection('ar')).to.equal('rtl');
    for (const locale of ['en', 'fr', 'es', 'ru', 'zh-Hans'] as const) expect(textDirection(locale)).to.equal('ltr');
  });
});
