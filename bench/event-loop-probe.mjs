// A probe for the bench server: `BENCH_NODE_FLAGS="--import ./bench/event-loop-probe.mjs"
// BENCH_SERVER_STDOUT=/tmp/loop.log npm run bench:verify` prints, each second, how late the
// request thread's event loop ran (perf_hooks' histogram, 10 ms resolution): the longest delay,
// its p99 and its mean. Stalls that line up with `--trace-gc`'s mark-compacts, or with nothing,
// tell where a run's slowest requests came from (docs/decisions/0033-deadline-signals.md).
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { isMainThread } from 'node:worker_threads';

if (isMainThread) {
  const histogram = monitorEventLoopDelay({ resolution: 10 });
  histogram.enable();
  const started = Date.now();
  const ms = (ns) => (ns / 1e6).toFixed(0);
  setInterval(() => {
    if (histogram.count > 0)
      process.stdout.write(
        `event loop t=${((Date.now() - started) / 1000).toFixed(0)} s: max ${ms(histogram.max)} ms, p99 ${ms(histogram.percentile(99))} ms, mean ${(histogram.mean / 1e6).toFixed(1)} ms\n`,
      );
    histogram.reset();
  }, 1000).unref();
}
