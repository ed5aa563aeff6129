// The part of autocannon 9's API the benchmarks use (the package ships no types, and
// @types/autocannon is not a dependency).
declare module 'autocannon' {
  namespace autocannon {
    type Request = {
      method?: string;
      path?: string;
      headers?: Record<string, string>;
      body?: string;
    };
    type RequestSpec = Request & {
      setupRequest?: (request: Request) => Request;
      onResponse?: (
        status: number,
        body: string,
        context: unknown,
        headers?: Record<string, string>,
      ) => void;
    };
    type Options = {
      url: string;
      connections?: number;
      duration?: number;
      amount?: number;
      overallRate?: number;
      timeout?: number;
      method?: string;
      headers?: Record<string, string>;
      body?: string;
      requests?: RequestSpec[];
    };
    type Histogram = {
      p50: number;
      p90: number;
      p97_5: number;
      p99: number;
      max: number;
      mean: number;
      min: number;
    };
    type Result = {
      latency: Histogram;
      requests: { total: number; average: number };
      errors: number;
      timeouts: number;
      non2xx: number;
      duration: number;
      statusCodeStats?: Record<string, { count: number }>;
    };
    type Instance = Promise<Result> & { stop(): void };
  }
  function autocannon(options: autocannon.Options): autocannon.Instance;
  export default autocannon;
}
