import type { Command } from 'commander';
import { InvalidArgumentError } from 'commander';
import { z } from 'zod';
import {
  BaselineService,
  checkSecretMatchesStore,
  Pseudonymizer,
  resolveBaselineSecret,
  storedBaselineSecret,
} from '../baseline/index.js';
import type { PairSet } from '../dataset/model.js';
import { openStore } from '../store/open-store.js';
import type { CliContext } from './context.js';

/**
 * `mediconfusion forget --user ID`: what /forget-me does, for an operator acting on a deletion request
 * (an email, a notice that an account was deleted). Discord tells bots nothing when an account is deleted,
 * so this is how such a request is carried out. See README "Account deletion".
 */

interface ForgetOptions {
  user: string;
  storeSecret?: boolean;
}

/** A Discord user id (a snowflake), or a platform id as the bot stores it (`web:<hash>` for the web). */
const userIdSchema = z
  .string()
  .trim()
  .regex(/^(\d{15,22}|web:[A-Za-z0-9_-]{10,64})$/);

function parseUserId(value: string): string {
  const parsed = userIdSchema.safeParse(value);
  if (!parsed.success) {
    throw new InvalidArgumentError(
      'expected a Discord user id (digits only, e.g. 123456789012345678; Developer Mode → right-click → Copy User ID) or a web id (web:…).',
    );
  }
  return parsed.data;
}

/** Exit code of `forget` when the id matched nothing (distinct from 0, and from 1: a problem to fix). */
export const FORGET_NOTHING_FOUND = 3;

/** forget() works across every set; the service only needs one to exist. */
const NO_SET: PairSet = { name: 'forget', pairs: [], categories: [], categoryCounts: {}, imagesDir: '' };

export function registerForget(parent: Command, ctx: CliContext): void {
  parent
    .command('forget')
    .description('delete everything recorded about one person (what /forget-me does, for a deletion request)')
    .requiredOption('--user <id>', 'their Discord user id, or a web participant id (web:…)', parseUserId)
    .option(
      '--store-secret',
      'use the development secret `start` generated in the store instead of BASELINE_SECRET',
    )
    .addHelpText(
      'after',
      `
Deletes their consent, profile, private-baseline answers and quiz answers, and replaces their id on the
quiz sessions they hosted once those have ended. Needs BASELINE_SECRET (the one the bot runs with): the
baseline keeps records under a pseudonym computed from the id with that secret.

Exit codes: 0 deleted, 3 nothing was recorded about that id (a typo?), 1 a problem to fix.

Examples:
  mediconfusion forget --user 123456789012345678`,
    )
    .action(async (options: ForgetOptions) => {
      await runForget(ctx, options);
    });
}

async function runForget(ctx: CliContext, options: ForgetOptions): Promise<void> {
  const config = ctx.config();
  const log = ctx.log();
  const store = await openStore(config.storeUrl, { cwd: ctx.cwd, log });
  try {
    const secret = options.storeSecret
      ? await storedBaselineSecret(store)
      : await resolveBaselineSecret({ configured: config.baselineSecret, whenMissing: 'fail', store });
    // With the wrong secret the pseudonym would match nobody and the baseline records would silently stay.
    await checkSecretMatchesStore(store, new Pseudonymizer(secret), { record: false });
    const service = new BaselineService({ store, set: NO_SET, secret, log });
    const report = await service.forget(options.user);
    const { participant: _participant, ...counts } = report;
    if (Object.values(counts).every((n) => n === 0)) {
      // A mistyped id finds nobody: that must not look like a successful deletion.
      ctx.err.write(
        `Nothing is recorded about ${options.user}: nothing was deleted. Check the id (and that STORE_URL is ` +
          `the store the bot uses).\n`,
      );
      ctx.exitCode = FORGET_NOTHING_FOUND;
      return;
    }
    ctx.out.write(
      `Forgot ${options.user} (participant ${report.participant.slice(0, 12)}…): consent ${report.consent}, ` +
        `profile ${report.profile}, baseline answers ${report.baselineAnswers}, pairs in progress ${report.progress}, ` +
        `quiz answers ${report.quizAnswers}, ended quizzes they hosted ${report.hostedSessionsScrubbed}.\n`,
    );
    if (report.hostedSessionsRunning > 0) {
      ctx.out.write(
        `They host ${report.hostedSessionsRunning} quiz session(s) still running: the bot replaces their id there at ` +
          "the session's next reveal or end (within a day; after that, stop them). Run this again then to check.\n",
      );
    }
  } finally {
    await store.close();
  }
}
