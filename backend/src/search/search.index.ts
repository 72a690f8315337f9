import type { SearchDocument, SearchIndexer, SearchSource, SearchType } from './search.types.ts';

/**
 * The term index. PLACEHOLDER: the contract is fixed (search.types.ts); the index itself is being
 * built (issue 6, part 4). Until then documents are accepted and not stored.
 */
export class SearchIndex implements SearchIndexer {
  readonly #sources = new Map<SearchType, SearchSource>();

  registerSource(source: SearchSource): void {
    this.#sources.set(source.type, source);
  }

  source(type: SearchType): SearchSource | undefined {
    return this.#sources.get(type);
  }

  async index(_doc: SearchDocument): Promise<void> {}

  async remove(_key: string): Promise<void> {}
}
