export type BaselineRefusalCode =
  | 'INVALID_ANSWER'
  | 'UNKNOWN_PAIR'
  | 'NOT_SERVED'
  | 'ALREADY_ANSWERED'
  | 'ANSWER_LOCKED'
  | 'NOT_ANSWERED'
  | 'INVALID_PROFILE';

/** A request refused because of what the participant did; `message` is written to be shown as it is. */
export interface BaselineRefusal {
  ok: false;
  code: BaselineRefusalCode;
  message: string;
}

/** The refusals every part of the baseline service returns, built one way. */
export function refuse(code: BaselineRefusalCode, message: string): BaselineRefusal {
  return { ok: false, code, message };
}
