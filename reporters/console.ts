/** Vitest reporter that prints the final benchmark table after the run. */
import type { Reporter, SerializedError, TestModule, TestRunEndReason } from 'vitest/node';
import { collectResults } from './collect.ts';
import { renderTable } from './table.ts';

export default class ConsoleReporter implements Reporter {
  private startedAt = new Date();

  onTestRunStart(): void {
    this.startedAt = new Date();
  }

  onTestRunEnd(modules: ReadonlyArray<TestModule>, errors: ReadonlyArray<SerializedError>, reason: TestRunEndReason): void {
    const results = collectResults(modules, errors, reason, { startedAt: this.startedAt });
    const color = process.stdout.isTTY === true && !process.env.NO_COLOR;
    process.stdout.write(`\n${renderTable(results, { color })}\n`);
  }
}
