"use client";
import { mediaUrl } from "@/lib/api-url";
import type { AuthorGroup } from "./author-groups";

/** The row of authors with a ring each: coloured while one of their stories is unseen. */
export function StoryAuthors({ groups, onOpen }: { groups: AuthorGroup[]; onOpen: (group: AuthorGroup) => void }) {
  return (
    <ul className="story-authors" aria-label="Stories by author">
      {groups.map((group) => {
        const avatar = mediaUrl(group.author.avatarUrl);
        return (
          <li key={group.key}>
            <button
              type="button"
              className={`story-author ${group.unseen ? "story-author--unseen" : ""}`}
              onClick={() => onOpen(group)}
              aria-label={`Open stories of ${group.author.name} (${group.stories.length}, ${group.unseen ? "unseen" : "seen"})`}
            >
              <span className="story-author__ring">
                {avatar ? <img src={avatar} alt="" width={56} height={56} /> : <span className="story-author__initial">{group.author.name.slice(0, 1)}</span>}
              </span>
              <span className="story-author__name">{group.author.name}</span>
            </button>
          </li>
        );
      })}
    </ul>
  );
}
