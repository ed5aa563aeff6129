/** Who is asking: client IP, user agent, and approximate place when the platform tells it. */
export type RequestInfo = { ip: string | null; userAgent: string | null; location?: string | null };
