import { m } from '../i18n/i18n.ts';

/** The reactions offered in the picker, with the words a screen reader says for each (in the reader's language). */
export const REACTIONS: readonly { emoji: string; name: () => string }[] = [
  { emoji: '👍', name: () => m.channel_reaction_thumbs_up() },
  { emoji: '❤️', name: () => m.channel_reaction_heart() },
  { emoji: '😄', name: () => m.channel_reaction_smile() },
  { emoji: '🎉', name: () => m.channel_reaction_celebrate() },
  { emoji: '👀', name: () => m.channel_reaction_looking() },
  { emoji: '🙏', name: () => m.channel_reaction_thanks() },
];

/** What to call a reaction out loud: its name when it is one of ours, else the emoji itself. */
export function reactionName(emoji: string): string {
  return REACTIONS.find((reaction) => reaction.emoji === emoji)?.name() ?? emoji;
}
