import { z } from "zod";

export const uuid = z.uuid();

/** Opaque keyset cursor: the server encodes and decodes it; clients pass it back unchanged. */
export const cursor = z.string().min(1).max(200);

export const pageLimit = z.number().int().min(1).max(100).default(20);

export const pageInput = z.object({ cursor: cursor.optional(), limit: pageLimit });

/** Timestamps cross the wire as ISO-8601 strings. */
export const isoDateTime = z.iso.datetime({ offset: true });

export const page = <T extends z.ZodType>(item: T) => z.object({ items: z.array(item), nextCursor: z.string().nullable() });
