/**
 * JSON for a `<script type="application/json">` block: `<`, `>` and `&` become `\u003c`-style escapes so no
 * value can close the element (`</script>`) or open a comment (`<!--`) and change how the HTML parser reads the
 * rest of the page (https://html.spec.whatwg.org/multipage/scripting.html#restrictions-for-contents-of-script-elements).
 * JSON.parse reads the escapes back to the same characters.
 * @example jsonForScript({ name: '</script>' }) // '{"name":"\\u003c/script\\u003e"}'
 */
export function jsonForScript(value: unknown): string {
  return JSON.stringify(value)
    .replace(/</g, '\\u003c')
    .replace(/>/g, '\\u003e')
    .replace(/&/g, '\\u0026')
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029');
}

/** Text for HTML element content or a quoted attribute. @example htmlText('<b>') // '&lt;b&gt;' */
export function htmlText(value: string): string {
  return value.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
