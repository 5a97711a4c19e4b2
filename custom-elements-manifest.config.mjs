// @ts-check
// The Custom Elements Manifest analyzer's settings (`cem analyze`, run by scripts/build.mjs):
// the shell's elements into dist/custom-elements.json, named by package.json's
// `customElements`. The analyzer must not write package.json itself (`packagejson: false`).
export default {
  globs: ['shell/elements/mc-*.ts'],
  exclude: ['shell/elements/*.styles.ts'],
  outdir: 'dist',
  litelement: true,
  packagejson: false,
};
