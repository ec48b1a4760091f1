import { getHeapStatistics, setFlagsFromString } from 'node:v8';

/**
 * Below a 2 GiB heap limit V8 lets the heap grow by only 1.3 (at 256 MB of
 * old space or less) to 2.0 times what the last full collection kept alive
 * before it collects again. With the 192 MB budget the services run under
 * (NODE_OPTIONS), a service keeping 50 MB alive ran a full collection every
 * 15 to 20 MB allocated: a reporting rebuild spent about a quarter of its
 * CPU in the collector. A factor of 2 is what V8 itself picks for the larger
 * of such heaps; the budget still bounds the heap.
 */
const SMALL_HEAP_LIMIT_BYTES = 2 * 1024 ** 3;
const GROWING_PERCENT = 100;

/** For a service process under a heap budget; leaves a process with a large heap limit as V8 configured it. */
export function relaxHeapGrowthUnderBudget(): void {
  if (getHeapStatistics().heap_size_limit < SMALL_HEAP_LIMIT_BYTES)
    setFlagsFromString(`--heap-growing-percent=${GROWING_PERCENT}`);
}
