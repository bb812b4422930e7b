import { z } from 'zod';

/**
 * The file format of an educator's own pair set, in YAML (`.yaml`/`.yml`) or JSON (`.json`).
 * data/examples/custom-set.example.yaml is a complete example; the README documents each field.
 * Objects are strict so that a misspelt field (`anwser`) is reported instead of silently ignored.
 */

const text = z.string().min(1);

/** An id written as text or as a plain number (`id: 12` in YAML); both become text. */
const idSchema = z.union([z.string().trim().min(1), z.number().int().nonnegative()]);

export const customImageSchema = z.strictObject({
  /** Image file, relative to the set file (or absolute). JPEG, PNG, WebP or GIF. */
  file: text,
  /** The option that is correct for this image. */
  answer: z.enum(['A', 'B']),
  /** One or more of the set's declared categories. */
  categories: z.array(text).min(1),
  caption: z.string().optional(),
  /** Stable image id; defaults to the file path relative to the set file, without extension. */
  id: idSchema.optional(),
  /** Where the image comes from, when it is a ROCO / PMC figure. */
  roco: text.optional(),
  pmc: z
    .string()
    .regex(/^PMC\d+$/, { error: 'must look like PMC1234567' })
    .optional(),
  figure: text.optional(),
});
export type CustomImage = z.infer<typeof customImageSchema>;

const similarity = z.number().min(-1).max(1).nullable().optional();

export const customPairSchema = z.strictObject({
  /** Unique within the set. */
  id: idSchema,
  question: text,
  options: z.strictObject({ A: text, B: text }),
  /** Exactly two images, one answered A and the other B. */
  images: z.array(customImageSchema).length(2),
  similarity: z.strictObject({ biomedClip: similarity, dino: similarity }).optional(),
});
export type CustomPair = z.infer<typeof customPairSchema>;

/** Everything but the pairs, which are validated one by one so one broken pair does not hide the others. */
export const customSetHeaderSchema = z.strictObject({
  /** Format version; only 1 exists. */
  version: z.literal(1).optional(),
  name: z
    .string()
    .trim()
    .min(1)
    .refine((name) => name !== 'official', {
      error: 'the name "official" is reserved for MediConfusion itself',
    }),
  description: z.string().optional(),
  /** Category names in display order; every image's categories must come from this list. */
  categories: z.array(text).min(1),
  pairs: z.array(z.unknown()).min(1),
});

/** The whole file, for documentation and tooling. */
export const customSetSchema = customSetHeaderSchema.extend({ pairs: z.array(customPairSchema).min(1) });
export type CustomSetFile = z.infer<typeof customSetSchema>;
