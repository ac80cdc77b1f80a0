/**
 * A reporter for the harness's own suite that names every test which passed only when measured again (`retry`):
 * a timing check that needed a second measurement is never silent. Vitest's own reporters do not say.
 */
import type { Reporter, TestCase } from 'vitest/node';

export default class RetryReporter implements Reporter {
  private readonly retried: string[] = [];

  onTestCaseResult(test: TestCase): void {
    const retries = test.diagnostic()?.retryCount ?? 0;
    if (retries > 0) this.retried.push(`${test.module.relativeModuleId} > ${test.fullName}: ${test.result().state} after ${retries} retry`);
  }

  onTestRunEnd(): void {
    if (this.retried.length === 0) return;
    process.stdout.write(`\nmeasured again after a failed timing check (a busy machine?):\n  ${this.retried.join('\n  ')}\n`);
  }
}
