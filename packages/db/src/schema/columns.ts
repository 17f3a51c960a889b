import { timestamp, uuid } from "drizzle-orm/pg-core";

/**
 * Millisecond timestamps: JS `Date` holds milliseconds, so cursor columns must too,
 * or a keyset page walk skips rows that differ only in microseconds.
 */
export const ts = (name: string) => timestamp(name, { withTimezone: true, precision: 3, mode: "date" });

export const createdAt = () => ts("created_at").notNull().defaultNow();
export const updatedAt = () => ts("updated_at").notNull().defaultNow();
export const pk = () => uuid("id").primaryKey().defaultRandom();
