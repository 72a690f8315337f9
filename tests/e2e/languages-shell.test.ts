import { expect } from 'chai';
import type { Page } from 'playwright-core';
import { browserSuite } from '../helpers/browser-suite.ts';
import { VIEWPORTS, screenshot } from '../helpers/browser.ts';
import { makeMember } from '../factories/members.ts';

describe('the shell in other languages (browser)', () => {
  const suite = browserSuite();

  /** Remembers a language the way the language switcher does, then reloads in it. */
  async function useLanguage(page: Page, locale: string): Promise<void> {
    await page.context().addCookies([{ name: 'convene_locale', value: locale, url: suite.server.url }]);
    await page.reload();
  }

  /** Elements reaching past either edge of the window (a layout that does not fit). */
  function stickingOut(page: Page): Promise<string[]> {
    // (A string: this file is compiled without the DOM library.)
    return page.evaluate<string[]>(`
      [...document.querySelectorAll('body *')]
        .filter((element) => {
          const box = element.getBoundingClientRect();
          return box.width > 0 && (box.left < -1 || box.right > document.documentElement.clientWidth + 1);
        })
        .map((element) => element.tagName.toLowerCase() + '.' + String(element.className))
    `);
  }

  it('mirrors the shell in Arabic: sidebar on the right on a wide screen, nothing wider than a phone', async () => {
    const member = await makeMember(suite.models, { name: 'Layla Haddad' });
    const desktop = await suite.open({ viewport: VIEWPORTS.desktop });
    await suite.signIn(desktop.page, member);
    await useLanguage(desktop.page, 'ar');
    const page = desktop.page;

    await page.getByRole('heading', { level: 1, name: 'مرحبًا، Layla Haddad' }).waitFor();
    expect(await page.locator('html').getAttribute('dir')).to.equal('rtl');
    expect(await page.locator('html').getAttribute('lang')).to.equal('ar');
    expect(await page.title()).to.equal('الرئيسية · Convene');
    const sidebar = (await page.getByRole('navigation', { name: 'القائمة الرئيسية' }).boundingBox())!;
    const main = (await page.getByRole('main').boundingBox())!;
    expect(sidebar.x, 'the sidebar starts where the main area ends').to.be.greaterThan(main.x);
    await page.getByRole('button', { name: 'تسجيل الخروج' }).waitFor();
    await suite.live(page);
    expect((await page.getByTestId('connection-status').textContent())?.replace(/\s+/g, ' ').trim()).to.equal('الاتصال: متصل');
    await screenshot(page, 'shell-ar-desktop');

    const phone = await suite.open({ viewport: VIEWPORTS.phone });
    await suite.signIn(phone.page, member);
    await useLanguage(phone.page, 'ar');
    await phone.page.getByRole('heading', { level: 1, name: 'مرحبًا، Layla Haddad' }).waitFor();
    await phone.page.getByRole('button', { name: 'القائمة' }).click();
    await phone.page.getByRole('link', { name: 'الملف الشخصي' }).waitFor();
    await screenshot(phone.page, 'shell-ar-phone-menu');
    expect(await stickingOut(phone.page), 'nothing sticks out sideways on a phone').to.deep.equal([]);

    for (const watched of suite.opened) expect(watched.problems()).to.deep.equal([]);
  });

  it('keeps a language chosen on the profile, and follows the browser again when asked', async () => {
    const member = await makeMember(suite.models);
    const { page } = await suite.open();
    await suite.signIn(page, member, '/profile');
    await page.getByRole('heading', { level: 1, name: 'Profile' }).waitFor();

    await page.getByTestId('profile-language').selectOption('ru');
    await Promise.all([page.waitForEvent('load'), page.getByRole('button', { name: 'Save language' }).click()]);
    await page.getByRole('heading', { level: 1, name: 'Профиль' }).waitFor();
    expect((await suite.models.Member.findById(member._id).lean())?.locale).to.equal('ru');
    expect(await page.getByTestId('profile-language').inputValue()).to.equal('ru');
    await screenshot(page, 'profile-ru');

    await page.getByTestId('profile-language').selectOption('');
    await Promise.all([page.waitForEvent('load'), page.getByRole('button', { name: 'Сохранить язык' }).click()]);
    // The browser asks for English (Chromium's default), and nothing remembers Russian any more.
    await page.getByRole('heading', { level: 1, name: 'Profile' }).waitFor();
    expect((await suite.models.Member.findById(member._id).lean())?.locale ?? null).to.equal(null);
    expect((await page.context().cookies()).find((cookie) => cookie.name === 'convene_locale')).to.equal(undefined);
    expect(await page.getByTestId('profile-language').inputValue()).to.equal('');

    for (const watched of suite.opened) expect(watched.problems()).to.deep.equal([]);
  });

  it('shows sign-in and the application steps in Arabic on a phone and in Russian on a desktop', async () => {
    const phone = await suite.open({ viewport: VIEWPORTS.phone, locale: 'ar' });
    await phone.page.goto(`${suite.server.url}/sign-in`);
    await phone.page.getByRole('heading', { level: 1, name: 'تسجيل الدخول' }).waitFor();
    await phone.page.getByRole('button', { name: 'تسجيل الدخول' }).click();
    await phone.page.getByRole('heading', { level: 2, name: 'تعذّر تسجيل دخولك' }).waitFor();
    expect(await phone.page.getByText('أدخل عنوان بريدك الإلكتروني.').count()).to.be.greaterThan(0);
    expect(await stickingOut(phone.page)).to.deep.equal([]);
    await screenshot(phone.page, 'sign-in-ar-phone');

    const desktop = await suite.open({ viewport: VIEWPORTS.desktop, locale: 'ru-RU' });
    await desktop.page.goto(`${suite.server.url}/apply`);
    await desktop.page.getByRole('heading', { level: 1, name: 'Подать заявку на участие' }).waitFor();
    await desktop.page.getByLabel('Полное имя').fill('Ирина Соколова');
    await desktop.page.getByLabel('Рабочий адрес электронной почты').fill(`irina-${Date.now()}@ministry.example`);
    await desktop.page.getByLabel('Пароль').fill('glacier orbit lantern 7');
    await desktop.page.getByRole('button', { name: 'Создать учётную запись и продолжить' }).click();
    await desktop.page.getByRole('heading', { level: 2, name: 'Расскажите о своей работе' }).waitFor();
    expect(await stickingOut(desktop.page)).to.deep.equal([]);
    await screenshot(desktop.page, 'apply-ru-desktop');

    // The apply page asks whether an application exists yet; its 404 is the answer "not yet".
    const notYet = (problem: string) => problem.includes('404') && problem.endsWith('/api/application)');
    for (const watched of suite.opened) expect(watched.problems().filter((problem) => !notYet(problem))).to.deep.equal([]);
  });
});
