/**
 * C0 controls except tab, line feed and carriage return, DEL and C1 controls,
 * and halves of a surrogate pair standing alone (not text at all: PostgreSQL's
 * JSON refuses them): never in a person's text.
 */
const CONTROL_CHARACTER =
  // eslint-disable-next-line no-control-regex -- matching control characters is the point
  /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** True when the text holds a character no one types (PostgreSQL refuses NUL outright). */
export function hasControlCharacter(text: string): boolean {
  return CONTROL_CHARACTER.test(text);
}
