// Module hooks for the spec preflight (cli/spec-preflight.ts), registered with node:module's register().
// A spec file is imported here with a `?preflight=` query. In a CommonJS package ("type": "commonjs", as `npm init`
// makes it) Node would load it as CommonJS, whose require() can load neither the harness (TypeScript) nor vitest;
// vitest itself always runs specs as ES modules. So the spec and the TypeScript files it imports are loaded as ES
// modules too, the query passed on to them; `.cts` and `.cjs` files, and packages, keep their own format. The
// harness's own modules (an ES module package) are never marked: a marked copy would load the whole harness again
// for every spec file of every run (tsx passes a query on to every import), about 60 modules each time.
const MARK = 'preflight';
const HARNESS = new URL('../', import.meta.url).href;

const marked = (url) => URL.canParse(url) && new URL(url).searchParams.has(MARK);
const ownTypeScript = (url) =>
  url.startsWith('file:') && !url.includes('/node_modules/') && !url.startsWith(HARNESS) && /\.(ts|tsx|mts)$/.test(new URL(url).pathname);

export async function resolve(specifier, context, nextResolve) {
  const resolved = await nextResolve(specifier, context);
  if (!context.parentURL || !marked(context.parentURL) || !ownTypeScript(resolved.url) || marked(resolved.url)) return resolved;
  const url = new URL(resolved.url);
  url.searchParams.set(MARK, new URL(context.parentURL).searchParams.get(MARK) ?? '');
  return { ...resolved, url: url.href };
}

export async function load(url, context, nextLoad) {
  return nextLoad(url, marked(url) && ownTypeScript(url) ? { ...context, format: 'module' } : context);
}
