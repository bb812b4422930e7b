import type { Logger } from '../logger.js';
import type { Clock } from '../quiz/clock.js';
import type { Store } from '../store/types.js';
import { CONSENT_NOTICE, CONSENT_VERSION, type ConsentNotice } from './consent.js';
import type { ParticipantLocks } from './participant-locks.js';
import { checkSecretMatchesStore, Pseudonymizer } from './pseudonym.js';
import type { BaselineCollections } from './store-layout.js';

/** Every call but consentStatus, acceptConsent and forget returns this until the notice is accepted. */
export interface ConsentRequired {
  ok: false;
  code: 'CONSENT_REQUIRED';
  message: string;
  notice: ConsentNotice;
}

export type ConsentStatus =
  | { accepted: true; acceptedAt: number; version: number }
  /** `outdated`: an earlier notice was accepted, and the current one differs. */
  | { accepted: false; reason: 'never' | 'outdated'; notice: ConsentNotice };

const CONSENT_MESSAGE =
  'Before your first answer, please read how the private baseline records answers and accept it.';

export interface EnrolmentOptions {
  store: Store;
  db: BaselineCollections;
  /** The deployment secret (see resolveBaselineSecret). */
  secret: string;
  locks: ParticipantLocks;
  log: Logger;
  clock: Clock;
}

/**
 * Who takes part in the private baseline: a platform user id becomes a pseudonym (under the deployment
 * secret, checked against the store's), and a participant is enrolled once they accept the current consent
 * notice. The other parts of the baseline ask `gate` before they read or write anything for a participant.
 */
export class Enrolment {
  private readonly store: Store;
  private readonly db: BaselineCollections;
  private readonly pseudonyms: Pseudonymizer;
  private readonly locks: ParticipantLocks;
  private readonly log: Logger;
  private readonly clock: Clock;
  private verified: Promise<void> | undefined;

  constructor(options: EnrolmentOptions) {
    this.store = options.store;
    this.db = options.db;
    this.pseudonyms = new Pseudonymizer(options.secret);
    this.locks = options.locks;
    this.log = options.log;
    this.clock = options.clock;
  }

  /** The participant's pseudonym: what exports show instead of the platform id. */
  pseudonymOf(userId: string): string {
    return this.pseudonyms.pseudonymOf(userId);
  }

  /**
   * Fails (BASELINE_SECRET_MISMATCH) when the store's baseline was recorded under another secret, and marks a
   * new store with this one. Call it at start-up to fail early; the first consent calls it anyway.
   */
  verifySecret(): Promise<void> {
    this.verified ??= checkSecretMatchesStore(this.store, this.pseudonyms, {
      record: true,
      now: () => this.clock.now(),
    }).catch((err: unknown) => {
      this.verified = undefined;
      throw err;
    });
    return this.verified;
  }

  async consentStatus(userId: string): Promise<ConsentStatus> {
    const record = await this.db.consent.get(this.pseudonymOf(userId));
    if (record === undefined) return { accepted: false, reason: 'never', notice: CONSENT_NOTICE };
    if (record.consentVersion < CONSENT_VERSION) {
      return { accepted: false, reason: 'outdated', notice: CONSENT_NOTICE };
    }
    return { accepted: true, acceptedAt: record.acceptedAt, version: record.consentVersion };
  }

  /** Records acceptance of the current notice; accepting again keeps the first acceptance time. */
  acceptConsent(
    userId: string,
    at: number = this.clock.now(),
  ): Promise<{ ok: true; acceptedAt: number; alreadyAccepted: boolean }> {
    const participant = this.pseudonymOf(userId);
    return this.locks.run(participant, async () => {
      await this.verifySecret();
      const existing = await this.db.consent.get(participant);
      if (existing !== undefined && existing.consentVersion >= CONSENT_VERSION) {
        return { ok: true, acceptedAt: existing.acceptedAt, alreadyAccepted: true };
      }
      await this.db.consent.set(participant, {
        version: 1,
        participant,
        consentVersion: CONSENT_VERSION,
        acceptedAt: at,
      });
      this.log.info({ participant }, 'baseline consent accepted');
      return { ok: true, acceptedAt: at, alreadyAccepted: false };
    });
  }

  /** Null when the participant has accepted the current notice; otherwise what to answer instead. */
  async gate(participant: string): Promise<ConsentRequired | null> {
    const record = await this.db.consent.get(participant);
    if (record !== undefined && record.consentVersion >= CONSENT_VERSION) return null;
    return { ok: false, code: 'CONSENT_REQUIRED', message: CONSENT_MESSAGE, notice: CONSENT_NOTICE };
  }
}
