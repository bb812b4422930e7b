import { z } from 'zod';

/**
 * Custom ids of buttons and other components: `prefix:arg:arg…`, at most 100 characters (Discord's
 * limit). The prefix picks the handler; the arguments are validated by that handler's own schema.
 * Anyone can forge an interaction with any custom id, so nothing about one is trusted until parsed.
 */

export const CUSTOM_ID_MAX_LENGTH = 100;
const PREFIX = /^[a-z][a-z0-9-]{0,23}$/;
const ARG = /^[A-Za-z0-9_.-]{1,64}$/;

export interface CustomId {
  prefix: string;
  args: string[];
}

const customIdSchema = z
  .string()
  .max(CUSTOM_ID_MAX_LENGTH)
  .transform((raw) => raw.split(':'))
  .pipe(z.tuple([z.string().regex(PREFIX)], z.string().regex(ARG)))
  .transform(([prefix, ...args]): CustomId => ({ prefix, args }));

/** The parsed id, or null when it is not one this bot could have made. */
export function parseCustomId(raw: string): CustomId | null {
  const parsed = customIdSchema.safeParse(raw);
  return parsed.success ? parsed.data : null;
}

/** Builds a custom id; a prefix or argument that does not fit the format is a bug, so it throws. */
export function encodeCustomId(prefix: string, ...args: (string | number)[]): string {
  const id = [prefix, ...args.map(String)].join(':');
  if (parseCustomId(id) === null) {
    throw new Error(
      `Invalid custom id ${JSON.stringify(id)}: prefix ${PREFIX}, arguments ${ARG}, ≤ 100 characters`,
    );
  }
  return id;
}
