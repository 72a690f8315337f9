import { expect } from 'chai';
import { bucketOf, fold, parseQuery, stem, terms, words } from '../../backend/src/search/search.analyzer.ts';
import { decodeRef, encodeRef } from '../../backend/src/search/search.index.ts';
import { matcherFor, snippet } from '../../backend/src/search/search.snippet.ts';

describe('search analyzer', function () {
  it('folds accents and case (NFKD, combining marks removed) and splits on anything but letters and digits', function () {
    expect(fold('Café NAÏVE Ångström ﬁle')).to.equal('cafe naive angstrom file');
    expect(words("l'État-islamique, 2024/v2 — #hashtag")).to.deep.equal(['l', 'etat', 'islamique', '2024', 'v2', 'hashtag']);
    expect(words('Мир дружба')).to.deep.equal(['мир', 'дружба']);
  });

  it('drops stop words, single letters and over-long tokens', function () {
    expect([...terms('The accounts and the posts of a network')]).to.deep.equal(['account', 'post', 'network']);
    expect([...terms(`x ${'a'.repeat(41)} 7`)]).to.deep.equal(['7']);
  });

  it('stems English suffixes so that the forms of a word meet', function () {
    const same = (...forms: string[]) => expect(new Set(forms.map(stem)).size, forms.join(', ')).to.equal(1);
    same('radicalisation', 'radicalised', 'radicalise', 'radicalising', 'radicalization', 'radicalizing');
    same('account', 'accounts', 'accounting');
    same('policy', 'policies');
    same('post', 'posted', 'posting', 'posts');
    same('run', 'running');
    same('hope', 'hoped', 'hoping');
    same('quick', 'quickly');
    same('researcher', 'researchers');
    expect(stem('radicalisation')).to.equal('radicalis');
    expect(stem('news')).to.equal('new');
    expect(stem('bus')).to.equal('bus');
    expect(stem('analysis')).to.equal('analysis');
    expect(stem('class')).to.equal('class');
    expect(stem('v2')).to.equal('v2');
    expect(stem('2024s')).to.equal('2024s');
  });

  it('parses a query: stop words out, duplicates once, the last word also a prefix', function () {
    expect(parseQuery('the Radicali')).to.deep.equal([{ word: 'radicali', term: 'radicali', prefix: 'radicali' }]);
    expect(parseQuery('Posts about posting re')).to.deep.equal([
      { word: 'posts', term: 'post', prefix: null },
      { word: 'about', term: 'about', prefix: null },
      { word: 'posting', term: 'post', prefix: null },
      { word: 're', term: 're', prefix: null },
    ].filter((word, index) => index !== 2));
    expect(parseQuery('the and of')).to.deep.equal([]);
    expect(parseQuery('hash 2024')[1]).to.deep.equal({ word: '2024', term: '2024', prefix: null });
  });

  it('spreads strings over buckets stably', function () {
    expect(bucketOf('account', 64)).to.equal(bucketOf('account', 64));
    const counts = new Array(16).fill(0);
    for (let index = 0; index < 1600; index++) counts[bucketOf(`term${index}`, 16)]++;
    expect(Math.min(...counts)).to.be.greaterThan(50);
  });

  it('keeps a posting string faithful, whatever the tags contain', function () {
    const ref = { key: 'question:abc', type: 'question' as const, spaceId: 's', channelId: null, authorId: null, tags: ['a|b', 'c,d', '50%'], createdAt: new Date(1700000000123), hidden: true };
    expect(decodeRef(encodeRef(ref))).to.deep.equal(ref);
    expect(encodeRef(ref).split('|')).to.have.length(8);
  });

  it('cuts a snippet around the first match and marks every matching word', function () {
    const text = `${'Lorem ipsum dolor sit amet. '.repeat(20)}The Radicalisation of accounts, then radicalised posts.${' Tail words here.'.repeat(20)}`;
    const segments = snippet(text, matcherFor(parseQuery('radicali')), 120);
    expect(segments[0]!.match).to.equal(false);
    expect(segments[0]!.text.startsWith('…')).to.equal(true);
    expect(segments.filter((segment) => segment.match).map((segment) => segment.text)).to.deep.equal(['Radicalisation', 'radicalised']);
    expect(segments[segments.length - 1]!.text.endsWith('…')).to.equal(true);
    const joined = segments.map((segment) => segment.text).join('');
    expect(joined.length).to.be.lessThan(130);
    expect(snippet('Short text, no match.', matcherFor(parseQuery('absent')))).to.deep.equal([{ text: 'Short text, no match.', match: false }]);
  });
});
