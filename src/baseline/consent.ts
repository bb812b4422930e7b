/**
 * The notice a participant accepts before the private baseline records anything. Raising CONSENT_VERSION
 * (when the text changes what is recorded) asks everyone to accept again before their next answer.
 */
export const CONSENT_VERSION = 1;

export interface ConsentNotice {
  version: number;
  title: string;
  /** Plain text with short paragraphs and `-` bullets; fits one Discord embed and a web page alike. */
  text: string;
  acceptLabel: string;
  declineLabel: string;
}

export const CONSENT_NOTICE: ConsentNotice = {
  version: CONSENT_VERSION,
  title: 'Private human baseline: before you start',
  text: [
    'You will answer pairs of radiology images privately, at your own pace. Nobody sees your answers, and you see the right answers, how others answered and how AI models answered only for pairs you have finished.',
    '',
    'What is recorded once you accept:',
    '- for each image: your answer (A or B), whether it was right, how long you took, whether you had seen that image before (here or in a quiz) and when you answered;',
    '- your training level and specialty, only if you choose to give them (you can change or clear them at any time).',
    '',
    'Your records are pseudonymous: they are kept under a code computed from your account id with a secret key of this deployment, never under your account id or name. Research exports contain only that code.',
    'Your answers count in the human baseline (accuracy per category and per training level) that is compared with AI models.',
    '',
    'You can withdraw at any time with /forget-me: it deletes your consent, your profile and all your answers (baseline and quiz), and you disappear from every tally and every later export. Files exported before you withdrew cannot be recalled.',
    '',
    'Nothing is recorded unless you accept.',
  ].join('\n'),
  acceptLabel: 'I agree, start',
  declineLabel: 'No thanks',
};
