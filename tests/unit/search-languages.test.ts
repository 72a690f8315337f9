import { expect } from 'chai';
import { fold, indexableWords, parseQuery, stem, terms, tokens, words } from '../../backend/src/search/search.analyzer.ts';
import { matcherFor, snippet } from '../../backend/src/search/search.snippet.ts';

/** Whether a text's terms answer a query as the index would: every query word by its term, the last also as a prefix. */
function finds(text: string, q: string): boolean {
  const query = parseQuery(q);
  if (query.length === 0) throw new Error(`query ${q} has no words`);
  const have = terms(text);
  const prefixed = [...indexableWords(text)];
  return query.every((word) => have.has(word.term) || (word.prefix !== null && prefixed.some((candidate) => candidate.startsWith(word.prefix!) && have.has(stem(candidate)))));
}

const marked = (text: string, q: string, length?: number) =>
  snippet(text, matcherFor(parseQuery(q)), length)
    .filter((segment) => segment.match)
    .map((segment) => segment.text);

describe('search analyzer: the six UN languages', function () {
  describe('English', function () {
    it('finds a word by its stemmed forms and as a prefix', function () {
      const text = 'Moderators reviewed the radicalisation reports.';
      expect(finds(text, 'radicalized')).to.equal(true);
      expect(finds(text, 'report')).to.equal(true);
      expect(finds(text, 'moderat')).to.equal(true);
      expect(finds(text, 'extremism')).to.equal(false);
    });
  });

  describe('French', function () {
    const text = 'Le résumé des mesures prises contre la propagande terroriste en ligne. Une œuvre collective.';
    it('folds accents both ways: "résumé" finds "resume" and "resume" finds "résumé"', function () {
      expect(finds(text, 'resume')).to.equal(true);
      expect(finds(text, 'RÉSUMÉ')).to.equal(true);
      expect(finds('Un resume sans accents', 'résumé')).to.equal(true);
      expect(finds(text, 'propagande terroriste')).to.equal(true);
      expect(finds(text, 'oeuvre')).to.equal(true);
      expect(finds(text, 'élection')).to.equal(false);
    });
    it('drops French stop words, and a query of only them has no words', function () {
      expect([...terms('le la les de des et')]).to.deep.equal([]);
      expect(parseQuery('les des et')).to.deep.equal([]);
      expect(parseQuery('la propagande').map((word) => word.word)).to.deep.equal(['propagande']);
    });
  });

  describe('Spanish', function () {
    const text = 'El niño leyó la información sobre la campaña de desinformación en España.';
    it('folds ñ and accents both ways', function () {
      expect(finds(text, 'nino')).to.equal(true);
      expect(finds(text, 'informacion')).to.equal(true);
      expect(finds(text, 'campana espana')).to.equal(true);
      expect(finds('La campana sin tilde', 'campaña')).to.equal(true);
      expect(finds(text, 'desinform')).to.equal(true);
      expect(finds(text, 'elecciones')).to.equal(false);
    });
    it('drops Spanish stop words', function () {
      expect([...terms('el los las y de del con por para')]).to.deep.equal([]);
      expect(parseQuery('los de y')).to.deep.equal([]);
    });
  });

  describe('Russian', function () {
    const text = 'Ёлка, мой дом и новый экстремистский контент в сети.';
    it('keeps Cyrillic words whole and unstemmed, folding ё to е but keeping й', function () {
      expect(words('Мир дружба')).to.deep.equal(['мир', 'дружба']);
      expect(finds(text, 'экстремистский')).to.equal(true);
      expect(finds(text, 'контент')).to.equal(true);
      expect(finds(text, 'елка')).to.equal(true);
      expect(finds(text, 'ЁЛКА')).to.equal(true);
      expect(fold('мой')).to.equal('мой');
      expect(finds(text, 'мои')).to.equal(false);
      expect(stem('контенты')).to.equal('контенты');
      expect(finds(text, 'экстрем')).to.equal(true);
      expect(finds(text, 'терроризм')).to.equal(false);
    });
  });

  describe('Arabic', function () {
    it('removes harakat and tatweel and normalises alef, alef maksura, ta marbuta and digits', function () {
      expect(fold('كِتَابٌ')).to.equal('كتاب');
      expect(fold('كتـــاب')).to.equal('كتاب');
      expect(words('أحمد إسلام آمن ٱلله')).to.deep.equal(['احمد', 'اسلام', 'امن', 'الله']);
      expect(fold('مستشفى مدرسة')).to.equal('مستشفي مدرسه');
      expect(fold('٢٠٢٤')).to.equal('2024');
    });
    it('finds an Arabic word whatever its diacritics and alef form', function () {
      const text = 'نشرت الجماعةُ دعايةً إرهابية على الإنترنت في ٢٠٢٤.';
      expect(finds(text, 'الجماعة')).to.equal(true);
      expect(finds(text, 'ارهابية')).to.equal(true);
      expect(finds(text, 'الانترنت')).to.equal(true);
      expect(finds(text, '2024')).to.equal(true);
      expect(finds(text, 'إرهاب')).to.equal(true);
      expect(finds(text, 'السلام')).to.equal(false);
    });
    it('marks an Arabic word written with harakat as one word', function () {
      expect(marked('نشرت الجماعةُ دعايةً إرهابية', 'دعاية')).to.deep.equal(['دعايةً']);
    });
  });

  describe('Chinese (zh-Hans)', function () {
    const sentence = '恐怖主义分子在互联网上传播暴力极端主义内容。';
    it('indexes a run of characters as its characters and its character pairs', function () {
      expect(words(sentence)).to.deep.equal(['恐怖主义分子在互联网上传播暴力极端主义内容']);
      const have = terms('互联网');
      expect([...have].sort()).to.deep.equal(['互', '互联', '网', '联', '联网'].sort());
    });
    it('finds a 2-character word inside a longer sentence, even where ICU would cut it otherwise', function () {
      expect(finds(sentence, '极端')).to.equal(true);
      expect(finds(sentence, '互联网')).to.equal(true);
      expect(finds(sentence, '传播')).to.equal(true);
      expect(finds(sentence, '网')).to.equal(true);
      expect(finds(sentence, '选举')).to.equal(false);
      expect(finds(sentence, '网络')).to.equal(false);
    });
    it('searches a query of one character for it, of more for all its pairs', function () {
      expect(parseQuery('互联网')).to.deep.equal([
        { word: '互联网', term: '互联', prefix: null },
        { word: '互联网', term: '联网', prefix: null },
      ]);
      expect(parseQuery('网')).to.deep.equal([{ word: '网', term: '网', prefix: null }]);
      expect(parseQuery('的')).to.deep.equal([]);
    });
    it('splits mixed text into Latin words, digits and Chinese runs', function () {
      expect(words('iPhone手机2024年')).to.deep.equal(['iphone', '手机', '2024', '年']);
      expect(finds('新款iPhone手机', 'iphone')).to.equal(true);
      expect(finds('新款iPhone手机', '手机')).to.equal(true);
    });
    it('marks exactly the searched characters in a snippet', function () {
      expect(marked(sentence, '极端')).to.deep.equal(['极端']);
      expect(marked(sentence, '互联网')).to.deep.equal(['互联网']);
      expect(marked(sentence, '主义')).to.deep.equal(['主义', '主义']);
      const segments = snippet(sentence, matcherFor(parseQuery('极端')));
      expect(segments.map((segment) => segment.text).join('')).to.equal(sentence);
      const at = tokens(sentence)[0]!;
      expect([at.start, at.end]).to.deep.equal([0, sentence.length - 1]);
    });
    it('cuts a long text without spaces near the match, at a word boundary', function () {
      const text = `${'我们需要打击网络上的暴力宣传。'.repeat(20)}研究人员发现极端内容。${'我们需要打击网络上的暴力宣传。'.repeat(20)}`;
      const segments = snippet(text, matcherFor(parseQuery('极端')), 60);
      expect(segments[0]!.text.startsWith('…')).to.equal(true);
      expect(segments[segments.length - 1]!.text.endsWith('…')).to.equal(true);
      expect(segments.filter((segment) => segment.match).map((segment) => segment.text)).to.deep.equal(['极端']);
      expect(segments.map((segment) => segment.text).join('').length).to.be.lessThan(70);
    });
  });

  it('keeps one script from meeting another: each locale finds its own word in a mixed text', function () {
    const text = 'Report / rapport résumé / informe campaña / отчёт / تقرير / 报告内容';
    for (const q of ['report', 'resume', 'campana', 'отчет', 'تقرير', '报告']) expect(finds(text, q), q).to.equal(true);
    expect(finds('报告内容', 'report')).to.equal(false);
  });
});

describe('search title highlight (web app)', function () {
  it('marks Latin, Cyrillic, Arabic and Chinese words of a title as the server would', async function () {
    const { highlight } = await import('../../frontend/src/lib/search/highlight.ts');
    const marks = (text: string, searched: string[]) =>
      highlight(text, searched)
        .filter((segment) => segment.match)
        .map((segment) => segment.text);
    expect(marks('Résumé des réunions', ['resume'])).to.deep.equal(['Résumé']);
    expect(marks('Экстремистский контент', ['контент'])).to.deep.equal(['контент']);
    expect(marks('دعايةً إرهابية', ['دعاية'])).to.deep.equal(['دعايةً']);
    expect(marks('关于暴力极端主义的研究', ['极端'])).to.deep.equal(['极端']);
    expect(highlight('关于暴力极端主义的研究', ['极端']).map((segment) => segment.text).join('')).to.equal('关于暴力极端主义的研究');
  });
});
