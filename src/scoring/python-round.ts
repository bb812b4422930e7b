/**
 * Python's `round(x, digits)` for floats, so that printed percentages match the official harness digit for digit.
 *
 * Python rounds the exact binary value of `x` to the nearest multiple of 10^-digits, breaking exact ties to
 * the even neighbour, then converts that decimal back to the nearest float. `Number.prototype.toFixed` also
 * works from the exact binary value, but breaks exact ties away from zero. An exact tie needs the binary
 * value to end in exactly 5 at the position after the last kept digit, which happens only when
 * `x * 2^(digits + 1)` is an odd integer (0.125, 0.375, … for two digits); only then do the two differ.
 */
export function pythonRound(x: number, digits = 0): number {
  if (!Number.isInteger(digits) || digits < 0 || digits > 100) {
    throw new RangeError(`pythonRound: digits must be an integer from 0 to 100, got ${digits}`);
  }
  // Non-finite values and zeros (including -0) round to themselves, as in Python.
  if (!Number.isFinite(x) || x === 0) return x;
  // Past 1e21 toFixed switches to exponent notation; such floats are integers already, so Python returns x.
  if (Math.abs(x) >= 1e21) return x;

  let text = x.toFixed(digits);
  const scaled = x * 2 ** (digits + 1);
  const exactTie = Number.isInteger(scaled) && scaled % 2 !== 0;
  if (exactTie && lastDigitIsOdd(text)) {
    // toFixed took the neighbour away from zero; the even neighbour is one unit in the last place nearer zero.
    text = stepTowardZero(text, digits);
  }
  const rounded = Number(text);
  // Keep the sign of a negative input that rounds to zero (Python gives -0.0).
  return rounded === 0 && x < 0 ? -0 : rounded;
}

function lastDigitIsOdd(text: string): boolean {
  const last = text.charCodeAt(text.length - 1) - 48;
  return last % 2 === 1;
}

/** `"2.63"` → `"2.62"`, `"-1.00"` → `"-0.99"`: subtracts one unit in the last place from the magnitude. */
function stepTowardZero(text: string, digits: number): string {
  const negative = text.startsWith('-');
  const units = BigInt((negative ? text.slice(1) : text).replace('.', '')) - 1n;
  const padded = units.toString().padStart(digits + 1, '0');
  const whole = padded.slice(0, padded.length - digits);
  const fraction = padded.slice(padded.length - digits);
  return `${negative ? '-' : ''}${whole}${digits > 0 ? `.${fraction}` : ''}`;
}
