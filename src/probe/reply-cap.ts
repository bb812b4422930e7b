/**
 * The longest model reply kept, in characters. A multiple-choice answer or a judge's scores take a few
 * hundred; a reply of megabytes (a model stuck in a loop, a hostile server) would otherwise be stored in the
 * cache, the run record and the results file, and shown in reports. The head is kept, since that is where
 * an answer is given, and the cut is marked so nobody mistakes it for the whole reply.
 */
export const MAX_REPLY_CHARS = 20_000;

export function capReply(text: string, max = MAX_REPLY_CHARS): string {
  if (text.length <= max) return text;
  return `${text.slice(0, max)}\n[… reply cut here: ${text.length} characters in all, the first ${max} kept]`;
}
