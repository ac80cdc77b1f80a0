/**
 * The architecture as a rule: each folder is a step of the data path, and a
 * step may import only the steps below it (docs/architecture.md draws the
 * same picture). `npm run lint` fails the build when a module imports upward,
 * when modules import each other in a circle, or when the harness imports
 * test code.
 */
const LAYERS = [
  ['types', '^harness/types\\.ts$'],
  ['files', '^harness/files/'],
  ['measure', '^harness/measure/'],
  ['evaluate', '^harness/evaluate/'],
  ['gate', '^harness/gate/'],
  ['targets', '^harness/targets/'],
  ['results', '^harness/results/'],
  ['history', '^harness/history/'],
  ['run', '^harness/run/|^harness/index\\.ts$'],
  ['reporters', '^reporters/'],
  ['cli', '^harness/cli/|^harness/bin\\.js$'],
];

const upward = LAYERS.flatMap(([name, path], index) => {
  const above = LAYERS.slice(index + 1);
  if (above.length === 0) return [];
  return [
    {
      name: `${name}-imports-upward`,
      comment: `${name} may import only the layers below it (${LAYERS.slice(0, index).map(([n]) => n).join(', ') || 'none'})`,
      severity: 'error',
      from: { path },
      to: { path: above.map(([, p]) => `(${p})`).join('|') },
    },
  ];
});

// Reporters render the results document; they never reach into a run, a target or a request.
const reportersStayOnTheDocument = {
  name: 'reporters-render-the-document',
  comment: 'reporters read results, gate and evaluate types only: no targets, measure or run',
  severity: 'error',
  from: { path: '^reporters/' },
  to: { path: '^harness/(targets|measure|run)/' },
};

module.exports = {
  forbidden: [
    ...upward,
    reportersStayOnTheDocument,
    { name: 'no-circular', severity: 'error', from: {}, to: { circular: true } },
    { name: 'harness-never-imports-tests', severity: 'error', from: { path: '^(harness|reporters)/' }, to: { path: '^test/' } },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { extensions: ['.ts', '.js'] },
  },
};
