// Where to go after signing in: `next` is followed only to a path of our own site (BASE_URL's origin).

/** Backslashes (browsers read them as slashes) and control characters (C0, DEL, C1: the URL parser drops tabs and newlines). */
const REFUSED = /[\\\u0000-\u001f\u007f-\u009f]/;

/**
 * The path (with query and fragment) that `next` names on BASE_URL's own origin, or '/'.
 * `next` is parsed with the WHATWG URL parser against BASE_URL and must keep its origin; so
 * `//evil.example`, `https://evil.example`, `javascript:…`, `/\evil.example` and `/%09/evil.example`
 * (a tab once decoded) all give '/'. The answer is always a path starting with a single '/', so a
 * browser cannot read it as another host.
 */
export function safeNext(next: unknown, baseUrl: string): string {
  if (typeof next !== 'string' || next === '' || next.length > 2000 || REFUSED.test(next)) return '/';
  let base: URL;
  let url: URL;
  try {
    base = new URL(baseUrl);
    url = new URL(next, base);
  } catch {
    return '/';
  }
  if (url.origin !== base.origin || url.origin === 'null') return '/';
  if (url.username || url.password) return '/';
  const path = url.pathname + url.search + url.hash;
  // `/.//evil.example` resolves to the path `//evil.example`, which a browser would read as a host.
  if (!path.startsWith('/') || path.startsWith('//')) return '/';
  return path;
}
