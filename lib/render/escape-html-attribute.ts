const ESCAPES: Record<string, string> = { '&': '&amp;', '"': '&quot;', "'": '&#39;', '<': '&lt;', '>': '&gt;' };

/**
 * Text safe inside a quoted HTML attribute value (either quote), and inert if the markup is ever
 * pasted unquoted into text: `&` first-class, so an existing entity is shown, never decoded.
 */
export function escapeHtmlAttribute(value: string): string {
  return value.replace(/[&"'<>]/g, (character) => ESCAPES[character]);
}
