// autocannon ships no types: the part of its API the API benchmark uses.
declare module 'autocannon' {
  namespace autocannon {
    interface Options { url: string; connections?: number; duration?: number; requests?: Array<Record<string, unknown>> }
    interface Histogram { average: number; p50: number; p90: number; p99: number; max: number; total: number }
    interface Result { requests: Histogram; latency: Histogram; errors: number; timeouts: number; non2xx: number }
  }
  function autocannon(opts: autocannon.Options, cb: (err: Error | null, res: autocannon.Result) => void): unknown;
  export default autocannon;
}
