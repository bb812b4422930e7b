import { z } from 'zod';
import { streamToFile } from '../files.js';
import { getWithRetry, PermanentError } from '../http.js';
import type { ImageJob } from '../image-plan.js';
import { bodyStream, bodyText } from './body.js';
import { errorMessage, type ImageSource, type SourceContext, SourceFailure } from './source.js';

/**
 * A ROCO mirror on Hugging Face, read through the dataset viewer's `/filter` endpoint
 * (datasets-server.huggingface.co, documented at huggingface.co/docs/dataset-viewer/filter and /rows):
 *
 *   GET {base}/filter?dataset={repo}&config=default&split=train&where="image_id"='ROCO_28778'&length=1
 *   -> { "rows": [ { "row_idx": 7, "row": { "image": { "src": "https://…/image.jpg?Expires=…", "height": …,
 *        "width": … }, "image_id": "ROCO_28778", "caption": "…" }, "truncated_cells": [] } ],
 *        "num_rows_total": 1, "num_rows_per_page": 100, "partial": false }
 *
 * The split and id come from the figure's ROCO path (`train/radiology/images/ROCO_28778.jpg`), so this
 * source needs nothing from NLM. Image cells are short-lived signed URLs, fetched at once.
 */

const imageCellSchema = z.looseObject({ src: z.url() });

export const filterResponseSchema = z.looseObject({
  rows: z.array(z.looseObject({ row: z.record(z.string(), z.unknown()) })),
  num_rows_total: z.number().int().nonnegative().optional(),
  /** True when the viewer searched only part of a large dataset: an empty answer then proves nothing. */
  partial: z.boolean().optional(),
});

export interface RocoMirrorSettings {
  /** The dataset viewer API (`https://datasets-server.huggingface.co`). */
  baseUrl: string;
  /** The Hugging Face dataset repository holding ROCO (`eltorio/ROCO-radiology`). */
  dataset: string;
}

/** `train`, `ROCO_28778` from `train/radiology/images/ROCO_28778.jpg`; null for anything else. */
export function rocoIdentity(rocoPath: string): { split: string; imageId: string } | null {
  const parts = rocoPath.split('/');
  const split = parts[0];
  const file = parts[parts.length - 1];
  const match = file ? /^(ROCO_\d+)\.[A-Za-z]+$/.exec(file) : null;
  if (!split || !match?.[1]) return null;
  return { split, imageId: match[1] };
}

export class RocoMirrorSource implements ImageSource {
  readonly label = 'ROCO mirror';

  constructor(
    private readonly settings: RocoMirrorSettings,
    private readonly ctx: SourceContext,
  ) {}

  filterUrl(split: string, imageId: string): string {
    const query = new URLSearchParams({
      dataset: this.settings.dataset,
      config: 'default',
      split,
      // SQL-style: the column in double quotes, the string value in single quotes.
      where: `"image_id"='${imageId.replace(/'/g, "''")}'`,
      offset: '0',
      length: '1',
    });
    return `${this.settings.baseUrl.replace(/\/+$/, '')}/filter?${query.toString()}`;
  }

  async fetch(job: ImageJob, tempFile: string): Promise<{ url: string }> {
    const identity = rocoIdentity(job.rocoPath);
    if (!identity) {
      throw new SourceFailure(`${job.rocoPath} is not a ROCO image path (split/…/ROCO_n.jpg)`, '(none)');
    }
    const lookup = this.filterUrl(identity.split, identity.imageId);
    let src: string;
    try {
      src = await this.imageUrl(lookup, identity.imageId);
    } catch (err) {
      throw new SourceFailure(errorMessage(err), lookup, { cause: err });
    }
    try {
      await getWithRetry(src, (response, timer) => streamToFile(bodyStream(response, timer), tempFile), {
        settings: this.ctx.http,
        signal: this.ctx.signal,
      });
    } catch (err) {
      throw new SourceFailure(`downloading the image failed: ${errorMessage(err)}`, stripQuery(src), {
        cause: err,
      });
    }
    return { url: stripQuery(src) };
  }

  private async imageUrl(lookup: string, imageId: string): Promise<string> {
    const text = await getWithRetry(lookup, bodyText, { settings: this.ctx.http, signal: this.ctx.signal });
    let data: unknown;
    try {
      data = JSON.parse(text);
    } catch {
      throw new PermanentError('the dataset viewer answered with something that is not JSON');
    }
    const parsed = filterResponseSchema.safeParse(data);
    if (!parsed.success) throw new PermanentError('the dataset viewer answer has no rows list');
    const row = parsed.data.rows.find((r) => r.row.image_id === imageId) ?? parsed.data.rows[0];
    if (!row) {
      throw new PermanentError(
        parsed.data.partial === true
          ? `${imageId} is not in the part of ${this.settings.dataset} the dataset viewer searched (it answered partial: true)`
          : `${imageId} is not in ${this.settings.dataset}`,
      );
    }
    const cell = Object.values(row.row)
      .map((value) => imageCellSchema.safeParse(value))
      .find((result) => result.success);
    if (!cell?.success) throw new PermanentError(`the row of ${imageId} has no image cell with a src URL`);
    return cell.data.src;
  }
}

/** Signed URLs expire; the manifest keeps the address without its signature. */
function stripQuery(url: string): string {
  const index = url.indexOf('?');
  return index === -1 ? url : url.slice(0, index);
}
