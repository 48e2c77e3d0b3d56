// Prints the plain `N passed, N failed` line from vitest's JSON report. A test
// file that fails to load counts as one failure; when the run stopped before
// vitest (typecheck, lint or build failed) there is no report, and that counts
// as one failure too, so a broken build never reads as green.
import { existsSync, readFileSync } from 'node:fs';

const [report, status] = process.argv.slice(2);
let passed = 0;
let failed = 0;
if (existsSync(report)) {
  const data = JSON.parse(readFileSync(report, 'utf8'));
  passed = data.numPassedTests;
  const brokenFiles = data.testResults.filter(
    (file) => file.status === 'failed' && file.assertionResults.every((test) => test.status !== 'failed'),
  ).length;
  failed = data.numFailedTests + brokenFiles;
}
if (failed === 0 && Number(status) !== 0) failed = 1;
console.log(`${passed} passed, ${failed} failed`);
