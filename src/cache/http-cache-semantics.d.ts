// The package ships plain JavaScript with JSDoc; these are the parts the cache uses.
declare module "http-cache-semantics" {
  namespace CachePolicy {
    type Headers = Record<string, string | undefined>;
    interface Request {
      url?: string;
      method?: string;
      headers: Headers;
    }
    interface Response {
      status?: number;
      headers: Headers;
    }
    interface Options {
      /** A shared (proxy) cache; false for a private client cache such as trawl's. */
      shared?: boolean;
    }
    /** The policy as plain JSON data (`toObject`), opaque to its users. */
    interface PolicyObject {
      v: number;
      resh: Headers;
      [key: string]: unknown;
    }
  }
  class CachePolicy {
    constructor(request: CachePolicy.Request, response: CachePolicy.Response, options?: CachePolicy.Options);
    storable(): boolean;
    revalidationHeaders(request: CachePolicy.Request): Record<string, string>;
    revalidatedPolicy(
      request: CachePolicy.Request,
      response: CachePolicy.Response,
    ): { policy: CachePolicy; modified: boolean; matches: boolean };
    toObject(): CachePolicy.PolicyObject;
    static fromObject(object: CachePolicy.PolicyObject): CachePolicy;
  }
  export = CachePolicy;
}
