import { defineConfig } from 'vitest/config';

// The cluster test (nginx, two replicas, two workers, one killed and restarted) runs alone,
// after the rest; the rest run two files at a time: most of their time is waiting on Redis,
// PostgreSQL, child processes and the browser, so two share the two cores well (measured:
// 619-718 s of tests one at a time, 460 s two at a time).
const alone = ['test/cluster/**/*.test.ts'];

export default defineConfig({
  test: {
    globalSetup: ['test/globalSetup.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
    reporters: ['default'],
    projects: [
      { extends: true, test: { name: 'together', include: ['test/**/*.test.ts'], exclude: alone, maxWorkers: 2, sequence: { groupOrder: 0 } } },
      { extends: true, test: { name: 'alone', include: alone, maxWorkers: 1, sequence: { groupOrder: 1 } } },
    ],
  },
});
