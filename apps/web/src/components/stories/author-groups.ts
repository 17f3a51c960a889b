import type { RouterOutputs } from "@companion/client";

export type FeedStory = RouterOutputs["stories"]["feed"]["items"][number];

/** One author's live stories in the feed, in feed order; `unseen` if any of them is. */
export interface AuthorGroup {
  key: string;
  author: FeedStory["author"];
  stories: FeedStory[];
  unseen: boolean;
}

/** The feed as a row of authors: the first appearance of an author sets their place (the feed puts unseen first). */
export function groupByAuthor(stories: FeedStory[]): AuthorGroup[] {
  const groups = new Map<string, AuthorGroup>();
  for (const story of stories) {
    const key = `${story.author.kind}:${story.author.id}`;
    const group = groups.get(key) ?? { key, author: story.author, stories: [], unseen: false };
    group.stories.push(story);
    group.unseen ||= !story.seen;
    groups.set(key, group);
  }
  return [...groups.values()];
}
