import { mediaUrl } from "@/lib/api-url";

/** A companion's avatar, or its initial when it has none. Decorative: the name is always next to it. */
export function Avatar({ url, name, size = 64 }: { url: string | null; name: string; size?: number }) {
  const src = mediaUrl(url);
  if (!src) {
    return (
      <span className="avatar avatar--empty" style={{ width: size, height: size }} aria-hidden="true">
        {name.slice(0, 1).toUpperCase()}
      </span>
    );
  }
  // A plain img: the API serves its own media (signed URLs), which next/image's optimizer would have to fetch and cache.
  return <img className="avatar" src={src} alt="" width={size} height={size} />;
}
