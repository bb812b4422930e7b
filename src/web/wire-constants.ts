/** Constants both the server and the browser need; kept free of imports so the browser bundle stays small. */

/** Room codes: 5 characters without look-alikes (no 0/O, 1/I/L), easy to read off a projector. */
export const ROOM_CODE_ALPHABET = 'ABCDEFGHJKMNPQRSTUVWXYZ23456789';
export const ROOM_CODE_LENGTH = 5;
export const MAX_NAME_LENGTH = 32;
