import type { ContentType, ModerationRegistry, ModerationSource } from './moderation.types.ts';

/** The moderatable content types, each registered by its capability (see moderation.types.ts). */
export class ModerationSources implements ModerationRegistry {
  readonly #sources = new Map<ContentType, ModerationSource>();

  registerSource(source: ModerationSource): void {
    this.#sources.set(source.type, source);
  }

  get(type: ContentType): ModerationSource | undefined {
    return this.#sources.get(type);
  }
}
