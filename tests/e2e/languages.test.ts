import { expect } from 'chai';
import type { Page } from 'playwright-core';
import type { Models } from '../../backend/src/db/models.ts';
import type { Locale } from '../../backend/src/shared/i18n/locale.ts';
import { makeMember } from '../factories/members.ts';
import { VIEWPORTS, screenshot } from '../helpers/browser.ts';
import { browserSuite } from '../helpers/browser-suite.ts';
import type { TestServer } from '../helpers/server.ts';

/** Whether anything sticks out sideways (a long word that does not wrap, a row too wide). */
async function overflow(page: Page): Promise<{ scrollWidth: number; innerWidth: number }> {
  return page.evaluate<{ scrollWidth: number; innerWidth: number }>('({ scrollWidth: document.documentElement.scrollWidth, innerWidth: window.innerWidth })');
}

describe('languages (browser)', () => {
  const suite = browserSuite();
  const { open, signIn, live } = suite;
  let server: TestServer;
  let models: Models;
  before(() => {
    ({ server, models } = suite);
  });

  async function channelIn(spaceSlug: string, name: string): Promise<string> {
    const space = await models.Space.findOne({ slug: spaceSlug }).lean();
    const channel = await models.Channel.create({ spaceId: space!._id, name, topic: '' });
    return String(channel._id);
  }

  /** A member whose profile says `locale`: signing in (on the page in English) reloads the app in it. */
  async function memberIn(locale: Locale, name: string) {
    const member = await makeMember(models, { name });
    await models.Member.updateOne({ _id: member._id }, { $set: { locale } });
    return member;
  }

  async function expectLanguage(page: Page, locale: Locale, dir: 'ltr' | 'rtl') {
    await page.locator(`html[lang="${locale}"][dir="${dir}"]`).waitFor({ state: 'attached' });
  }

  it('a visitor gets the best match of the browser’s languages, and the switcher changes it', async () => {
    const { page } = await open({ viewport: VIEWPORTS.desktop, locale: 'fr-CA' });
    await page.goto(`${server.url}/sign-in`);
    await expectLanguage(page, 'fr', 'ltr');
    const switcher = page.locator('header select');
    expect(await switcher.inputValue()).to.equal('fr');
    // Each language is named in itself.
    expect(await switcher.locator('option').allInnerTexts()).to.include.members(['English', 'Français', 'Español', 'Русский', 'العربية']);
    await Promise.all([page.waitForEvent('load'), switcher.selectOption('ar')]);
    await expectLanguage(page, 'ar', 'rtl');
    await screenshot(page, 'languages-sign-in-ar-desktop');
    await switcher.focus();
    expect(await page.evaluate<string>('document.activeElement?.tagName')).to.equal('SELECT');
  });

  for (const [viewportName, viewport] of Object.entries(VIEWPORTS)) {
    it(`Arabic at ${viewportName} width: right to left, the sidebar on the right, the composer and messages in order`, async () => {
      const channelId = await channelIn('plenary', `rtl-${viewportName}`);
      const member = await memberIn('ar', 'ليلى الحسن');
      const { page } = await open({ viewport });
      await signIn(page, member);
      await expectLanguage(page, 'ar', 'rtl');
      await live(page);
      await page.goto(`${server.url}/channels/${channelId}`);
      await expectLanguage(page, 'ar', 'rtl');
      const composer = page.locator('form textarea').first();
      await composer.waitFor();
      await composer.fill('تنبيه جديد عن TLP:AMBER على https://example.org/a/b');
      await composer.press('Enter');
      const posted = page.getByTestId('message').filter({ hasText: 'تنبيه جديد' });
      await posted.waitFor();
      const body = await posted.boundingBox();
      expect(body).to.not.equal(null);
      if (viewportName === 'desktop') {
        const sidebar = await page.locator('#sidebar').boundingBox();
        expect(sidebar, 'sidebar').to.not.equal(null);
        // Right to left: the sidebar starts the line, on the right; the discussion is to its left.
        expect(sidebar!.x).to.be.greaterThan(viewport.width / 2);
        expect(body!.x + body!.width).to.be.at.most(sidebar!.x + 1);
      } else {
        const menu = page.locator('header button[aria-controls="sidebar"]');
        await menu.click();
        const sidebar = await page.locator('#sidebar').boundingBox();
        expect(sidebar!.x + sidebar!.width).to.be.closeTo(viewport.width, 2);
        await screenshot(page, `languages-ar-menu-${viewportName}`);
        await menu.click();
      }
      const sizes = await overflow(page);
      expect(sizes.scrollWidth).to.be.at.most(sizes.innerWidth);
      await screenshot(page, `languages-ar-channel-${viewportName}`);
    });
  }

  for (const [viewportName, viewport] of Object.entries(VIEWPORTS)) {
    it(`Russian at ${viewportName} width: long words do not break the layout on the main pages`, async () => {
      const member = await memberIn('ru', 'Александра Константиновна Преображенская');
      const { page } = await open({ viewport });
      await signIn(page, member);
      await expectLanguage(page, 'ru', 'ltr');
      for (const path of ['/', '/alerts', '/events', '/directory', '/profile', '/support', '/notifications', '/transparency']) {
        await page.goto(`${server.url}${path}`);
        await expectLanguage(page, 'ru', 'ltr');
        await page.locator('main h1').first().waitFor();
        await screenshot(page, `languages-ru${path === '/' ? '-home' : path.replaceAll('/', '-')}-${viewportName}`);
        const sizes = await overflow(page);
        expect(sizes.scrollWidth, path).to.be.at.most(sizes.innerWidth);
      }
    });
  }
});
