/**
 * Character cards in PNG files: the card is base64 JSON in a tEXt chunk, `ccv3` (V3) and/or
 * `chara` (V2) (docs/character-cards.md). Chunks are read and written with png-chunks-extract /
 * png-chunks-encode / png-chunk-text, the libraries SillyTavern uses; a chunk table is walked
 * first so that a declared length past the end of the file never makes them allocate it.
 */
import { deflateSync } from "node:zlib";
import { DomainError } from "@companion/errors";
import encodeChunks from "png-chunks-encode";
import extractChunks from "png-chunks-extract";
import * as pngText from "png-chunk-text";

const SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
const CARD_KEYWORDS = new Set(["chara", "ccv3"]);

const badPng = (why: string) => new DomainError("BAD_REQUEST", `dataBase64: not a valid PNG (${why})`, { field: "dataBase64" });

/** Checks the signature and that every chunk's declared length fits in the file, before anything allocates. */
function assertChunkTable(bytes: Uint8Array): void {
  if (bytes.length < SIGNATURE.length + 12 || SIGNATURE.some((b, i) => bytes[i] !== b)) throw badPng("no PNG signature");
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let at = SIGNATURE.length;
  while (at + 12 <= bytes.length) {
    const length = view.getUint32(at);
    const type = String.fromCharCode(...bytes.subarray(at + 4, at + 8));
    if (length > bytes.length - at - 12) throw badPng(`chunk ${JSON.stringify(type)} runs past the end of the file`);
    at += 12 + length;
    if (type === "IEND") return;
  }
  throw badPng("no IEND chunk");
}

function chunksOf(bytes: Uint8Array): { name: string; data: Uint8Array }[] {
  assertChunkTable(bytes);
  try {
    return extractChunks(bytes);
  } catch (err) {
    throw new DomainError("BAD_REQUEST", `dataBase64: not a valid PNG (${(err as Error).message})`, { field: "dataBase64" }, { cause: err });
  }
}

/** The card chunks' texts (still base64); absent keys: no such chunk. BAD_REQUEST for a broken PNG. */
export function readCardChunks(bytes: Uint8Array): { chara?: string; ccv3?: string } {
  const found: { chara?: string; ccv3?: string } = {};
  for (const chunk of chunksOf(bytes)) {
    if (chunk.name !== "tEXt") continue;
    let decoded: { keyword: string; text: string };
    try {
      decoded = pngText.decode(chunk.data);
    } catch (err) {
      throw new DomainError("BAD_REQUEST", `dataBase64: a tEXt chunk is broken (${(err as Error).message})`, { field: "dataBase64" }, { cause: err });
    }
    const keyword = decoded.keyword.toLowerCase();
    // The first of each wins, as in SillyTavern.
    if ((keyword === "chara" || keyword === "ccv3") && found[keyword] === undefined) found[keyword] = decoded.text;
  }
  return found;
}

/**
 * `png` with its card chunks replaced by these (base64 of the UTF-8 JSON), placed before IEND.
 * Chunks of any other card are dropped, so an exported avatar never carries a stale card.
 */
export function embedCardChunks(png: Uint8Array, cards: { chara: string; ccv3: string }): Uint8Array {
  const kept = chunksOf(png).filter((chunk) => chunk.name !== "tEXt" || !CARD_KEYWORDS.has(pngText.decode(chunk.data).keyword.toLowerCase()));
  const end = kept.findIndex((chunk) => chunk.name === "IEND");
  const text = [pngText.encode("chara", cards.chara), pngText.encode("ccv3", cards.ccv3)];
  kept.splice(end === -1 ? kept.length : end, 0, ...text);
  return encodeChunks(kept);
}

/** A colour per name, so placeholders of different companions differ. */
function colourOf(name: string): [number, number, number] {
  let h = 0;
  for (const ch of name) h = (Math.imul(h, 0x01000193) ^ (ch.codePointAt(0) ?? 0)) >>> 0;
  return [96 + (h & 0x7f), 96 + ((h >>> 8) & 0x7f), 96 + ((h >>> 16) & 0x7f)];
}

/** A plain 256×256 PNG in one colour: the image of an exported card whose companion has no PNG avatar. */
export function placeholderPng(name: string): Uint8Array {
  const size = 256;
  const [r, g, b] = colourOf(name);
  const row = new Uint8Array(1 + size * 3);
  for (let x = 0; x < size; x++) row.set([r, g, b], 1 + x * 3);
  const raw = new Uint8Array(row.length * size);
  for (let y = 0; y < size; y++) raw.set(row, y * row.length);
  const ihdr = new Uint8Array(13);
  const view = new DataView(ihdr.buffer);
  view.setUint32(0, size);
  view.setUint32(4, size);
  ihdr.set([8, 2, 0, 0, 0], 8); // 8 bits per sample, truecolour, deflate, adaptive filter, no interlace
  return encodeChunks([
    { name: "IHDR", data: ihdr },
    { name: "IDAT", data: new Uint8Array(deflateSync(raw)) },
    { name: "IEND", data: new Uint8Array(0) },
  ]);
}
