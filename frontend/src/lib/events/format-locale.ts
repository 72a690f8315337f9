import { locale } from '../i18n/i18n.ts';

/**
 * The locale dates and times are formatted in: the page's language, in the reader's own variety
 * of it when the browser names one (an English page for a browser set to en-GB shows "Mon" first
 * and 24-hour times, as British readers expect; zh-CN for zh-Hans), else the language itself.
 */
export const formatLocale: string = (() => {
  try {
    const page = new Intl.Locale(locale).maximize();
    for (const tag of navigator.languages) {
      const candidate = new Intl.Locale(tag).maximize();
      if (candidate.language === page.language && candidate.script === page.script) return tag;
    }
  } catch {
    // An unknown tag in the browser's list: the page's language alone.
  }
  return locale;
})();

