// A probe for the bench server: what the request thread allocates that outlives the young
// generation. `BENCH_NODE_FLAGS="--import ./bench/heap-sample.mjs" npm run bench:verify`, then
// `kill -USR2 <server pid>` to start sampling and again to stop: the profile is written to
// `heap-sample-<pid>-<n>.heapprofile` in the working directory (open it in Chrome's DevTools,
// Memory tab, or sum its nodes' selfSize by call frame).
//
// V8's sampling heap profiler normally reports only what is still live when it stops. With
// `includeObjectsCollectedByMajorGC` it also keeps samples of objects a mark-compact collected:
// objects that survived scavenges and were promoted before dying. A scavenge's garbage is left
// out, so the profile is the promotion, by allocation site (decision 0035 found ~120 KB a code
// step this way).
import fs from 'node:fs';
import inspector from 'node:inspector';
import { isMainThread } from 'node:worker_threads';

if (isMainThread) {
  const session = new inspector.Session();
  session.connect();
  let sampling = false;
  let written = 0;
  process.on('SIGUSR2', () => {
    if (!sampling) {
      session.post(
        'HeapProfiler.startSampling',
        { samplingInterval: 8192, includeObjectsCollectedByMajorGC: true },
        (error) => {
          if (error) return console.error('heap-sample:', error.message);
          sampling = true;
          console.log('heap-sample: sampling');
        },
      );
      return;
    }
    session.post('HeapProfiler.stopSampling', (error, result) => {
      sampling = false;
      if (error) return console.error('heap-sample:', error.message);
      const file = `heap-sample-${process.pid}-${++written}.heapprofile`;
      fs.writeFileSync(file, JSON.stringify(result.profile));
      console.log(`heap-sample: wrote ${file}`);
    });
  });
}
