/**
 * A value a client sent, quoted and cut short for an error message. Never throws: a client can
 * send `{"toString":1}`, which `String()` cannot convert.
 */
export function describeValue(value: unknown, maxLength = 80): string {
  let text: string;
  try {
    text = JSON.stringify(String(value));
  } catch {
    text = `(an ${typeof value} with no text form)`;
  }
  return text.slice(0, maxLength);
}
