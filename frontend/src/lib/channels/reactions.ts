/** The reactions offered in the picker, with the words a screen reader says for each. */
export const REACTIONS: readonly { emoji: string; name: string }[] = [
  { emoji: '👍', name: 'thumbs up' },
  { emoji: '❤️', name: 'heart' },
  { emoji: '😄', name: 'smile' },
  { emoji: '🎉', name: 'celebrate' },
  { emoji: '👀', name: 'looking' },
  { emoji: '🙏', name: 'thanks' },
];

/** What to call a reaction out loud: its name when it is one of ours, else the emoji itself. */
export function reactionName(emoji: string): string {
  return REACTIONS.find((reaction) => reaction.emoji === emoji)?.name ?? emoji;
}
