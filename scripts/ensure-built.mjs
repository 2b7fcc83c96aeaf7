// `npm start` runs this first: the server serves only what `npm run build` made (dist/), so a fresh checkout is
// built once here, at build time, instead of the server importing Vite or page source while running.
import { existsSync } from 'node:fs';
import { spawnSync } from 'node:child_process';

const needed = ['dist/pages/index.html', 'dist/app/index.html', 'dist/widget/widget.js'];
if (needed.every((file) => existsSync(file))) process.exit(0);
console.log('[slotline] dist/ is missing: running `npm run build` once…');
const result = spawnSync('npm', ['run', 'build', '--silent'], { stdio: 'inherit', shell: process.platform === 'win32' });
process.exit(result.status ?? 1);
