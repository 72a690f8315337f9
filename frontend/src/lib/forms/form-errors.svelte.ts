import { ApiError } from '../api/client.ts';
import { sentence } from '../format.ts';
import { m } from '../i18n/i18n.ts';

export interface ListedError {
  field: string | null;
  label: string;
  message: string;
}

/**
 * The errors of one form: a message per field (shown next to it) and a summary at the top that
 * links to each field. Built from an `ApiError`'s validation issues, whose `path` is the body
 * field name (`referee.email`, `domains.0`); an issue for a field the form does not show, or for
 * no field at all, goes to the summary only.
 *
 * `fields` maps each field path to its label and to the id of its control, for the summary links.
 */
export class FormErrors {
  #byField = $state<Record<string, string>>({});
  #general = $state<string | null>(null);
  readonly #fields: Record<string, { label: string; id: string }>;
  readonly #location: 'body' | 'query';

  /** `location`: where the form's fields go — the request body, or the query string (filters). */
  constructor(fields: Record<string, { label: string; id: string }>, location: 'body' | 'query' = 'body') {
    this.#fields = fields;
    this.#location = location;
  }

  /** The message for one field, if any. */
  get(field: string): string | undefined {
    return this.#byField[field];
  }

  get general(): string | null {
    return this.#general;
  }

  get any(): boolean {
    return this.#general !== null || Object.keys(this.#byField).length > 0;
  }

  /** Everything, field errors first in form order, for the summary. */
  get list(): ListedError[] {
    const listed: ListedError[] = [];
    for (const [field, meta] of Object.entries(this.#fields)) {
      const message = this.#byField[field];
      if (message) listed.push({ field: meta.id, label: meta.label, message });
    }
    return listed;
  }

  idOf(field: string): string | undefined {
    return this.#fields[field]?.id;
  }

  clear(): void {
    this.#byField = {};
    this.#general = null;
  }

  /** A problem found before sending (a required field left empty). */
  setField(field: string, message: string): void {
    this.#byField = { ...this.#byField, [field]: message };
  }

  setGeneral(message: string | null): void {
    this.#general = message;
  }

  /** Files an error from the API (or anything thrown) under the fields it names. */
  setFrom(error: unknown, fallback = m.forms_error_fallback()): void {
    this.clear();
    if (!(error instanceof ApiError)) {
      this.#general = fallback;
      return;
    }
    const byField: Record<string, string> = {};
    const unplaced: string[] = [];
    for (const issue of error.fieldIssues) {
      const field = issue.location === this.#location ? this.#match(issue.path) : undefined;
      if (field && !byField[field]) byField[field] = sentence(issue.message);
      else if (!field) unplaced.push(issue.path ? m.forms_issue_at({ path: issue.path, problem: issue.message }) : issue.message);
    }
    this.#byField = byField;
    if (Object.keys(byField).length === 0) this.#general = error.message;
    else if (unplaced.length > 0) this.#general = unplaced.map(sentence).join(' ');
  }

  /** The field itself, or the closest enclosing one the form shows (`domains.0` → `domains`). */
  #match(path: string): string | undefined {
    const parts = path.split('.');
    for (let length = parts.length; length > 0; length--) {
      const candidate = parts.slice(0, length).join('.');
      if (candidate in this.#fields) return candidate;
    }
    return undefined;
  }
}
